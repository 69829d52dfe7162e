"""The released kls (the launcher and the build it picks) against this tree's
tuned build, on this machine in one run: release_rows.kls's rows, each the best
of several calls inside one process, and the process over ROUNDS rounds,
alternating which binary goes first; then the start-up time (`kls -e 1`, best
of 20 per round). Goals (issue 35): every row within 5%, start-up within 1.5×.
On this VM a copy of one binary against itself varies by up to 8% in a row from
run to run (measured with three binaries alternated), so read one MISSED
against another run before believing it.

    python3 release.py TUNED RELEASED [ROUNDS]     (scripts/bench --release does this)
"""
import collections
import os
import shutil
import sys

TUNED, RELEASED = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 6
sys.argv = [sys.argv[0], TUNED]
import bench  # noqa: E402  (bench reads its kls binary from argv when imported)

ROWS = os.path.join(bench.HERE, "release_rows.kls")


def main():
    best = collections.defaultdict(dict)
    for round_ in range(ROUNDS):
        for binary in (TUNED, RELEASED) if round_ % 2 == 0 else (RELEASED, TUNED):
            bench.KLS = binary
            times = {**bench.kls_run(ROWS), "startup: kls -e 1": bench.startup()}
            for key, value in times.items():
                best[key][binary] = min(best[key].get(binary, float("inf")), value)
    print(f"{'row':20} {'tuned':>10} {'released':>10} {'ratio':>6}  goal")
    missed = []
    for key, row in best.items():
        ratio = row[RELEASED] / row[TUNED]
        goal = 1.5 if key.startswith("startup") else 1.05
        verdict = "met" if ratio <= goal else "MISSED"
        if verdict == "MISSED":
            missed.append(key)
        print(f"{key:20} {row[TUNED] * 1e3:8.2f}ms {row[RELEASED] * 1e3:8.2f}ms {ratio:6.3f}  ≤ {goal:g}× {verdict}")
    print(f"{ROUNDS} rounds; missed: {', '.join(missed) or 'none'}")
    shutil.rmtree(bench.FILES, ignore_errors=True)


if __name__ == "__main__":
    main()
