"""Writes the .safetensors fixtures of Tests/KLSFormatsTests with the
`safetensors` Python package (0.8), and beside each a .npz of the same tensors
widened to float64 by NumPy / ml_dtypes: the values kls must read.

Run from the repository root in a venv with safetensors, numpy and ml_dtypes
(scripts/bench --peers makes .venv-bench, which has them through JAX):
    .venv-bench/bin/python Tests/References/safetensors_fixtures.py
"""
import os

import ml_dtypes
import numpy as np
from safetensors.numpy import save_file

out = "Tests/KLSFormatsTests/Fixtures/safetensors"
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(29)

# Every dtype kls reads, with the edge values each has: signed zero, subnormals,
# infinities and NaN for the floats, the extremes of the integers.
floats = np.concatenate([rng.standard_normal(10) * 3, [0.0, -0.0, 1e-7, 65504.0, -2.5]])
tensors = {
    "f64": rng.standard_normal((3, 4)),
    "f32": floats.astype(np.float32).reshape(3, 5),
    "f16": np.concatenate([floats, [np.inf, -np.inf, 6e-8]]).astype(np.float16),
    "bf16": np.concatenate([floats, [np.inf, 1e30, -3e-39]]).astype(ml_dtypes.bfloat16).reshape(2, 9),
    "f8_e4m3": np.array([0, 0.015625, -0.001953125, 1.5, -448, 240, 0.5, 3.25], dtype=ml_dtypes.float8_e4m3fn),
    "f8_e5m2": np.array([0, 1.5e-5, -57344, 0.75, np.inf, -2], dtype=ml_dtypes.float8_e5m2),
    "i8": np.array([-128, -1, 0, 127], dtype=np.int8),
    "i16": np.array([-32768, 5, 32767], dtype=np.int16),
    "i32": np.array([[-2**31, 7], [2**31 - 1, 0]], dtype=np.int32),
    "i64": np.array([-2**53, 2**53, -3, 11], dtype=np.int64),
    "u8": np.array([0, 200, 255], dtype=np.uint8),
    "u16": np.array([0, 65535], dtype=np.uint16),
    "u32": np.array([4294967295, 1], dtype=np.uint32),
    "u64": np.array([2**53, 12], dtype=np.uint64),
    "bool": np.array([[True, False], [False, True]]),
    "scalar": np.array(2.5),
    "empty": np.zeros((0, 3), dtype=np.float32),
    # A state dict's names: dots, and an order unlike the alphabet's.
    "enc.0.weight": rng.standard_normal((4, 3)).astype(np.float32),
    "enc.0.bias": np.zeros(4, dtype=np.float32),
}
save_file(tensors, f"{out}/every_dtype.safetensors", metadata={"format": "np", "note": "kls fixtures"})
np.savez(f"{out}/every_dtype_expected.npz", **{k: np.asarray(v, dtype=np.float64) for k, v in tensors.items()})

# 64-bit integers without an exact double.
save_file({"big": np.array([2**53 + 1, 3], dtype=np.int64)}, f"{out}/rounded.safetensors")

# A dtype kls refuses by name (complex).
save_file({"z": np.array([1 + 2j], dtype=np.complex64)}, f"{out}/complex.safetensors")

# Broken files, cut from a good one.
good = open(f"{out}/every_dtype.safetensors", "rb").read()
open(f"{out}/truncated.safetensors", "wb").write(good[: len(good) - 7])
open(f"{out}/header_cut.safetensors", "wb").write(good[:40])
open(f"{out}/tiny.safetensors", "wb").write(good[:5])
n = int.from_bytes(good[:8], "little")
bad_json = good[:8] + b"{" + b" " * (n - 1) + good[8 + n:]
open(f"{out}/bad_json.safetensors", "wb").write(bad_json)
huge = (10**12).to_bytes(8, "little") + good[8:]
open(f"{out}/huge_header.safetensors", "wb").write(huge)
# A header whose offsets do not match the dtype and shape.
header = b'{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}'
open(f"{out}/bad_offsets.safetensors", "wb").write(len(header).to_bytes(8, "little") + header + bytes(12))
print("wrote", sorted(os.listdir(out)))
