"""Statement fuzzing: random statements built from the language's grammar and
its builtin declarations (read from `kls -e 'help()'`), with awkward values in
every argument position, run in batches through a kls binary in pipe mode.

A batch that dies of a signal, prints a sanitizer report, does not finish in
time or reports an error without `<stdin>:LINE:COL:` is bisected to the one
statement (after the prelude) that does it, which is written to the crashes
folder. Usage: grammar.py KLS SECONDS SEED CRASHES_DIR
"""
import os
import pathlib
import random
import re
import subprocess
import sys
import time

ATOMS = [
    "0/0", "1/0", "-1/0", "-1", "0", "-0", "1", "2", "0.5", "1e300", "1e-300", "2^53 + 1", "1e18", "3", "\"s\"",
    "\"k3\"", "none", "true", "[]", "zeros([0])", "zeros([3, 0])", "[1, [2, 3]]", "[1, 2, 3]", "[[1, 2], [3, 4]]",
    "Normal(0, 1)", "StdNormal(2)", "x", "d", "f", "l", "s", "x -> x", "randn([2, 3], seed=1)", "eye(2)",
    "arange(5)", "Mixture([1, 1], [Normal(0, 1), Normal(1, 2)])", "MvNormal([0, 0], eye(2))", "Categorical([1, 2])",
    "Gamma(0.5, 1)", "Beta(0.5, 0.5)", "Uniform(0, 1)", "1e308", "-1e308", "5e-324", "1e15", "2^31", "-2^63",
    "[2^40, 0]", "[0, 2^40]", "arange(1e5)", "randn(1e4, seed=2)", "zeros([2, 3, 0])", "[0/0]", "[1/0, -1/0]",
    "DiagNormal(zeros(3), 1)", "Bernoulli(0.3)", "StudentT(0.5)", "Laplace(0, 1)", "Exponential(1e-300)",
    "LogNormal(0, 1e3)", "kl_trace(Normal(0, 1), Normal(1, 1), 50, seed=1)",
    # Large enough to fuse (64 Ki elements, eight rows), at the top level and inside a function.
    "randn([9000, 8], seed=3)", "w", "h(w)", "h(x)",
]
OPERATORS = ["+", "-", "*", "/", "%", "^", "@", "==", "<", "and", "or"]
INDICES = ["0", "-1", "1:", "::-1", ":, 0", "5", "0, 0", "::0", "2^53", "1e300"]
MEMBERS = ["shape", "T", "mean", "value", "stderr", "length", "batch_shape", "foo", "loc", "components", "ci"]
PRELUDE = (
    "x = [1, 2, 3]; d = Normal(0, 1); f(a) = a; l = [1, \"a\"]; s = \"ab\"; w = randn([9000, 8], seed=4); "
    "h(a) = { t = tanh(a @ eye(8)) * 2; u = t[:, 0:1] + a; v = where(u > 0, u, -u); sum(v, axis=-1) }"
)


def signatures(kls):
    # Wide enough that no signature wraps (a wrapped one would drop its whole theme from the grammar).
    env = dict(os.environ, COLUMNS="1000")
    text = subprocess.run([kls, "-e", "help()"], capture_output=True, text=True, check=True, env=env).stdout
    found = []
    for line in text.splitlines():
        match = re.match(r"\s+([A-Za-z_]\w*)\((.*?)\)\s{2,}", line)
        if match:
            found.append((match.group(1), [p.strip() for p in match.group(2).split(",") if p.strip()]))
    return found


def call(rnd, sigs, depth):
    name, params = rnd.choice(sigs)
    positional, keywords = [], []
    for p in params:
        if p.endswith("..."):
            positional += [expression(rnd, sigs, depth - 1) for _ in range(rnd.randint(0, 3))]
        elif "=" in p:
            if rnd.random() < 0.4:
                keywords.append(p.split("=")[0] + "=" + expression(rnd, sigs, depth - 1))
        elif rnd.random() < 0.9:
            positional.append(expression(rnd, sigs, depth - 1))
    return f"{name}({', '.join(positional + keywords)})"


def expression(rnd, sigs, depth):
    r = rnd.random()
    if depth <= 0 or r < 0.3:
        return rnd.choice(ATOMS)
    if r < 0.6:
        return call(rnd, sigs, depth)
    if r < 0.75:
        left, right = expression(rnd, sigs, depth - 1), expression(rnd, sigs, depth - 1)
        return f"({left} {rnd.choice(OPERATORS)} {right})"
    if r < 0.82:
        return f"{expression(rnd, sigs, depth - 1)}[{rnd.choice(INDICES)}]"
    if r < 0.88:
        return f"{expression(rnd, sigs, depth - 1)}.{rnd.choice(MEMBERS)}"
    if r < 0.93:
        return "[" + ", ".join(expression(rnd, sigs, depth - 1) for _ in range(rnd.randint(0, 3))) + "]"
    return f"-{expression(rnd, sigs, depth - 1)}"


def statement(rnd, sigs):
    r = rnd.random()
    if r < 0.8:
        return expression(rnd, sigs, rnd.randint(1, 4))
    if r < 0.9:
        return f"{rnd.choice(['x', 'd', 'f', 'l', 's'])} = {expression(rnd, sigs, 3)}"
    return f"for i in arange(3) {{ {expression(rnd, sigs, 2)} }}"


def verdict(kls, statements, timeout):
    """None when the batch is fine, else what went wrong."""
    env = dict(os.environ, KLS_MAX_MEMORY="256M", COLUMNS="60", NO_COLOR="1")
    try:
        run = subprocess.run([kls], input="\n".join([PRELUDE] + statements) + "\n", capture_output=True,
                             text=True, errors="replace", timeout=timeout, env=env, cwd="/tmp")
    except subprocess.TimeoutExpired:
        return f"no answer in {timeout} s"
    if run.returncode not in (0, 1):
        return f"exit status {run.returncode}: {run.stderr[-600:]}"
    if "Sanitizer" in run.stderr:
        return run.stderr[-1500:]
    for line in run.stderr.splitlines():
        if "error:" in line and not line.startswith("<stdin>:"):
            return f"an error without a location: {line}"
    return None


def culprit(kls, statements, timeout):
    """The single statement that fails on its own (bisecting the batch)."""
    while len(statements) > 1:
        half = len(statements) // 2
        first, second = statements[:half], statements[half:]
        if verdict(kls, first, timeout):
            statements = first
        elif verdict(kls, second, timeout):
            statements = second
        else:
            return statements  # needs both halves: keep the batch
    return statements


def main():
    kls, seconds, seed = os.path.abspath(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    crashes = pathlib.Path(sys.argv[4])
    crashes.mkdir(parents=True, exist_ok=True)
    sigs = signatures(kls)
    rnd = random.Random(seed)
    deadline, batches, found = time.time() + seconds, 0, 0
    while time.time() < deadline:
        statements = [statement(rnd, sigs) for _ in range(200)]
        batches += 1
        problem = verdict(kls, statements, timeout=60)
        if problem:
            found += 1
            minimal = culprit(kls, statements, timeout=60)
            path = crashes / f"grammar-{seed}-{batches}.kls"
            path.write_text(PRELUDE + "\n" + "\n".join(minimal) + "\n")
            print(f"fuzz: {problem.splitlines()[0] if problem else ''}\n  reproducer {path}:", file=sys.stderr)
            print("  " + "\n  ".join(minimal)[:600], file=sys.stderr)
    print(f"fuzz: {batches * 200} grammar statements, {found} failing batches", file=sys.stderr)
    sys.exit(1 if found else 0)


main()
