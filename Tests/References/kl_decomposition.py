"""Reference values for kl_decomposition and aggregate: the ELBO-surgery terms of a
small diagonal-Gaussian encoder (30 data points, 2 latent dimensions) against a
DiagNormal prior, from their defining integrals — the aggregate posterior
q(z) = 1/N Σ q(z|x_k) and its marginals on a fine grid (trapezoid rule, spectrally
accurate for these smooth, fast-decaying integrands), the mean KL by the Gaussian
closed form — with NumPy and SciPy, never from kls; and log q(z) at a few points
by scipy.special.logsumexp.

Writes Tests/EndToEndTests/Scripts/kl-decomposition.kls: aggregate's logpdf within
1e-12, each Monte Carlo term within 4.5 of its standard errors of the integral.
Run: python3 Tests/References/kl_decomposition.py"""
import pathlib
import numpy as np
from scipy.special import logsumexp

rng = np.random.default_rng(34)
N, D = 30, 2
MU = np.round(rng.normal(0, 1, (N, D)) * [1.2, 0.4], 4)
SD = np.round(np.exp(rng.normal(-0.8, 0.3, (N, D))), 4)
PRIOR_MU = np.array([0.1, -0.2])
PRIOR_SD = np.array([1.0, 1.3])


def log_normal(z, m, s):
    return -0.5 * ((z - m) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)


def terms():
    grid = np.linspace(-9, 9, 1801)
    h = grid[1] - grid[0]
    # Per-dimension component log-densities on the grid: [D, N, G].
    parts = np.stack([log_normal(grid[None, :], MU[:, j, None], SD[:, j, None]) for j in range(D)])
    marginal = logsumexp(parts, axis=1) - np.log(N)  # [D, G]
    prior = np.stack([log_normal(grid, PRIOR_MU[j], PRIOR_SD[j]) for j in range(D)])
    joint = logsumexp(parts[0][:, :, None] + parts[1][:, None, :], axis=0) - np.log(N)  # [G, G]
    q = np.exp(joint)
    weights = np.full(len(grid), h)
    area = weights[:, None] * weights[None, :]
    marginal_kl = np.sum(area * q * (joint - prior[0][:, None] - prior[1][None, :]))
    total_correlation = np.sum(area * q * (joint - marginal[0][:, None] - marginal[1][None, :]))
    per_dimension = [np.sum(h * np.exp(marginal[j]) * (marginal[j] - prior[j])) for j in range(D)]
    mean_kl = np.mean(np.sum(np.log(PRIOR_SD / SD) + (SD**2 + (MU - PRIOR_MU) ** 2) / (2 * PRIOR_SD**2) - 0.5,
                             axis=1))
    return {
        "mean_kl": mean_kl, "mutual_info": mean_kl - marginal_kl, "marginal_kl": marginal_kl,
        "total_correlation": total_correlation, "dimensionwise_kl": sum(per_dimension),
    }, per_dimension


def matrix(a):
    return "[" + ", ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in a) + "]"


def lines():
    values, per_dimension = terms()
    out = [
        "# kl_decomposition and aggregate against the integrals of Tests/References/kl_decomposition.py",
        "# (a 30-point, 2-d encoder; grid quadrature, NumPy/SciPy). Generated; do not edit by hand.",
        f"q = DiagNormal({matrix(MU)}, {matrix(SD)})",
        f"p = DiagNormal({[float(v) for v in PRIOR_MU]}, {[float(v) for v in PRIOR_SD]})",
        "a = aggregate(q)",
    ]
    points = np.array([[0.0, 0.0], [1.5, -0.3], [-2.5, 0.8], [6.0, -4.0]])
    for z in points:
        ref = logsumexp(np.sum(log_normal(z[None, :], MU, SD), axis=1)) - np.log(N)
        out.append(f"assert_close(logpdf(a, {[float(v) for v in z]}), {float(ref)!r}, rtol=1e-12, atol=1e-12)")
    out.append("r = kl_decomposition(q, p, n=40000, seed=7)")
    for name, value in values.items():
        out.append(f"assert(abs(r.{name}.value - {float(value)!r}) <= 4.5 * r.{name}.stderr, "
                   f"\"{name} \" + str(r.{name}.value))")
    for j, value in enumerate(per_dimension):
        out.append(f"assert(abs(r.dimension_kl[{j}] - {float(value)!r}) <= 4.5 * r.dimension_kl_stderr[{j}], "
                   f"\"dimension {j}\")")
    out.append(f"assert_close(r.mean_kl.exact, {float(values['mean_kl'])!r}, rtol=1e-12)")
    out.append("assert(r.identity_gap < 1e-12, \"identity\")")
    out.append('print("kl_decomposition: all within their tolerances")')
    return out


if __name__ == "__main__":
    scripts = pathlib.Path(__file__).resolve().parent.parent / "EndToEndTests" / "Scripts"
    (scripts / "kl-decomposition.kls").write_text("\n".join(lines()) + "\n")
    (scripts / "kl-decomposition.out").write_text("kl_decomposition: all within their tolerances\n")
