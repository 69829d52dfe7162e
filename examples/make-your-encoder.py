#!/usr/bin/env python3
"""Makes examples/your-encoder.npz: what a VAE encoder might output for 200
inputs with a 16-dimensional latent — means and log-variances, float32 as a
PyTorch model would hand them over. Most inputs are encoded close to the prior;
a few dimensions have collapsed (mu ≈ 0, logvar ≈ 0), and five inputs are
outliers the encoder is very sure about (large |mu|, very negative logvar).

Run from the repository root: python3 examples/make-your-encoder.py
"""
import os

import numpy as np

rng = np.random.default_rng(2026)
n, d = 200, 16
mu = rng.normal(0.0, 0.6, size=(n, d))
logvar = rng.normal(-1.2, 0.3, size=(n, d))
collapsed = [3, 11]
mu[:, collapsed] = rng.normal(0.0, 0.02, size=(n, len(collapsed)))
logvar[:, collapsed] = rng.normal(0.0, 0.02, size=(n, len(collapsed)))
outliers = [17, 58, 101, 142, 190]
mu[outliers] *= 4
logvar[outliers] -= 3
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "your-encoder.npz")
np.savez_compressed(path, mu=mu.astype(np.float32), logvar=logvar.astype(np.float32))
