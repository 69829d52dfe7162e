"""kls's files against NumPy's, both ways: arrays NumPy writes (every dtype, byte
order and memory order) read by kls, and files kls writes read by NumPy, csv and
json. Runs the built binary (KLS_BINARY, else .build/debug/kls)."""
import json
import os
import subprocess

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KLS = os.environ.get("KLS_BINARY", os.path.join(ROOT, ".build", "debug", "kls"))

DTYPES = ["<f2", ">f2", "<f4", ">f4", "<f8", ">f8", "|i1", "<i2", ">i2", "<i4", ">i4", "<i8", ">i8",
          "|u1", "<u2", ">u2", "<u4", ">u4", "<u8", ">u8", "|b1"]


def kls(code, cwd):
    result = subprocess.run([KLS, "-e", code], cwd=cwd, capture_output=True, text=True, timeout=120)
    return result


def random_array(dtype, shape, rng):
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        info = np.iinfo(dt)
        # Within ±2^53 so that float64 holds every value exactly.
        low, high = max(info.min, -(2**53)), min(info.max, 2**53)
        return rng.integers(low, high, size=shape, endpoint=True).astype(dt)
    return (rng.standard_normal(shape) * 100).astype(dt)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F"])
def test_kls_reads_what_numpy_writes(tmp_path, dtype, order):
    rng = np.random.default_rng(abs(hash((dtype, order))) % 2**32)
    a = np.array(random_array(dtype, (4, 3, 5), rng), order=order)
    np.save(tmp_path / "in.npy", a)
    result = kls('save("out.npy", load("in.npy"));', tmp_path)
    assert result.returncode == 0, result.stderr
    back = np.load(tmp_path / "out.npy")
    assert back.dtype == np.float64 and back.shape == a.shape
    assert np.array_equal(back, a.astype(np.float64), equal_nan=True)


def test_numpy_reads_what_kls_writes(tmp_path):
    code = """
    x = randn([200, 3], seed=7) * 1e-3 + [0, 1e300, -5]
    x[0, 0] = nan; x[1, 1] = inf; x[2, 2] = -0.0
    save("x.npy", x); save("x.csv", x); save("x.tsv", x)
    save("x.npz", x=x, scalar=2.5); save("xz.npz", x=x, compress=true)
    save("cols.csv", {mu: x[:, 0], "log var": x[:, 2]})
    save("e.json", kl_mc(Normal(0, 1), Normal(1, 2), n=1000, seed=1))
    """
    result = kls(code, tmp_path)
    assert result.returncode == 0, result.stderr
    x = np.load(tmp_path / "x.npy")
    assert x.shape == (200, 3) and x.dtype == np.float64
    for path, kwargs in [("x.csv", {"delimiter": ","}), ("x.tsv", {"delimiter": "\t"})]:
        assert np.array_equal(np.loadtxt(tmp_path / path, **kwargs), x, equal_nan=True)
    for path in ("x.npz", "xz.npz"):
        with np.load(tmp_path / path) as archive:
            assert np.array_equal(archive["x"], x, equal_nan=True)
    with np.load(tmp_path / "x.npz") as archive:
        assert archive["scalar"].shape == () and archive["scalar"] == 2.5
    cols = np.genfromtxt(tmp_path / "cols.csv", delimiter=",", names=True)
    assert cols.dtype.names == ("mu", "log_var")  # genfromtxt's own renaming of the space
    assert np.array_equal(cols["mu"], x[:, 0], equal_nan=True)
    estimate = json.load(open(tmp_path / "e.json"))
    assert estimate["n"] == 1000 and estimate["estimator"] == "k1"
    assert abs(estimate["value"] - estimate["exact"]) < 5 * estimate["stderr"]


def test_npz_from_numpy_stored_and_deflated(tmp_path):
    mu = np.arange(6.0).reshape(2, 3)
    np.savez(tmp_path / "s.npz", mu=mu, n=np.int32(4))
    np.savez_compressed(tmp_path / "d.npz", mu=mu, n=np.int32(4))
    result = kls('a = load("s.npz"); b = load("d.npz"); assert(all(a.mu == b.mu) and a.n == 4); '
                 'save("mu.npy", b.mu);', tmp_path)
    assert result.returncode == 0, result.stderr
    assert np.array_equal(np.load(tmp_path / "mu.npy"), mu)


def test_a_big_file_round_trips(tmp_path):
    a = np.random.default_rng(3).standard_normal(10_000_000)
    np.save(tmp_path / "big.npy", a)
    result = kls('save("back.npy", load("big.npy"));', tmp_path)
    assert result.returncode == 0, result.stderr
    assert np.array_equal(np.load(tmp_path / "back.npy"), a)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: np.save(p, np.array([1 + 1j])), "complex128 ('<c16') is not supported"),
        (lambda p: np.save(p, np.zeros(2, dtype=[("a", "<f4")])), "structured dtype"),
        (lambda p: open(p, "wb").write(b"\x93NUMPY\x01\x00\x10"), "truncated .npy header"),
        (lambda p: open(p, "wb").write(b"hello world, not numpy"), "not a NumPy .npy file"),
    ],
)
def test_broken_files_are_errors_naming_the_file(tmp_path, make, message):
    make(tmp_path / "bad.npy")
    result = kls('load("bad.npy")', tmp_path)
    assert result.returncode == 1
    assert "bad.npy" in result.stderr and message in result.stderr, result.stderr


def test_memory_limit_checked_from_the_header(tmp_path):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }"
    header += " " * (118 - len(header)) + "\n"
    open(tmp_path / "huge.npy", "wb").write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
    result = subprocess.run([KLS, "-e", 'load("huge.npy")'], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "KLS_MAX_MEMORY": "1G"})
    assert result.returncode == 1
    assert "huge.npy: shape [100000, 100000] of float64 needs 74.5 GiB" in result.stderr, result.stderr


def test_a_failed_save_leaves_the_old_file(tmp_path):
    (tmp_path / "keep.csv").write_text("1,2\n")
    result = kls('save("keep.csv", zeros([2, 2, 2]))', tmp_path)
    assert result.returncode == 1
    assert (tmp_path / "keep.csv").read_text() == "1,2\n"
    assert sorted(os.listdir(tmp_path)) == ["keep.csv"]


def test_csv_errors_name_line_and_column(tmp_path):
    (tmp_path / "r.csv").write_text("# made by hand\na,b\n1,2\n3\n")
    result = kls('load("r.csv")', tmp_path)
    assert result.returncode == 1
    assert "r.csv, line 4, column 2: the row has 1 cell, the first row has 2" in result.stderr, result.stderr
