"""Trains the small two-layer hierarchical VAE of examples/trained-hvae.kls and
saves it as a researcher would: a state dict in .safetensors (float32, PyTorch's
names and layout: a Linear's weight is [out, in], applied as x @ W.T + b).

    q(z1 | x)  = N(mean, exp(logvar)) from h = tanh(x W.T + b), 64 -> 64 -> 8
    q(z2 | z1) = N(...) from tanh(z1 W.T + b),                    8 -> 64 -> 4
    p(z2)      = N(0, I)
    p(z1 | z2) = N(...) from tanh(z2 W.T + b),                    4 -> 64 -> 8
    p(x | z1)  = Bernoulli(sigmoid(...)),                          8 -> 64 -> 64

Data: scikit-learn's 8x8 digits (1,797 images of 64 pixels, shipped with the
package), scaled to [0, 1]; the last 297 are held out, and 16 of them are saved
with the weights for the lesson. Trained with JAX (float32, Adam, the ELBO on
one draw per image). Run from the repository root in a venv with jax, numpy,
safetensors and scikit-learn (scripts/bench --peers makes .venv-bench):

    .venv-bench/bin/python -m pip install scikit-learn
    .venv-bench/bin/python examples/trained-hvae/train.py
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
from safetensors.numpy import save_file
from sklearn.datasets import load_digits

here = os.path.dirname(os.path.abspath(__file__))
digits = load_digits().data.astype(np.float32) / 16.0
train, held_out = digits[:1500], digits[1500:]

# name: (out, in) — PyTorch's Linear layout.
layers = {
    "q.z1.hidden": (64, 64), "q.z1.mean": (8, 64), "q.z1.logvar": (8, 64),
    "q.z2.hidden": (64, 8), "q.z2.mean": (4, 64), "q.z2.logvar": (4, 64),
    "p.z1.hidden": (64, 4), "p.z1.mean": (8, 64), "p.z1.logvar": (8, 64),
    "p.x.hidden": (64, 8), "p.x.logits": (64, 64),
}


def init(key):
    params = {}
    for name, (out, inp) in layers.items():
        key, sub = jax.random.split(key)
        params[name + ".weight"] = jax.random.normal(sub, (out, inp)) / np.sqrt(inp)
        params[name + ".bias"] = jnp.zeros(out)
    return params


def linear(w, name, x):
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def gaussian(w, prefix, inputs):
    h = jnp.tanh(linear(w, prefix + ".hidden", inputs))
    return linear(w, prefix + ".mean", h), linear(w, prefix + ".logvar", h)


def log_normal(z, mean, logvar):
    return -0.5 * jnp.sum((z - mean) ** 2 * jnp.exp(-logvar) + logvar + jnp.log(2 * jnp.pi), axis=-1)


def negative_elbo(w, x, key):
    k1, k2 = jax.random.split(key)
    m1, lv1 = gaussian(w, "q.z1", x)
    z1 = m1 + jnp.exp(0.5 * lv1) * jax.random.normal(k1, m1.shape)
    m2, lv2 = gaussian(w, "q.z2", z1)
    z2 = m2 + jnp.exp(0.5 * lv2) * jax.random.normal(k2, m2.shape)
    pm1, plv1 = gaussian(w, "p.z1", z2)
    logits = linear(w, "p.x.logits", jnp.tanh(linear(w, "p.x.hidden", z1)))
    log_px = jnp.sum(x * jax.nn.log_sigmoid(logits) + (1 - x) * jax.nn.log_sigmoid(-logits), axis=-1)
    kl = log_normal(z1, m1, lv1) + log_normal(z2, m2, lv2) - log_normal(z1, pm1, plv1) - log_normal(z2, 0, 0)
    return jnp.mean(kl - log_px)


@jax.jit
def step(w, m, v, t, x, key):
    loss, g = jax.value_and_grad(negative_elbo)(w, x, key)
    m = jax.tree_util.tree_map(lambda a, b: 0.9 * a + 0.1 * b, m, g)
    v = jax.tree_util.tree_map(lambda a, b: 0.999 * a + 0.001 * b * b, v, g)
    w = jax.tree_util.tree_map(
        lambda p, a, b: p - 3e-3 * (a / (1 - 0.9**t)) / (jnp.sqrt(b / (1 - 0.999**t)) + 1e-8), w, m, v)
    return w, m, v, loss


key = jax.random.PRNGKey(29)
w = init(key)
m = jax.tree_util.tree_map(jnp.zeros_like, w)
v = jax.tree_util.tree_map(jnp.zeros_like, w)
rng = np.random.default_rng(29)
for t in range(1, 6001):
    batch = train[rng.integers(0, len(train), 128)]
    key, sub = jax.random.split(key)
    w, m, v, loss = step(w, m, v, t, batch, sub)
    if t % 1000 == 0:
        held = negative_elbo(w, held_out, jax.random.PRNGKey(t))
        print(f"step {t}: -ELBO {float(loss):.3f} (held out {float(held):.3f})")

weights = {k: np.asarray(a, dtype=np.float32) for k, a in w.items()}
save_file(weights, os.path.join(here, "weights.safetensors"), metadata={"model": "two-layer HVAE, 8x8 digits"})
np.savez(os.path.join(here, "digits.npz"), x=held_out[:16].astype(np.float64), labels=load_digits().target[1500:1516])
print("saved", sorted(weights))
