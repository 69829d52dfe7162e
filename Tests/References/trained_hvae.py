"""References for the trained two-layer HVAE (examples/trained-hvae), computed
with JAX in float64 on the weights the training script saved: kls's numbers
are checked against these, never against kls.

1. Per image, KL(q(z1, z2 | x) ‖ p(z1, z2)) with q bottom-up (x → z1 → z2) and
   p top-down (z2 → z1): the mean of 2^21 k1 terms and its standard error.
2. The gradient of the batch's mean KL in the weights, in two set-ups: that
   pair, and q against a prior in q's own order (z1 → z2, p(z2 | z1) =
   N(z1 M, I)). Per weight tensor T, the derivative along a fixed random
   direction u_T (Tests/EndToEndTests/Scripts/trained-hvae-directions.npz):
   the mean over 2^18 draws of the per-draw directional derivative (forward
   mode), and its standard error.

Prints the kls lines that Tests/EndToEndTests/Scripts/trained-hvae.kls holds.
Run from the repository root in a venv with jax, numpy and safetensors:
    .venv-bench/bin/python Tests/References/trained_hvae.py
"""
import jax
import jax.numpy as jnp
import numpy as np
from safetensors.numpy import load_file

jax.config.update("jax_enable_x64", True)
w0 = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in load_file("examples/trained-hvae/weights.safetensors").items()}
x = jnp.asarray(np.load("examples/trained-hvae/digits.npz")["x"])
kl_names = sorted(k for k in w0 if not k.startswith("p.x."))
M = 0.25 * np.eye(8)[:, :4]


def linear(w, name, v):
    return v @ w[name + ".weight"].T + w[name + ".bias"]


def gaussian(w, prefix, v):
    h = jnp.tanh(linear(w, prefix + ".hidden", v))
    return linear(w, prefix + ".mean", h), linear(w, prefix + ".logvar", h)


def log_normal(z, mean, logvar):
    return -0.5 * jnp.sum((z - mean) ** 2 * jnp.exp(-logvar) + logvar + jnp.log(2 * jnp.pi), axis=-1)


def log_ratios(w, eps1, eps2, same_order):
    """[draws, 16] k1 terms: q bottom-up against p top-down, or against p in q's order."""
    m1, lv1 = gaussian(w, "q.z1", x)
    z1 = m1 + jnp.exp(0.5 * lv1) * eps1
    m2, lv2 = gaussian(w, "q.z2", z1)
    z2 = m2 + jnp.exp(0.5 * lv2) * eps2
    logq = log_normal(z1, m1, lv1) + log_normal(z2, m2, lv2)
    if same_order:
        logp = log_normal(z1, 0, 0) + log_normal(z2, z1 @ M, 0)
    else:
        pm, plv = gaussian(w, "p.z1", z2)
        logp = log_normal(z2, 0, 0) + log_normal(z1, pm, plv)
    return logq - logp


@jax.jit
def kl_chunk(key):
    k1, k2 = jax.random.split(key)
    eps1 = jax.random.normal(k1, (16384, 16, 8))
    eps2 = jax.random.normal(k2, (16384, 16, 4))
    terms = log_ratios(w0, eps1, eps2, False)
    return jnp.sum(terms, 0), jnp.sum(terms**2, 0)


def per_image_kl(n=2**21):
    s, s2 = np.zeros(16), np.zeros(16)
    for i in range(n // 16384):
        a, b = kl_chunk(jax.random.PRNGKey(1000 + i))
        s += np.asarray(a)
        s2 += np.asarray(b)
    mean = s / n
    return mean, np.sqrt((s2 / n - mean**2) / (n - 1))


rng = np.random.default_rng(2929)
directions = {k: rng.standard_normal(np.shape(w0[k])) for k in kl_names}


from functools import partial


@partial(jax.jit, static_argnums=2)
def directional_chunk(key, u, same_order):
    k1, k2 = jax.random.split(key)
    eps1 = jax.random.normal(k1, (8192, 16, 8))
    eps2 = jax.random.normal(k2, (8192, 16, 4))
    # Per draw, the batch's mean KL; its derivative along u, draw by draw.
    f = lambda w: jnp.mean(log_ratios(w, eps1, eps2, same_order), axis=1)
    _, tangent = jax.jvp(f, (w0,), (u,))
    return jnp.sum(tangent), jnp.sum(tangent**2)


def directional(same_order, name):
    u = {k: (jnp.asarray(directions[k]) if k == name else jnp.zeros_like(v)) for k, v in w0.items()}
    n = 2**18
    s = s2 = 0.0
    for i in range(n // 8192):
        a, b = directional_chunk(jax.random.PRNGKey(5000 + i), u, same_order)
        s += float(a)
        s2 += float(b)
    mean = s / n
    return mean, np.sqrt((s2 / n - mean**2) / (n - 1))


np.savez("Tests/EndToEndTests/Scripts/trained-hvae-directions.npz", **directions)
mean, se = per_image_kl()
print("kl_reference = " + str([float(f"{v:.10g}") for v in mean]))
print("kl_reference_stderr = " + str([float(f"{v:.6g}") for v in se]))
for same_order in (False, True):
    values, errors = [], []
    for name in kl_names:
        m, e = directional(same_order, name)
        values.append(float(f"{m:.10g}"))
        errors.append(float(f"{e:.6g}"))
    tag = "same_order" if same_order else "top_down"
    print(f"grad_{tag} = " + str(values))
    print(f"grad_{tag}_stderr = " + str(errors))
print("names = " + str(kl_names).replace("'", '"'))
