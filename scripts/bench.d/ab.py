"""One build of kls against another, row by row, on this machine in one run:
each round runs every kls row of bench.py with A and then B (B first in odd
rounds), and each row keeps its best time, so a one-time cost of fresh memory
or a busy moment falls on neither side alone. Prints B ÷ A and flags a row
more than 3% slower.

    python3 ab.py A_BINARY B_BINARY [ROUNDS]     (scripts/bench --ab REV does this)
"""
import math
import shutil
import sys

A, B = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
sys.argv = [sys.argv[0], A]
import bench  # noqa: E402  (bench reads its kls binary from argv when imported)


def main():
    bench.OPTIONAL_ROWS = True
    bench.make_files()
    best = {A: {}, B: {}}
    for round_ in range(ROUNDS):
        for binary in (A, B) if round_ % 2 == 0 else (B, A):
            bench.KLS = binary
            for key, value in bench.kls_times().items():
                if key.endswith("_first"):  # a first call's time is one sample, too noisy to compare
                    continue
                best[binary][key] = min(best[binary].get(key, math.inf), value)
    print(f"{'row':28} {'A':>11} {'B':>11} {'B ÷ A':>7}")
    slower = []
    for key in sorted(best[A]):
        a, b = best[A][key], best[B].get(key, math.nan)
        unit, scale = ("MB", 1e-6) if key.endswith("memory") else ("ms", 1e3)
        ratio = b / a
        flag = "  slower by more than 3%" if ratio > 1.03 else ""
        if flag:
            slower.append(key)
        print(f"{key:28} {a * scale:9.2f}{unit} {b * scale:9.2f}{unit} {ratio:7.3f}{flag}")
    print(f"{len(best[A])} rows, {ROUNDS} rounds; more than 3% slower: {', '.join(slower) or 'none'}")
    shutil.rmtree(bench.FILES, ignore_errors=True)


if __name__ == "__main__":
    main()
