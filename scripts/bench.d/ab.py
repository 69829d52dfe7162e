"""One build of kls against another, row by row, on this machine in one run:
each round runs every kls row of bench.py with A and then B (B first in odd
rounds), and each row keeps its best time, so a one-time cost of fresh memory
or a busy moment falls on neither side alone. Prints B ÷ A and flags a row
more than 3% slower.

    python3 ab.py A_BINARY B_BINARY [ROUNDS [PERCENT]]   (scripts/bench --ab REV, --release)

PERCENT (default 3) is how much slower a row may be before it is flagged; the
start-up time (`kls -e 1`, best of 20, alternated too) is compared last.
"""
import math
import shutil
import sys

A, B = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
PERCENT = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
sys.argv = [sys.argv[0], A]
import bench  # noqa: E402  (bench reads its kls binary from argv when imported)


def main():
    bench.OPTIONAL_ROWS = True
    bench.make_files()
    best = {A: {}, B: {}}
    startup = {A: math.inf, B: math.inf}
    for round_ in range(ROUNDS):
        for binary in (A, B) if round_ % 2 == 0 else (B, A):
            bench.KLS = binary
            startup[binary] = min(startup[binary], bench.startup())
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
        flag = f"  slower by more than {PERCENT:g}%" if ratio > 1 + PERCENT / 100 else ""
        if flag:
            slower.append(key)
        print(f"{key:28} {a * scale:9.2f}{unit} {b * scale:9.2f}{unit} {ratio:7.3f}{flag}")
    print(f"{len(best[A])} rows, {ROUNDS} rounds; more than {PERCENT:g}% slower: {', '.join(slower) or 'none'}")
    a, b = startup[A] * 1e3, startup[B] * 1e3
    print(f"{'startup: kls -e 1':28} {a:9.2f}ms {b:9.2f}ms {b / a:7.3f}")
    shutil.rmtree(bench.FILES, ignore_errors=True)


if __name__ == "__main__":
    main()
