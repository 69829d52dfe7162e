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
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def rows(binary):
    env = dict(os.environ, KLS_MAX_MEMORY="8G")
    out = subprocess.run([binary, os.path.join(HERE, "release_rows.kls")], capture_output=True, text=True,
                         env=env, check=True).stdout
    return {key: float(value) for key, value in (line.split() for line in out.splitlines())}


def startup(binary):
    best = float("inf")
    for _ in range(20):
        t = time.perf_counter()
        subprocess.run([binary, "-e", "1"], check=True, capture_output=True)
        best = min(best, time.perf_counter() - t)
    return {"startup: kls -e 1": best}


def main():
    tuned, released = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    best = collections.defaultdict(dict)
    for round_ in range(rounds):
        for binary in (tuned, released) if round_ % 2 == 0 else (released, tuned):
            for key, value in {**rows(binary), **startup(binary)}.items():
                best[key][binary] = min(best[key].get(binary, float("inf")), value)
    print(f"{'row':20} {'tuned':>10} {'released':>10} {'ratio':>6}  goal")
    missed = []
    for key, row in best.items():
        ratio = row[released] / row[tuned]
        goal = 1.5 if key.startswith("startup") else 1.05
        verdict = "met" if ratio <= goal else "MISSED"
        if verdict == "MISSED":
            missed.append(key)
        print(f"{key:20} {row[tuned] * 1e3:8.2f}ms {row[released] * 1e3:8.2f}ms {ratio:6.3f}  ≤ {goal:g}× {verdict}")
    print(f"{rounds} rounds; missed: {', '.join(missed) or 'none'}")


if __name__ == "__main__":
    main()
