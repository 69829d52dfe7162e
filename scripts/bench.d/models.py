"""The three-layer model's weights and k1 terms, shared by bench.py and tensor_peers.py."""
import os

import numpy as np

# The repository root (the trained VAE's files live under examples/).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def joint_weights(xp):
    """The three-layer model's weights, the same numbers kls_bench.kls makes."""
    a64, a8 = np.arange(64.0), np.arange(8.0)
    w = {
        "W1": (np.sin(a64) * 0.3).reshape(8, 8), "V1": (np.cos(a64) * 0.2).reshape(8, 8),
        "b1": np.sin(a8 + 0.5) * 0.1, "W2": (np.cos(a64 + 0.25) * 0.3).reshape(8, 8),
        "mu1": np.sin(a8 * 0.7) * 0.5, "lv1": np.cos(a8 * 0.3) * 0.3 - 0.5,
    }
    return {k: xp.asarray(v) for k, v in w.items()}


def diag_logpdf(xp, z, mean, logvar):
    return (-0.5 * ((z - mean) ** 2 * xp.exp(-logvar) + logvar + np.log(2 * np.pi))).sum(-1)


def joint_chunk(xp, w, eps1, eps2, eps3):
    """One chunk of the three-layer k1 terms: sample q's layers, log q − log p."""
    z1 = w["mu1"] + xp.exp(0.5 * w["lv1"]) * eps1
    m2, lv2 = xp.tanh(z1 @ w["W1"].T + w["b1"]), xp.tanh(z1 @ w["V1"].T) - 0.7
    z2 = m2 + xp.exp(0.5 * lv2) * eps2
    m3 = z2 @ w["W2"].T + 0.1 * z1[:, 0:1]
    z3 = m3 + eps3
    zero = 0 * z1
    log_q = diag_logpdf(xp, z1, w["mu1"], w["lv1"]) + diag_logpdf(xp, z2, m2, lv2) + diag_logpdf(xp, z3, m3, zero)
    log_p = (diag_logpdf(xp, z1, zero, zero) + diag_logpdf(xp, z2, 0.5 * xp.tanh(z1), zero)
             + diag_logpdf(xp, z3, z2 @ w["W2"].T, zero))
    return (log_q - log_p).sum()


def jax_hvae(n=10**5, chunk=4096):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from safetensors.numpy import load_file
    w = {k: jnp.asarray(v, dtype=jnp.float64)
         for k, v in load_file(os.path.join(ROOT, "examples/trained-hvae/weights.safetensors")).items()}
    x = jnp.asarray(np.load(os.path.join(ROOT, "examples/trained-hvae/digits.npz"))["x"])

    def gaussian(prefix, v):
        h = jnp.tanh(v @ w[prefix + ".hidden.weight"].T + w[prefix + ".hidden.bias"])
        return (h @ w[prefix + ".mean.weight"].T + w[prefix + ".mean.bias"],
                h @ w[prefix + ".logvar.weight"].T + w[prefix + ".logvar.bias"])

    def terms(key, c):
        k1, k2 = jax.random.split(key)
        m1, lv1 = gaussian("q.z1", x)
        z1 = m1 + jnp.exp(0.5 * lv1) * jax.random.normal(k1, (c,) + m1.shape, dtype=jnp.float64)
        m2, lv2 = gaussian("q.z2", z1)
        z2 = m2 + jnp.exp(0.5 * lv2) * jax.random.normal(k2, m2.shape, dtype=jnp.float64)
        pm, plv = gaussian("p.z1", z2)
        zero = jnp.zeros_like(z2)
        l = (diag_logpdf(jnp, z1, m1, lv1) + diag_logpdf(jnp, z2, m2, lv2)
             - diag_logpdf(jnp, z2, zero, zero) - diag_logpdf(jnp, z1, pm, plv))
        return jnp.sum(l, 0), jnp.sum(l * l, 0)

    step = jax.jit(terms, static_argnums=1)
    key, total = jax.random.PRNGKey(1), 0.0
    for start in range(0, n, chunk):
        a, _ = step(jax.random.fold_in(key, start), min(chunk, n - start))
        total += a
    return np.asarray(total) / n
