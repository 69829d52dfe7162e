"""kls against NumPy and CPython on this machine, in one run; prints ratios.

Each figure is the best of several repetitions (the least disturbed run).
A ratio above 1 means kls is slower than the reference.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from models import ROOT, jax_hvae, joint_chunk, joint_weights

HERE = os.path.dirname(os.path.abspath(__file__))
# A row's key names kls's time; these suffixes name a peer's time for the same work.
PEER_SUFFIX = re.compile(r"_(torch|jax|lua|c)$")
KLS = sys.argv[1]
# Data files for the load/save rows: kls runs in this folder, NumPy works in it too.
FILES = tempfile.mkdtemp(prefix="kls-bench-")


class Timing(float):
    """The best of the warm calls, carrying the first call's time (`first`)."""

    def __new__(cls, warm, first):
        timing = super().__new__(cls, warm)
        timing.first = first
        return timing


def best(f, reps):
    t = time.perf_counter()
    f()
    first = time.perf_counter() - t
    b = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        f()
        b = min(b, time.perf_counter() - t)
    return Timing(b, first)


def make_files():
    """1e6 rows × 8 columns of CSV, as np.savetxt writes them (both tools read the same file)."""
    rows = np.random.default_rng(5).standard_normal((10**6, 8))
    np.savetxt(os.path.join(FILES, "rows.csv"), rows, delimiter=",", fmt="%.17g")


# Set by ab.py: an older revision may lack the builtins a newer script times.
OPTIONAL_ROWS = False


def kls_run(path_or_code, *, code=False, prefix=(), memory_key=None, default_limit=False, optional=False):
    """The name-seconds lines kls prints; with `memory_key`, also the process's peak RSS in bytes.
    kls runs with an 8 GiB memory limit, or with `default_limit` under its default (2 GiB)."""
    env = {k: v for k, v in os.environ.items() if k != "KLS_MAX_MEMORY"}
    if not default_limit:
        env["KLS_MAX_MEMORY"] = "8G"
    arguments = [*prefix, KLS, "-e", path_or_code] if code else [*prefix, KLS, path_or_code]
    try:
        times, peak = measured_run(arguments, env)
    except subprocess.CalledProcessError:
        if optional:
            return {}
        raise
    if memory_key:
        times[memory_key] = peak
    return times


def measured_run(arguments, env=None):
    """Runs a process in FILES; returns the name-seconds lines it prints and its peak RSS in bytes."""
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(arguments, stdout=output, stderr=errors, cwd=FILES, env=env)
        peak = 0
        # VmHWM is the high-water mark of the process's own memory. (A child's ru_maxrss
        # would include this Python's memory, which the child had before exec.)
        while process.poll() is None:
            peak = max(peak, high_water_mark(process.pid))
            time.sleep(0.01)
        output.seek(0)
        out = output.read().decode()
        if process.returncode:
            errors.seek(0)
            raise subprocess.CalledProcessError(process.returncode, arguments, out, errors.read().decode())
    times = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 2:
            times[fields[0]] = float(fields[1])
    return times, peak


def high_water_mark(pid):
    """Peak resident memory so far of process `pid`, in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def kls_save_new_file(reps=3):
    """save of a 1e8-element .npy to a new file, best of reps. Replacing an existing
    file costs more on ext4, which flushes a file renamed over another
    (auto_da_alloc): the price of never leaving a partial file."""
    times = []
    code = (
        'x = randn(1e8, seed=4); t = clock(); save("kls-big.npy", x); print("save_npy", clock() - t); '
        't = clock(); save("kls-big.npy", x); print("save_npy_replace", clock() - t)'
    )
    for _ in range(reps):
        if os.path.exists(os.path.join(FILES, "kls-big.npy")):
            os.remove(os.path.join(FILES, "kls-big.npy"))
        times.append(kls_run(code, code=True))
    return {key: min(t[key] for t in times) for key in times[0]}


def kls_times():
    one_core = os.path.join(HERE, "kls_one_core.kls")
    times = {**kls_save_new_file(), **kls_run(os.path.join(HERE, "kls_bench.kls")), **kls_run(one_core),
             **kls_run(os.path.join(HERE, "joint_model.kls"), memory_key="joint_memory"),
             **kls_run(hvae_script(), code=True), **kls_run(os.path.join(HERE, "divergence_bench.kls"),
                                                           optional=OPTIONAL_ROWS)}
    if shutil.which("taskset"):
        times.update({key + "_1core": t for key, t in kls_run(one_core, prefix=["taskset", "-c", "0"]).items()})
    return times


def touch_memory(gigabytes=2):
    """Has the guest back `gigabytes` of fresh memory, so that no process timed after
    it pays the VM's first touch (1.4 s for 800 MB in C, 0.3 s after) that another
    one already paid."""
    subprocess.run([sys.executable, "-c", f"bytearray({gigabytes} << 30)"], check=True)


def tensor_model_times(rounds=2):
    """The three-layer model as tensor code: kls and its peers each in a fresh process,
    alternated over `rounds`; the best first-run and warm time of each, and the
    least peak memory."""
    touch_memory()
    peers = ["numpy"] + (["jax", "jax_chunk", "hvae_jax", "jax_grad"] if importable("jax") else [])
    best_of = {}
    for _ in range(rounds):
        runs = [kls_run(os.path.join(HERE, "tensor_model.kls"), memory_key="tensor_model_memory"),
                kls_run(rooted_script("tensor_hvae.kls"), code=True, memory_key="tensor_hvae_memory",
                        default_limit=True),
                kls_run(os.path.join(HERE, "tensor_model_grad.kls"), memory_key="tensor_model_grad_memory")]
        for peer in peers:
            times, peak = measured_run([sys.executable, os.path.join(HERE, "tensor_peers.py"), peer])
            runs.append({**times, ("tensor_model_grad_jax_memory" if peer == "jax_grad"
                                   else f"tensor_model_{peer}_memory"): peak})
        for times in runs:
            for key, value in times.items():
                best_of[key] = min(best_of.get(key, float("inf")), value)
    return best_of


def importable(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def lua_times():
    """Lua 5.4 (Debian's lua5.4, which scripts/setup --bench installs) on fib(25) and the loop."""
    lua = shutil.which("lua5.4") or shutil.which("lua")
    if lua is None:
        return {"fib_lua": None, "loop_lua": None, "loopcall_lua": None}
    code = """
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local function loop() local s = 0 for i = 0, 999999 do s = s + i end return s end
local g = function(x) return x * 2 + 1 end
local function loopcall() local s = 0 for i = 0, 999999 do s = s + g(i) end return s end
local function best(f, reps)
  f() local b = math.huge
  for _ = 1, reps do local t = os.clock() f() b = math.min(b, os.clock() - t) end
  return b
end
print("fib_lua", best(function() return fib(25) end, 5))
print("loop_lua", best(loop, 5))
print("loopcall_lua", best(loopcall, 5))
"""
    out = subprocess.run([lua, "-e", code], check=True, capture_output=True, text=True).stdout
    return {line.split()[0]: float(line.split()[1]) for line in out.splitlines() if line.strip()}


def c_loop_time():
    """The vectorised Box–Muller C loop (boxmuller.c), compiled here on the spot."""
    compilers = [c for c in ("clang", "gcc", "cc") if shutil.which(c)]
    binary = os.path.join(FILES, "boxmuller")
    for compiler in compilers:
        flags = ["-fveclib=libmvec"] if compiler == "clang" else ["-fopenmp-simd"]
        command = [compiler, "-O3", "-march=native", "-ffast-math", *flags, "-pthread", "-o", binary,
                   os.path.join(HERE, "boxmuller.c"), "-lm"]
        if subprocess.run(command + ["-lmvec"], capture_output=True).returncode == 0 or \
                subprocess.run(command, capture_output=True).returncode == 0:
            out = subprocess.run([binary], check=True, capture_output=True, text=True).stdout.split()
            return float(out[1])
    return None


def python_fib(n):
    return n if n < 2 else python_fib(n - 1) + python_fib(n - 2)


def python_loop():
    s = 0
    for i in range(1000000):
        s = s + i
    return s


def python_loopcall():
    g = lambda x: x * 2 + 1  # noqa: E731 (a lambda, as in the kls row)
    s = 0
    for i in range(1000000):
        s = s + g(i)
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


def numpy_joint(n=10**6, chunk=100_000):
    w, rng, total = joint_weights(np), np.random.default_rng(1), 0.0
    for start in range(0, n, chunk):
        c = min(chunk, n - start)
        total += joint_chunk(np, w, *(rng.standard_normal((c, 8)) for _ in range(3)))
    return total / n


def torch_joint(n=10**6, chunk=100_000):
    import torch
    w, total = {k: torch.from_numpy(v) for k, v in joint_weights(np).items()}, 0.0
    g = torch.Generator().manual_seed(1)
    for start in range(0, n, chunk):
        c = min(chunk, n - start)
        total += float(joint_chunk(torch, w, *(torch.randn(c, 8, generator=g, dtype=torch.float64) for _ in range(3))))
    return total / n


def jax_joint(n=10**6, chunk=100_000):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    w = joint_weights(jnp)
    step = jax.jit(lambda e1, e2, e3: joint_chunk(jnp, w, e1, e2, e3))
    key, total = jax.random.PRNGKey(1), 0.0
    for start in range(0, n, chunk):
        c = min(chunk, n - start)
        key, *keys = jax.random.split(key, 4)
        total += float(step(*(jax.random.normal(k, (c, 8), dtype=jnp.float64) for k in keys)))
    return total / n


# The trained two-layer VAE (examples/trained-hvae, issue 29): per-image KL of 16
# digits, q bottom-up, p top-down, n = 1e5, float64, in chunks of 4096 draws.


def hvae_script():
    """trained_hvae.kls with its data files' paths made absolute (kls runs in FILES)."""
    return rooted_script("trained_hvae.kls")


def rooted_script(name):
    """A script of this folder with its data files' paths made absolute (kls runs in FILES)."""
    with open(os.path.join(HERE, name)) as f:
        return f.read().replace('"examples/', '"' + os.path.join(ROOT, "examples") + "/")


# The gradient of kl_mc(DiagNormal(m, logvar=lv), StdNormal(16), n=1e6).value in m
# and lv (issue 15), reparameterised k1, chunked: the peers' autodiff per chunk.
GRAD_N, GRAD_D, GRAD_CHUNK = 10**6, 16, 100_000


def grad_terms(xp, m, lv, eps):
    z = m + xp.exp(0.5 * lv) * eps
    log_q = (-0.5 * eps * eps - 0.5 * lv).sum(-1)
    log_p = (-0.5 * z * z).sum(-1)
    return (log_q - log_p).sum()


def torch_grad():
    import torch
    g = torch.Generator().manual_seed(1)
    m = torch.full((GRAD_D,), 0.1, dtype=torch.float64, requires_grad=True)
    lv = torch.full((GRAD_D,), -0.2, dtype=torch.float64, requires_grad=True)
    for start in range(0, GRAD_N, GRAD_CHUNK):
        eps = torch.randn(min(GRAD_CHUNK, GRAD_N - start), GRAD_D, generator=g, dtype=torch.float64)
        (grad_terms(torch, m, lv, eps) / GRAD_N).backward()
    return m.grad, lv.grad


def torch_gamma_grad():
    """kl_mc(Gamma(1.7, 2), Gamma(3, 1)) k1's gradient in shape and rate, n = 1e6, by PyTorch's implicit rsample."""
    import torch
    torch.manual_seed(1)
    a = torch.tensor(1.7, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    p = torch.distributions.Gamma(torch.tensor(3.0, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64))
    q = torch.distributions.Gamma(a, b)
    z = q.rsample((GRAD_N,))
    return torch.autograd.grad((q.log_prob(z) - p.log_prob(z)).mean(), [a, b])


def jax_grad():
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    step = jax.jit(jax.grad(lambda m, lv, eps: grad_terms(jnp, m, lv, eps) / GRAD_N, argnums=(0, 1)))
    m, lv = jnp.full(GRAD_D, 0.1), jnp.full(GRAD_D, -0.2)
    key, gm, glv = jax.random.PRNGKey(1), 0.0, 0.0
    for start in range(0, GRAD_N, GRAD_CHUNK):
        key, sub = jax.random.split(key)
        dm, dlv = step(m, lv, jax.random.normal(sub, (min(GRAD_CHUNK, GRAD_N - start), GRAD_D), dtype=jnp.float64))
        gm, glv = gm + dm, glv + dlv
    return gm.block_until_ready(), glv.block_until_ready()


# Pairs without a fused kernel (issue 13's table): kl_mc(q, p, n=1e7), k1. The
# peers sample q with their own samplers and evaluate hand-written log-densities.
LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def generic_terms(xp, special, pair, z):
    """log q(z) − log p(z) for one of the generic pairs, in NumPy or jax.numpy."""
    if pair == "gamma_lognormal":  # Gamma(2, 1) ‖ LogNormal(0, 1)
        lz = xp.log(z)
        return (lz - z - special.gammaln(2.0)) - (-lz - 0.5 * lz * lz - LOG_SQRT_2PI)
    if pair == "studentt_normal":  # StudentT(5) ‖ Normal(0, 1)
        nu = 5.0
        c = special.gammaln(3.0) - special.gammaln(2.5) - 0.5 * np.log(nu * np.pi)
        return (c - 3.0 * xp.log1p(z * z / nu)) - (-0.5 * z * z - LOG_SQRT_2PI)
    if pair == "beta_uniform":  # Beta(2, 3) ‖ Uniform(0, 1)
        return xp.log(z) + 2.0 * xp.log1p(-z) - (special.gammaln(2.0) + special.gammaln(3.0) - special.gammaln(5.0))
    if pair == "laplace_normal":  # Laplace(0, 1) ‖ Normal(0, 1)
        return (-xp.abs(z) - np.log(2.0)) - (-0.5 * z * z - LOG_SQRT_2PI)
    # Mixture([0.3, 0.7], [Normal(-1, 0.5), Normal(1, 1)]) ‖ Normal(0, 2)
    a = np.log(0.3) - 0.5 * ((z + 1) / 0.5) ** 2 - np.log(0.5) - LOG_SQRT_2PI
    b = np.log(0.7) - 0.5 * (z - 1) ** 2 - LOG_SQRT_2PI
    return xp.logaddexp(a, b) - (-0.5 * (z / 2) ** 2 - np.log(2.0) - LOG_SQRT_2PI)


def numpy_draws(rng, pair, c):
    if pair == "gamma_lognormal":
        return rng.gamma(2.0, 1.0, c)
    if pair == "studentt_normal":
        return rng.standard_t(5.0, c)
    if pair == "beta_uniform":
        return rng.beta(2.0, 3.0, c)
    if pair == "laplace_normal":
        return rng.laplace(0.0, 1.0, c)
    first = rng.random(c) < 0.3
    return np.where(first, rng.normal(-1.0, 0.5, c), rng.normal(1.0, 1.0, c))


def numpy_generic(pair, n=10**7, chunk=100_000):
    import scipy.special
    rng, total = np.random.default_rng(1), 0.0
    for start in range(0, n, chunk):
        total += generic_terms(np, scipy.special, pair, numpy_draws(rng, pair, min(chunk, n - start))).sum()
    return total / n


def jax_generic(pair, n=10**7, chunk=100_000):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import jax.scipy.special as jsp

    def draws(key, c):
        f64 = jnp.float64
        if pair == "gamma_lognormal":
            return jax.random.gamma(key, 2.0, (c,), dtype=f64)
        if pair == "studentt_normal":
            return jax.random.t(key, 5.0, (c,), dtype=f64)
        if pair == "beta_uniform":
            return jax.random.beta(key, 2.0, 3.0, (c,), dtype=f64)
        if pair == "laplace_normal":
            return jax.random.laplace(key, (c,), dtype=f64)
        k1, k2, k3 = jax.random.split(key, 3)
        first = jax.random.uniform(k1, (c,), dtype=f64) < 0.3
        return jnp.where(first, -1.0 + 0.5 * jax.random.normal(k2, (c,), f64), 1.0 + jax.random.normal(k3, (c,), f64))

    step = jax.jit(lambda key: generic_terms(jnp, jsp, pair, draws(key, chunk)).sum())
    key, total = jax.random.PRNGKey(1), 0.0
    for _ in range(0, n, chunk):
        key, sub = jax.random.split(key)
        total += float(step(sub))
    return total / n


GENERIC_PAIRS = [
    ("gamma_lognormal", "Gamma(2,1)‖LogNormal(0,1)"),
    ("studentt_normal", "StudentT(5)‖Normal(0,1)"),
    ("beta_uniform", "Beta(2,3)‖Uniform(0,1)"),
    ("laplace_normal", "Laplace(0,1)‖Normal(0,1)"),
    ("mixture_normal", "Mixture(2 normals)‖Normal(0,2)"),
]


def optional(name, f, reps):
    """A peer's time, or None when it is not installed (scripts/bench says how to add it)."""
    try:
        __import__(name)
    except ImportError:
        return None
    return best(f, reps)


def file_times():
    big = np.random.default_rng(4).standard_normal(10**8)
    path = os.path.join(FILES, "numpy-big.npy")
    saves = []
    for _ in range(3):  # to a new file each time, as kls's row
        if os.path.exists(path):
            os.remove(path)
        t = time.perf_counter()
        np.save(path, big)
        saves.append(time.perf_counter() - t)
    times = {
        "save_npy": min(saves),
        "save_npy_replace": best(lambda: np.save(path, big), 3),
        "load_npy": best(lambda: np.load(path), 3),
        "load_csv": best(lambda: np.loadtxt(os.path.join(FILES, "rows.csv"), delimiter=","), 2),
    }
    os.remove(path)
    return times


def reference_times():
    x = np.random.default_rng(1).standard_normal(10**7)
    a = np.random.default_rng(2).standard_normal((512, 512))
    b = np.random.default_rng(3).standard_normal((512, 512))
    a2 = np.random.default_rng(4).standard_normal((1024, 1024))
    b2 = np.random.default_rng(5).standard_normal((1024, 1024))
    positive = np.abs(x) + 0.5
    return {
        "exp_chain": best(lambda: np.exp(x) * 2 + 1, 20),
        "tanh": best(lambda: np.tanh(x), 20),
        "log": best(lambda: np.log(positive), 20),
        "sample_gamma": best(lambda: np.random.default_rng(1).gamma(2.0, 1.0, 10**7), 5),
        **lua_times(),
        "kl_mc_k1_c": c_loop_time(),
        "elementwise": best(lambda: np.exp(x) * 2 + 1, 40),
        "sum": best(lambda: np.sum(x), 20),
        "mean": best(lambda: np.mean(x), 20),
        "matmul": best(lambda: a @ b, 20),
        "matmul1024": best(lambda: a2 @ b2, 5),
        "fib": best(lambda: python_fib(25), 3),
        "randn": best(lambda: np.random.default_rng(1).standard_normal(10**8), 3),
        "loop": best(python_loop, 5),
        "loopcall": best(python_loopcall, 5),
        "kl_mc_k1": best(lambda: numpy_kl_mc("k1"), 3),
        "kl_mc_k3": best(lambda: numpy_kl_mc("k3"), 3),
        "joint_k1": best(numpy_joint, 2),
        "joint_k1_torch": optional("torch", torch_joint, 2),
        "joint_k1_jax": optional("jax", jax_joint, 2),
        "hvae_k1_jax": optional("jax", jax_hvae, 3),
        **{key: best(lambda key=key: numpy_generic(key), 2) for key, _ in GENERIC_PAIRS},
        **{key + "_jax": optional("jax", lambda key=key: jax_generic(key), 2) for key, _ in GENERIC_PAIRS},
        **file_times(),
        "grad_kl_mc_torch": optional("torch", torch_grad, 3),
        "grad_kl_mc_jax": optional("jax", jax_grad, 3),
        "grad_gamma_torch": optional("torch", torch_gamma_grad, 3),
    }


def startup():
    best_time = float("inf")
    for _ in range(20):
        t = time.perf_counter()
        subprocess.run([KLS, "-e", "1"], check=True, capture_output=True)
        best_time = min(best_time, time.perf_counter() - t)
    return best_time


def main():
    # Every process after this one finds the guest's memory touched (see touch_memory).
    touch_memory()
    make_files()
    ours = kls_times()
    theirs = reference_times()
    rows = [
        ("elementwise", "exp(x) * 2 + 1, 1e7 elements", "NumPy", 1.2),
        ("sum", "sum(x), 1e7 elements", "NumPy", 1.2),
        ("mean", "mean(x), 1e7 elements", "NumPy", 1.2),
        ("matmul", "x @ y, 512x512", "NumPy", 1.1),
        ("matmul1024", "x @ y, 1024x1024", "NumPy", 1.1),
        ("exp_chain_1core", "exp(x) * 2 + 1, 1e7, one core", "NumPy", 1.0),
        ("tanh_1core", "tanh(x), 1e7, one core", "NumPy", 1.0),
        ("log_1core", "log(x), 1e7, one core", "NumPy", 1.0),
        ("tanh", "tanh(x), 1e7, two cores", "NumPy", 1.0),
        ("log", "log(x), 1e7, two cores", "NumPy", 1.0),
        ("fib", "recursive fib(25)", "CPython", 1.0),
        ("fib_lua", "the same", "Lua 5.4", None),
        ("randn", "randn(1e8)", "NumPy", 1.0),
        ("sample_gamma", "sample(Gamma(2,1), 1e7)", "NumPy", 1.0),
        ("loop", "1e6-iteration loop s = s + i", "CPython", 0.5),
        ("loop_lua", "the same", "Lua 5.4", None),
        ("loopcall", "1e6 calls of x -> x * 2 + 1 in a loop", "CPython", 1.0),
        ("loopcall_lua", "the same", "Lua 5.4", None),
        ("kl_mc_k1", "kl_mc k1, DiagNormal(16), n=1e7", "NumPy", 1 / 8),
        ("kl_mc_k1_c", "the same", "C loop", 1.3),
        ("kl_mc_k3", "kl_mc k3, DiagNormal(16), n=1e7", "NumPy", 1 / 8),
        ("joint_k1", "joint, 3 layers of 8, k1, n=1e6", "NumPy", 1.0),
        ("joint_k1_torch", "the same", "PyTorch", 1.0),
        ("joint_k1_jax", "the same", "JAX", 1.0),
        ("hvae_k1_jax", "trained HVAE per image, 16 images, n=1e5", "JAX", 0.5),
    ]
    for key, label in GENERIC_PAIRS:
        rows += [(key, f"kl_mc {label}, n=1e7", "NumPy", 0.5), (key + "_jax", "the same", "JAX", 1.0)]
    rows += [
        ("save_npy", "save .npy, 1e8 float64, new file", "NumPy", 1.5),
        ("save_npy_replace", "save .npy, replacing the file", "NumPy", None),
        ("load_npy", "load .npy, 1e8 float64", "NumPy", 1.5),
        ("load_csv", "load .csv, 1e6 rows x 8 (np.loadtxt)", "NumPy", 1.0),
        ("grad_kl_mc_torch", "grad of kl_mc k1, DiagNormal(16), n=1e6", "PyTorch", 1.0),
        ("grad_kl_mc_jax", "the same", "JAX", 1.0),
        ("grad_gamma_torch", "grad of kl_mc k1, Gamma pair (implicit), n=1e6", "PyTorch", None),
    ]
    print(f"{'benchmark':44} {'kls':>10} {'reference':>14} {'ratio':>7}  goal")
    for key, label, who, goal in rows:
        if key.endswith("_1core"):  # kls on one core against the peer (NumPy's is one core anyway)
            k, r = ours.get(key), theirs[key.removesuffix("_1core")]
            if k is None:
                print(f"{label:44} {'':10} {'':14} {'':7}  needs taskset (util-linux) to pin kls to one core")
                continue
        else:
            k, r = ours[PEER_SUFFIX.sub("", key)], theirs[key]
        if r is None:
            missing = f"{who} not installed (scripts/bench --peers tries to add it)"
            print(f"{label:44} {k * 1e3:8.2f}ms {'':14} {'':7}  {missing}")
            continue
        ratio = k / r
        verdict = "" if goal is None else (f"≤ {goal:.3g}×  " + ("met" if ratio <= goal else "MISSED"))
        print(f"{label:44} {k * 1e3:8.2f}ms {r * 1e3:8.2f}ms {who:<5} {ratio:6.3f}×  {verdict}"
              + first_run(ours.get(PEER_SUFFIX.sub("", key) + "_first"), getattr(r, "first", None)))
        if key in ("kl_mc_k1", "kl_mc_k3"):
            dims = 1.6e8
            print(f"{'':44} {k / dims * 1e9:8.2f}ns {r / dims * 1e9:8.2f}ns  per sample·dimension")
        if key == "kl_mc_k1_c":
            print(f"{'':44} {k / 1.6e8 * 1e9:8.2f}ns {r / 1.6e8 * 1e9:8.2f}ns  per sample·dimension")
    # Flat cost per sample·dim: d = 1 and d = 1024 against kls's own d = 16 row.
    per16 = ours["kl_mc_k1"] / 1.6e8
    for d in [1, 1024]:
        per = ours[f"kl_mc_d{d}"] / 1.6e8
        ratio = per / per16
        verdict = f"≤ 1.5× d=16  " + ("met" if ratio <= 1.5 else "MISSED")
        label = f"kl_mc k1 per sample·dim, d={d}"
        print(f"{label:44} {per * 1e9:8.2f}ns {per16 * 1e9:8.2f}ns d=16  {ratio:6.3f}×  {verdict}")
    # The trained HVAE's per-layer and analytic estimates against its plain one (goal: at most 1.3×).
    for key, label in [("hvae_per_layer", "per_layer=true"), ("hvae_analytic", "estimator=\"analytic\"")]:
        ratio = ours[key] / ours["hvae_k1"]
        print(f"{'trained HVAE, ' + label + ' ÷ plain k1':44} {ours[key] * 1e3:8.2f}ms "
              f"{ours['hvae_k1'] * 1e3:8.2f}ms k1   {ratio:6.3f}×  ≤ 1.3×  " + ("met" if ratio <= 1.3 else "MISSED"))
    # The joint model's peak memory, the whole kls process (goal: under 100 MB).
    memory = ours["joint_memory"] / 1e6
    print(f"{'joint, 3 layers of 8: peak memory of kls':44} {memory:8.1f}MB {'':14} {'':7}  < 100 MB  "
          + ("met" if memory < 100 else "MISSED"))
    # The gradient against its own forward pass (goal: at most 3×).
    ratio = ours["grad_kl_mc"] / ours["kl_mc_d16_1e6"]
    print(f"{'grad of kl_mc ÷ kl_mc itself (n=1e6, d=16)':44} {ours['grad_kl_mc'] * 1e3:8.2f}ms "
          f"{ours['kl_mc_d16_1e6'] * 1e3:8.2f}ms fwd  {ratio:6.3f}×  ≤ 3×  " + ("met" if ratio <= 3 else "MISSED"))
    # Each Monte Carlo divergence against kl_mc on the same pair and n (goal: at most 1.3×).
    for kind, base in [(k, "kl_mc_k1") for k in ("renyi", "chi2", "hellinger", "bhattacharyya", "tv", "neyman", "js",
                                                 "jeffreys")] + [("laplace_hellinger", "laplace_normal"),
                                                                 ("laplace_js", "laplace_normal")]:
        key = "divergence_" + kind
        if key not in ours:
            continue
        ratio = ours[key] / ours[base]
        label = f"divergence_mc {kind.replace('_', ' ')} ÷ kl_mc"
        print(f"{label:44} {ours[key] * 1e3:8.2f}ms {ours[base] * 1e3:8.2f}ms kl_mc {ratio:6.3f}×  ≤ 1.3×  "
              + ("met" if ratio <= 1.3 else "MISSED"))
    # Gaussian-mixture KL tables and a fit (goal: a 16 × 16 × 16 table under a second; no peer has them).
    for key, label in [("mixture_kl_diag", "kl_mixture 16 comps × 16 dims, diagonal"),
                       ("mixture_kl_full", "kl_mixture 16 comps × 16 dims, full cov")]:
        if key in ours:
            print(f"{label:44} {ours[key] * 1e3:8.2f}ms {'':14} {'':7}  < 1 s  "
                  + ("met" if ours[key] < 1 else "MISSED"))
    # Scrambled Sobol against independent draws for the same time (goal: 10× lower stderr).
    if "sobol_d16" in ours:
        gain = (ours["plain_d16_stderr"] / ours["sobol_d16_stderr"]) * (ours["kl_mc_k1"] / ours["sobol_d16"]) ** 0.5
        print(f"{'kl_mc sobol n=1e6 vs plain n=1e7, DiagNormal(16)':44} {ours['sobol_d16'] * 1e3:8.2f}ms "
              f"{ours['kl_mc_k1'] * 1e3:8.2f}ms plain  stderr {ours['sobol_d16_stderr']:.2e} · "
              f"{ours['plain_d16_stderr']:.2e}: {gain:5.1f}× lower at equal time  ≥ 10×  "
              + ("met" if gain >= 10 else "MISSED"))
    # k-NN KL from samples: n = m = 1e5 in 16 dims (goal: under 2 s), and 2e4 against NumPy.
    if "kl_samples_1e5" in ours:
        t = ours["kl_samples_1e5"]
        print(f"{'kl_samples knn, n=m=1e5 in 16 dims':44} {t * 1e3:8.2f}ms {'':14} {'':7}  < 2 s  "
              + ("met" if t < 2 else "MISSED"))
        print(f"{'kl_samples bias_reduced, n=m=1e5 in 16 dims':44} {ours['kl_samples_1e5_reduced'] * 1e3:8.2f}ms")
        numpy = numpy_knn_seconds(20000, 16)
        ratio = ours["kl_samples_2e4"] / numpy
        print(f"{'kl_samples knn, n=m=2e4 in 16 dims':44} {ours['kl_samples_2e4'] * 1e3:8.2f}ms "
              f"{numpy * 1e3:8.2f}ms NumPy {ratio:6.3f}×")
    # ELBO surgery: N = 1e4 data points, 16 latents, n = 2000 draws, against NumPy written by hand.
    if "kl_decomposition_1e4" in ours:
        numpy = numpy_decomposition_seconds(10000, 16, 2000)
        ratio = ours["kl_decomposition_1e4"] / numpy
        print(f"{'kl_decomposition N=1e4, d=16, n=2000':44} {ours['kl_decomposition_1e4'] * 1e3:8.2f}ms "
              f"{numpy * 1e3:8.2f}ms NumPy {ratio:6.3f}×")
    if "fit_reverse" in ours:
        print(f"{'fit Normal to two bumps, 9 starts, n=1e4':44} {ours['fit_reverse'] * 1e3:8.2f}ms")
    print_tensor_model(tensor_model_times())
    subprocess.run(["rm", "-rf", FILES])
    s = startup()
    print(f"{'startup: kls -e 1':44} {s * 1e3:8.2f}ms {'':14} {'':7}  < 20 ms  " + ("met" if s < 0.020 else "MISSED"))


def numpy_knn_seconds(n, d, k=1, block=2048):
    """One NumPy run (15 s here: compute-bound, no warm-up needed) of the k-NN KL estimator: distances by blocked
    |x|² + |y|² − 2 x·y (one BLAS product per block, both cores), the k-th by
    np.partition — what a NumPy user writes (SciPy's cKDTree took minutes in 16-d)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, d))
    y = 0.3 + 1.2 * rng.standard_normal((n, d))

    def kth(queries, points, skip_self):
        out = np.empty(len(queries))
        norms = np.einsum("ij,ij->i", points, points)
        for start in range(0, len(queries), block):
            q = queries[start:start + block]
            squared = norms[None, :] - 2 * q @ points.T + np.einsum("ij,ij->i", q, q)[:, None]
            j = k if skip_self else k - 1
            out[start:start + block] = np.sqrt(np.maximum(np.partition(squared, j, axis=1)[:, j], 0))
        return out

    t = time.perf_counter()
    rho, nu = kth(x, x, True), kth(x, y, False)
    _ = d * np.mean(np.log(nu / rho)) + np.log(n / (n - 1))
    return time.perf_counter() - t


def numpy_decomposition_seconds(points, d, n, chunk=50):
    """The best of two NumPy runs of the ELBO-surgery terms as a researcher writes
    them: for chunks of draws, every component's log-density [chunk, N, d], then
    scipy's logsumexp over the points for log q(z) and each log q(z_j)."""
    from scipy.special import logsumexp
    rng = np.random.default_rng(1)
    mu = rng.standard_normal((points, d)) * np.r_[np.ones(d // 2), 0.01 * np.ones(d - d // 2)]
    sd = np.full((points, d), 0.3)

    def run():
        k = rng.integers(0, points, n)
        z = mu[k] + sd[k] * rng.standard_normal((n, d))
        totals = np.zeros(5)
        for start in range(0, n, chunk):
            zc, kc = z[start:start + chunk], k[start:start + chunk]
            parts = -0.5 * ((zc[:, None, :] - mu[None]) / sd[None]) ** 2 - np.log(sd[None]) - 0.5 * np.log(2 * np.pi)
            own = parts[np.arange(len(kc)), kc].sum(axis=1)
            joint = logsumexp(parts.sum(axis=2), axis=1) - np.log(points)
            marginals = logsumexp(parts, axis=1) - np.log(points)
            prior = (-0.5 * zc**2 - 0.5 * np.log(2 * np.pi)).sum(axis=1)
            totals += [np.sum(own - prior), np.sum(own - joint), np.sum(joint - prior),
                       np.sum(joint - marginals.sum(axis=1)), np.sum(marginals.sum(axis=1) - prior)]
        return totals / n

    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t)
    return best


def first_run(kls, peer):
    """The first calls' times and ratio (each the first call in its process, before
    any warm-up), or nothing when a side has none."""
    if kls is None or peer is None or peer <= 0:
        return ""
    return f"  first run {kls * 1e3:.1f} · {peer * 1e3:.1f} ms, {kls / peer:.3f}×"


def print_against_jax_chunks(t, label, key, goal):
    """Warm and first-run rows of kls's `key` against JAX's `key_jax` (jit, in chunks)."""
    for when, suffix in (("warm", ""), ("first run", "_first")):
        kls = t[key + suffix]
        if key + "_jax" not in t:
            print(f"{label + ', ' + when:44} {kls * 1e3:8.2f}ms {'':14} {'':7}  JAX not installed")
            continue
        ratio = kls / t[key + "_jax" + suffix]
        verdict = "" if suffix or goal is None else f"≤ {goal:.3g}×  " + ("met" if ratio <= goal else "MISSED")
        print(f"{label + ', ' + when:44} {kls * 1e3:8.2f}ms {t[key + '_jax' + suffix] * 1e3:8.2f}ms JAX "
              f"(chunks) {ratio:6.3f}×  {verdict}")


def print_tensor_model(t):
    """The tensor-code model's rows: warm and first-run times against each peer, peak memory."""
    label = "tensor-code model, 3 layers of 8, n=1e6"
    jax = [k for k in ("tensor_model_jax", "tensor_model_jax_chunk") if k in t]
    best_jax = min(jax, key=lambda k: t[k]) if jax else None
    for when, suffix in (("warm", ""), ("first run", "_first")):
        kls = t["tensor_model" + suffix]
        for peer, key, goal in (("NumPy", "tensor_model_numpy", None), ("JAX", best_jax, 0.5)):
            if key is None:
                print(f"{label + ', ' + when:44} {kls * 1e3:8.2f}ms {'':14} {'':7}  JAX not installed")
                continue
            ratio = kls / t[key + suffix]
            verdict = "" if goal is None or suffix else f"≤ {goal:.3g}×  " + ("met" if ratio <= goal else "MISSED")
            name = peer + (" (chunks)" if key.endswith("_chunk") else "")
            print(f"{label + ', ' + when:44} {kls * 1e3:8.2f}ms {t[key + suffix] * 1e3:8.2f}ms {name:<5} "
                  f"{ratio:6.3f}×  {verdict}")
    print_against_jax_chunks(t, "trained VAE as tensor code, 16 x 114,688", "tensor_hvae", goal=0.5)
    print_against_jax_chunks(t, "grad of the tensor-code model, n=1e6", "tensor_model_grad", goal=None)
    if "tensor_model_grad_jax_memory" in t:
        memory, peer = t["tensor_model_grad_memory"], t["tensor_model_grad_jax_memory"]
        print(f"{'grad of the tensor-code model: peak memory':44} {memory / 1e6:8.1f}MB {peer / 1e6:8.1f}MB JAX   "
              f"{memory / peer:6.3f}×")
    hvae_memory = t["tensor_hvae_memory"]
    print(f"{'trained VAE as tensor code: peak memory':44} {hvae_memory / 1e6:8.1f}MB {'':14} {'':7}  "
          "under the default 2 GiB limit  " + ("met" if hvae_memory < 2 << 30 else "MISSED"))
    memory = t["tensor_model_memory"]
    for peer, key, goal in (("NumPy", "tensor_model_numpy_memory", 0.25), ("JAX", "tensor_model_jax_memory", None)):
        if key not in t:
            continue
        ratio = memory / t[key]
        verdict = "" if goal is None else f"≤ {goal:.3g}×  " + ("met" if ratio <= goal else "MISSED")
        print(f"{'tensor-code model: peak memory':44} {memory / 1e6:8.1f}MB {t[key] / 1e6:8.1f}MB {peer:<5} "
              f"{ratio:6.3f}×  {verdict}")


if __name__ == "__main__":
    main()
