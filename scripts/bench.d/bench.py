"""kls against NumPy and CPython on this machine, in one run; prints ratios.

Each figure is the best of several repetitions (the least disturbed run).
A ratio above 1 means kls is slower than the reference.
"""
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
KLS = sys.argv[1]


def best(f, reps):
    f()
    b = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        f()
        b = min(b, time.perf_counter() - t)
    return b


def kls_times():
    out = subprocess.run([KLS, os.path.join(HERE, "kls_bench.kls")], check=True, capture_output=True, text=True).stdout
    return {line.split()[0]: float(line.split()[1]) for line in out.splitlines() if line.strip()}


def python_loop():
    s = 0
    for i in range(1000000):
        s = s + i
    return s


def numpy_kl_mc(estimator, n=10**7, d=16, chunk=100_000):
    """The same estimate in NumPy, chunked: draw, transform, log-ratio, reduce."""
    mq, sq = np.full(d, 0.1), np.exp(0.5 * np.full(d, -0.2))
    rng = np.random.default_rng(1)
    total = 0.0
    for start in range(0, n, chunk):
        eps = rng.standard_normal((min(chunk, n - start), d))
        z = mq + sq * eps
        log_ratio = (0.5 * (z * z - eps * eps)).sum(1) - np.log(sq).sum()
        terms = log_ratio if estimator == "k1" else np.expm1(-log_ratio) + log_ratio
        total += terms.sum()
    return total / n


def reference_times():
    x = np.random.default_rng(1).standard_normal(10**7)
    a = np.random.default_rng(2).standard_normal((512, 512))
    b = np.random.default_rng(3).standard_normal((512, 512))
    return {
        "elementwise": best(lambda: np.exp(x) * 2 + 1, 40),
        "sum": best(lambda: np.sum(x), 20),
        "mean": best(lambda: np.mean(x), 20),
        "matmul": best(lambda: a @ b, 20),
        "loop": best(python_loop, 5),
        "kl_mc_k1": best(lambda: numpy_kl_mc("k1"), 3),
        "kl_mc_k3": best(lambda: numpy_kl_mc("k3"), 3),
    }


def startup():
    best_time = float("inf")
    for _ in range(20):
        t = time.perf_counter()
        subprocess.run([KLS, "-e", "1"], check=True, capture_output=True)
        best_time = min(best_time, time.perf_counter() - t)
    return best_time


def main():
    ours = kls_times()
    theirs = reference_times()
    rows = [
        ("elementwise", "exp(x) * 2 + 1, 1e7 elements", "NumPy", 1.2),
        ("sum", "sum(x), 1e7 elements", "NumPy", 1.2),
        ("mean", "mean(x), 1e7 elements", "NumPy", 1.2),
        ("matmul", "x @ y, 512x512", "NumPy", None),
        ("loop", "1e6-iteration loop s = s + i", "CPython", 1.0),
        ("kl_mc_k1", "kl_mc k1, DiagNormal(16), n=1e7", "NumPy", 1 / 8),
        ("kl_mc_k3", "kl_mc k3, DiagNormal(16), n=1e7", "NumPy", 1 / 8),
    ]
    print(f"{'benchmark':34} {'kls':>10} {'reference':>14} {'ratio':>7}  goal")
    for key, label, who, goal in rows:
        k, r = ours[key], theirs[key]
        ratio = k / r
        verdict = "" if goal is None else (f"≤ {goal:.3g}×  " + ("met" if ratio <= goal else "MISSED"))
        print(f"{label:34} {k * 1e3:8.2f}ms {r * 1e3:8.2f}ms {who:<5} {ratio:6.3f}×  {verdict}")
        if key.startswith("kl_mc"):
            dims = 1.6e8
            print(f"{'':34} {k / dims * 1e9:8.2f}ns {r / dims * 1e9:8.2f}ns  per sample·dimension (C loop ≈ 8 ns)")
    s = startup()
    print(f"{'startup: kls -e 1':34} {s * 1e3:8.2f}ms {'':14} {'':7}  < 20 ms  " + ("met" if s < 0.020 else "MISSED"))


if __name__ == "__main__":
    main()
