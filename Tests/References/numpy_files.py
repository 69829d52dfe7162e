#!/usr/bin/env python3
"""Writes the NumPy file fixtures of Tests/KLSFormatsTests/Fixtures with NumPy itself.

Every element type kls reads, both byte orders, C and Fortran order, 0-d and empty
arrays, .npz stored and deflated, broken and unsupported files, and CSV/TSV. The
expected values go to manifest.json as Python floats (repr round-trips), so the
Swift tests compare kls's reading against NumPy's, not against kls.

Run from the repository root: python3 Tests/References/numpy_files.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "KLSFormatsTests", "Fixtures")


def values(dtype, count):
    """Awkward but exact values for each type: extremes, negatives, fractions."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return np.arange(count) % 3 == 1
    if dt.kind in "iu":
        info = np.iinfo(dt)
        base = np.array([0, 1, info.max, info.min, 7, info.max // 3], dtype=object)
        return np.array([base[k % len(base)] for k in range(count)], dtype=dt)
    base = [0.0, -0.0, 1.5, -2.25, 1e-3, np.finfo(dt).max, np.finfo(dt).tiny, np.inf, -np.inf, np.nan]
    return np.array([base[k % len(base)] for k in range(count)], dtype=dt)


def as_json(a):
    flat = np.asarray(a, dtype=np.float64).ravel(order="C")
    # As repr strings: JSON parsers do not all round numbers correctly.
    return [repr(float(x)) for x in flat]


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {}
    kinds = ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"]
    for kind in kinds:
        for order_char in "<>":
            if kind[1] == "1" and order_char == ">":
                continue
            dtype = ("|" if kind[1] == "1" else order_char) + kind
            for fortran in (False, True):
                a = values(dtype, 12).reshape(3, 4)
                if fortran:
                    a = np.asfortranarray(a)
                name = f"{kind}_{'big' if order_char == '>' else 'little'}_{'F' if fortran else 'C'}.npy"
                np.save(os.path.join(OUT, name), a)
                manifest[name] = {"shape": list(a.shape), "values": as_json(a)}
    for name, a in {
        "scalar.npy": np.float64(2.5),
        "empty.npy": np.zeros((0, 3)),
        "vector.npy": np.linspace(-1, 1, 7),
        "rank3_F.npy": np.asfortranarray(np.arange(24.0).reshape(2, 3, 4)),
    }.items():
        np.save(os.path.join(OUT, name), a)
        manifest[name] = {"shape": list(np.shape(a)), "values": as_json(a)}
    # np.save's exact bytes for float64 C-order arrays: kls must write the same.
    for shape in [(), (5,), (2, 3), (0,)]:
        name = "header_" + "x".join(map(str, shape)) + ".npy"
        np.save(os.path.join(OUT, name), np.arange(int(np.prod(shape)), dtype="<f8").reshape(shape))
    stored = {"mu": np.array([0.5, -1.0]), "logvar": np.arange(6.0).reshape(2, 3), "n": np.int64(3)}
    np.savez(os.path.join(OUT, "stored.npz"), **stored)
    np.savez_compressed(os.path.join(OUT, "deflated.npz"), **stored)
    for name in ("stored.npz", "deflated.npz"):
        manifest[name] = {k: {"shape": list(np.shape(v)), "values": as_json(v)} for k, v in stored.items()}
    np.save(os.path.join(OUT, "complex.npy"), np.array([1 + 2j]))
    np.save(os.path.join(OUT, "object.npy"), np.array([None, 1], dtype=object), allow_pickle=True)
    np.save(os.path.join(OUT, "structured.npy"), np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]))
    np.save(os.path.join(OUT, "strings.npy"), np.array(["a", "bc"]))
    good = open(os.path.join(OUT, "f8_little_C.npy"), "rb").read()
    open(os.path.join(OUT, "truncated_data.npy"), "wb").write(good[:-5])
    open(os.path.join(OUT, "truncated_header.npy"), "wb").write(good[:40])
    open(os.path.join(OUT, "bad_magic.npy"), "wb").write(b"\x93NUMPZ" + good[6:])
    open(os.path.join(OUT, "bad_dict.npy"), "wb").write(good[:10] + b"{'descr' '<f8'" + good[24:])
    deflated = bytearray(open(os.path.join(OUT, "deflated.npz"), "rb").read())
    deflated[60] ^= 0xFF  # inside the first entry's compressed data
    open(os.path.join(OUT, "corrupted.npz"), "wb").write(bytes(deflated))
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
