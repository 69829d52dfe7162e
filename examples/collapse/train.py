"""Trains the one-layer VAE of examples/collapse.kls and saves it as a
researcher would: a state dict in .safetensors (float32, PyTorch's names and
layout: a Linear's weight is [out, in], applied as x @ W.T + b), and the data.

    q(z | x) = N(mean, exp(logvar)) from h = tanh(x W.T + b), 64 -> 64 -> 12
    p(z)     = N(0, I)
    p(x | z) = Bernoulli(sigmoid(...)),                     12 -> 64 -> 64

Twelve latent dimensions are more than scikit-learn's 8x8 digits need: the KL
term pushes the ones the decoder does not use onto the prior — posterior
collapse, which examples/collapse.kls finds with kl_decomposition. Trained with
JAX (float32, Adam, the ELBO on one draw per image) on the first 1,500 images;
digits.npz holds all 1,797 (pixels 0-16 as uint8; divide by 16).
Run from the repository root in a venv with jax, numpy, safetensors and
scikit-learn (scripts/bench --peers makes .venv-bench):

    .venv-bench/bin/python -m pip install scikit-learn
    .venv-bench/bin/python examples/collapse/train.py
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
from safetensors.numpy import save_file
from sklearn.datasets import load_digits

here = os.path.dirname(os.path.abspath(__file__))
pixels = load_digits().data.astype(np.uint8)
digits = pixels.astype(np.float32) / 16.0
train, held_out = digits[:1500], digits[1500:]
latents = 12

# name: (out, in) — PyTorch's Linear layout.
layers = {
    "q.hidden": (64, 64), "q.mean": (latents, 64), "q.logvar": (latents, 64),
    "p.hidden": (64, latents), "p.logits": (64, 64),
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


def encoder(w, x):
    h = jnp.tanh(linear(w, "q.hidden", x))
    return linear(w, "q.mean", h), linear(w, "q.logvar", h)


def negative_elbo(w, x, key):
    mean, logvar = encoder(w, x)
    z = mean + jnp.exp(0.5 * logvar) * jax.random.normal(key, mean.shape)
    logits = linear(w, "p.logits", jnp.tanh(linear(w, "p.hidden", z)))
    log_px = jnp.sum(x * jax.nn.log_sigmoid(logits) + (1 - x) * jax.nn.log_sigmoid(-logits), axis=-1)
    kl = 0.5 * jnp.sum(jnp.exp(logvar) + mean**2 - 1 - logvar, axis=-1)
    return jnp.mean(kl - log_px)


@jax.jit
def step(w, m, v, t, x, key):
    loss, g = jax.value_and_grad(negative_elbo)(w, x, key)
    m = jax.tree_util.tree_map(lambda a, b: 0.9 * a + 0.1 * b, m, g)
    v = jax.tree_util.tree_map(lambda a, b: 0.999 * a + 0.001 * b * b, v, g)
    w = jax.tree_util.tree_map(
        lambda p, a, b: p - 3e-3 * (a / (1 - 0.9**t)) / (jnp.sqrt(b / (1 - 0.999**t)) + 1e-8), w, m, v)
    return w, m, v, loss


key = jax.random.PRNGKey(34)
w = init(key)
m = jax.tree_util.tree_map(jnp.zeros_like, w)
v = jax.tree_util.tree_map(jnp.zeros_like, w)
rng = np.random.default_rng(34)
for t in range(1, 8001):
    batch = train[rng.integers(0, len(train), 128)]
    key, sub = jax.random.split(key)
    w, m, v, loss = step(w, m, v, t, batch, sub)
    if t % 2000 == 0:
        held = negative_elbo(w, held_out, jax.random.PRNGKey(t))
        print(f"step {t}: -ELBO {float(loss):.3f} (held out {float(held):.3f})")

weights = {k: np.asarray(a, dtype=np.float32) for k, a in w.items()}
save_file(weights, os.path.join(here, "weights.safetensors"), metadata={"model": "one-layer VAE, 12 latents, digits"})
np.savez_compressed(os.path.join(here, "digits.npz"), pixels=pixels, labels=load_digits().target.astype(np.uint8))
mean, logvar = encoder(w, digits)
activity = np.var(np.asarray(mean), axis=0)
print("activity per latent:", np.round(activity, 4))
print("saved", sorted(weights))
