"""The peers of tensor_model.kls, each in a process of its own (bench.py reads its
peak memory): the three-layer model written as tensor code, n = 1e6, k1.

    python tensor_peers.py numpy      one pass over all n rows, as tensor code is written
    python tensor_peers.py jax        jax.jit of the same function over all n rows
    python tensor_peers.py jax_chunk  jax.jit over chunks of 100,000 rows (bench.py's joint_k1_jax)
    python tensor_peers.py jax_grad   jax.jit(jax.value_and_grad) of the model's mean k1 in the six weights,
                                      over chunks of 100,000 rows (tensor_model_grad.kls)
    python tensor_peers.py hvae_jax   the trained VAE's per-image KL terms (tensor_hvae.kls), 16 digits
                                      × 114,688 draws, jax.jit over chunks of 4096 draws

Prints `<name>_first` (the first call in a fresh process: compilation and the
first touch of memory included) and `<name>` (the best of three calls after it).
"""
import sys
import time

import numpy as np

from models import jax_hvae, joint_chunk, joint_weights

N = 10**6


def numpy_model():
    rng, w = np.random.default_rng(1), joint_weights(np)
    return joint_chunk(np, w, *(rng.standard_normal((N, 8)) for _ in range(3))) / N


def jax_model(chunk):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    w = joint_weights(jnp)

    def terms(key, c):
        k1, k2, k3 = jax.random.split(key, 3)
        eps = (jax.random.normal(k, (c, 8), dtype=jnp.float64) for k in (k1, k2, k3))
        return joint_chunk(jnp, w, *eps)

    step = jax.jit(terms, static_argnums=1)

    def run():
        key, total = jax.random.PRNGKey(1), 0.0
        for start in range(0, N, chunk):
            total += float(step(jax.random.fold_in(key, start), min(chunk, N - start)))
        return total / N

    return run


def jax_model_grad(chunk):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    w = joint_weights(jnp)

    def terms(weights, key, c):
        k1, k2, k3 = jax.random.split(key, 3)
        eps = (jax.random.normal(k, (c, 8), dtype=jnp.float64) for k in (k1, k2, k3))
        return joint_chunk(jnp, weights, *eps) / N

    step = jax.jit(jax.value_and_grad(terms), static_argnums=2)

    def run():
        key, total, grads = jax.random.PRNGKey(1), 0.0, None
        for start in range(0, N, chunk):
            value, g = step(w, jax.random.fold_in(key, start), min(chunk, N - start))
            total += float(value)
            grads = g if grads is None else jax.tree_util.tree_map(jnp.add, grads, g)
        jax.block_until_ready(grads)
        return total, grads

    return run


def main():
    name = sys.argv[1]
    run = {
        "numpy": lambda: numpy_model,
        "jax": lambda: jax_model(N),
        "jax_chunk": lambda: jax_model(100_000),
        "jax_grad": lambda: jax_model_grad(100_000),
        "hvae_jax": lambda: lambda: jax_hvae(n=114_688),
    }[name]()
    t = time.perf_counter()
    run()
    first = time.perf_counter() - t
    warm = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        run()
        warm = min(warm, time.perf_counter() - t)
    key = {"hvae_jax": "tensor_hvae_jax", "jax_grad": "tensor_model_grad_jax"}.get(name, f"tensor_model_{name}")
    print(f"{key}_first {first}")
    print(f"{key} {warm}")


if __name__ == "__main__":
    main()
