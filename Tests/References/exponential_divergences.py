"""Reference values for divergence's closed forms between members of one
exponential family (Gamma, Beta, Exponential, LogNormal, InverseGamma, Laplace
with one loc, Weibull with one concentration, Pareto with one scale,
HalfNormal, VonMises, ContinuousBernoulli, Chi2, Poisson, Geometric, Binomial
and NegativeBinomial with one count): Rényi-α at four orders, χ², Neyman's χ²,
squared Hellinger and Bhattacharyya, each from its definition — ∫ q^a p^(1−a)
by mpmath's tanh-sinh quadrature (a sum by mpmath's nsum for the counts) at 30
digits, densities from mpmath's own functions, never from kls.

Whether ∫ q^a p^(1−a) converges for a > 1 (a = 2 for χ², p's side for Neyman)
is read from the densities' exponents at the ends of the support and listed in
DIVERGENT with the reason, since a truncated quadrature returns a number for it.
Writes Tests/EndToEndTests/Scripts/exponential_divergences.kls: every closed form
within 1e-10 relative (DivergenceTests checks that different bases are refused).
Run: python3 Tests/References/exponential_divergences.py"""
import pathlib
import mpmath as mp

mp.mp.dps = 30
inf = mp.inf
F = mp.mpf


def gamma(k, rate):
    k, rate = F(k), F(rate)
    return lambda x: k * mp.log(rate) + (k - 1) * mp.log(x) - rate * x - mp.loggamma(k)


def beta(a, b):
    a, b = F(a), F(b)
    return lambda x: (a - 1) * mp.log(x) + (b - 1) * mp.log1p(-x) - mp.log(mp.beta(a, b))


def lognormal(m, s):
    m, s = F(m), F(s)
    return lambda x: -((mp.log(x) - m) / s) ** 2 / 2 - mp.log(s * x) - mp.log(2 * mp.pi) / 2


def inverse_gamma(a, b):
    a, b = F(a), F(b)
    return lambda x: a * mp.log(b) - mp.loggamma(a) - (a + 1) * mp.log(x) - b / x


def laplace(m, b):
    m, b = F(m), F(b)
    return lambda x: -abs(x - m) / b - mp.log(2 * b)


def weibull(scale, k):
    scale, k = F(scale), F(k)
    return lambda x: mp.log(k / scale) + (k - 1) * mp.log(x / scale) - (x / scale) ** k


def pareto(scale, a):
    scale, a = F(scale), F(a)
    return lambda x: mp.log(a) + a * mp.log(scale) - (a + 1) * mp.log(x)


def half_normal(s):
    s = F(s)
    return lambda x: mp.log(2) / 2 - mp.log(s * mp.sqrt(mp.pi)) - x * x / (2 * s * s)


def von_mises(m, k):
    m, k = F(m), F(k)
    return lambda x: k * mp.cos(x - m) - mp.log(2 * mp.pi * mp.besseli(0, k))


def continuous_bernoulli(lam):
    lam = F(lam)
    c = mp.log(2 * mp.atanh(1 - 2 * lam) / (1 - 2 * lam))
    return lambda x: c + x * mp.log(lam) + (1 - x) * mp.log1p(-lam)


def poisson(rate):
    rate = F(rate)
    return lambda x: x * mp.log(rate) - rate - mp.loggamma(x + 1)


def geometric(p):
    p = F(p)
    return lambda x: x * mp.log1p(-p) + mp.log(p)


def binomial(n, p):
    n, p = F(n), F(p)
    return lambda x: mp.log(mp.binomial(n, x)) + x * mp.log(p) + (n - x) * mp.log1p(-p)


def negative_binomial(r, p):
    """PyTorch's convention: p is the probability of each counted event."""
    r, p = F(r), F(p)
    return lambda x: mp.loggamma(x + r) - mp.loggamma(r) - mp.loggamma(x + 1) + x * mp.log(p) + r * mp.log1p(-p)


CONTINUOUS = [
    ("Gamma(2, 1.5)", "Gamma(3, 2)", gamma(2, "1.5"), gamma(3, 2), [0, 1, 3, inf]),
    ("Beta(2, 3)", "Beta(1.5, 1.2)", beta(2, 3), beta("1.5", "1.2"), [0, "0.5", 1]),
    ("Exponential(1)", "Exponential(0.7)", gamma(1, 1), gamma(1, "0.7"), [0, 2, inf]),
    ("LogNormal(0, 1)", "LogNormal(0.5, 1.5)", lognormal(0, 1), lognormal("0.5", "1.5"), [0, 1, 3, inf]),
    ("InverseGamma(3, 2)", "InverseGamma(2.5, 1)", inverse_gamma(3, 2), inverse_gamma("2.5", 1), [0, 1, 3, inf]),
    ("Laplace(0, 1)", "Laplace(0, 1.5)", laplace(0, 1), laplace(0, "1.5"), [-inf, 0, inf]),
    ("Weibull(1.5, 2)", "Weibull(2, 2)", weibull("1.5", 2), weibull(2, 2), [0, 1, 3, inf]),
    ("Pareto(1, 3)", "Pareto(1, 2)", pareto(1, 3), pareto(1, 2), [1, 2, inf]),
    ("HalfNormal(1)", "HalfNormal(1.4)", half_normal(1), half_normal("1.4"), [0, 2, inf]),
    ("VonMises(0.3, 2)", "VonMises(-0.5, 1)", von_mises("0.3", 2), von_mises("-0.5", 1), [-mp.pi, 0, mp.pi]),
    ("ContinuousBernoulli(0.3)", "ContinuousBernoulli(0.8)", continuous_bernoulli("0.3"),
     continuous_bernoulli("0.8"), [0, 1]),
    ("Chi2(3)", "Chi2(5)", gamma("1.5", "0.5"), gamma("2.5", "0.5"), [0, 2, 6, inf]),
]
DISCRETE = [
    ("Poisson(3)", "Poisson(5)", poisson(3), poisson(5), inf),
    ("Geometric(0.3)", "Geometric(0.5)", geometric("0.3"), geometric("0.5"), inf),
    ("Binomial(10, 0.3)", "Binomial(10, 0.6)", binomial(10, "0.3"), binomial(10, "0.6"), 10),
    ("NegativeBinomial(5, 0.4)", "NegativeBinomial(5, 0.6)", negative_binomial(5, "0.4"),
     negative_binomial(5, "0.6"), inf),
]
# (q, p, a) for which ∫ q^a p^(1−a) diverges:
DIVERGENT = {
    ("Gamma(2, 1.5)", "Gamma(3, 2)", 3),  # q³/p² ∝ x^(3·1 − 2·2) = 1/x near 0
    ("Beta(1.5, 1.2)", "Beta(2, 3)", 2),  # Neyman's side: p²/q ∝ (1 − x)^(2·0.2 − 2) near 1
    ("LogNormal(0.5, 1.5)", "LogNormal(0, 1)", 2),  # Neyman's: e^(−(log x)²(2/4.5 − 1/2)) grows
    ("InverseGamma(2.5, 1)", "InverseGamma(3, 2)", 2),  # Neyman's: e^(−(2·1 − 2)/x) x^(−2·3.5 + 4) near 0
    ("Chi2(3)", "Chi2(5)", 3),  # x^(3·0.5 − 2·1.5) = x^(−1.5) near 0
    ("Geometric(0.3)", "Geometric(0.5)", 3),  # (0.7³/0.5²)^k = 1.372^k
}
ALPHAS = ["0.25", "0.5", "2", "3"]


def affinity(lq, lp, a, points=None, top=None):
    a = F(a)
    if top is None:
        return mp.quad(lambda x: mp.exp(a * lq(x) + (1 - a) * lp(x)), [F(t) if isinstance(t, str) else t
                                                                         for t in points], maxdegree=10)
    term = lambda k: mp.exp(a * lq(k) + (1 - a) * lp(k))
    return mp.nsum(term, [0, top]) if top == inf else mp.fsum(term(k) for k in range(int(top) + 1))


def value(q, p, lq, lp, kind, alpha, **where):
    """The kind from ∫ q^a p^(1−a) at the a it needs (p's side for Neyman)."""
    if kind == "neyman":
        q, p, lq, lp, kind, alpha = p, q, lp, lq, "chi2", None
    a = {"chi2": 2, "hellinger": "0.5", "bhattacharyya": "0.5"}.get(kind, alpha)
    if (q, p, int(F(a))) in DIVERGENT and F(a) > 1:
        return inf
    s = affinity(lq, lp, a, **where)
    if kind == "chi2":
        return s - 1
    if kind == "hellinger":
        return 1 - s
    if kind == "bhattacharyya":
        return -mp.log(s)
    return mp.log(s) / (F(a) - 1)


def lines():
    out = [
        "# divergence's closed forms between members of one exponential family against mpmath (30 digits,",
        "# each kind from ∫ q^a p^(1−a)). Generated by Tests/References/exponential_divergences.py; do not edit.",
    ]
    cases = [("renyi", a) for a in ALPHAS] + [(k, None) for k in ("chi2", "neyman", "hellinger", "bhattacharyya")]
    pairs = [(q, p, lq, lp, dict(points=points)) for q, p, lq, lp, points in CONTINUOUS]
    pairs += [(q, p, lq, lp, dict(top=top)) for q, p, lq, lp, top in DISCRETE]
    for q, p, lq, lp, where in pairs:
        for kind, alpha in cases:
            v = value(q, p, lq, lp, kind, alpha, **where)
            text = "1 / 0" if v == inf else mp.nstr(v, 17)
            call = f'"{kind}"' + (f", alpha={alpha}" if alpha else "")
            out.append(f"assert_close(divergence({q}, {p}, {call}), {text}, rtol=1e-10, atol=1e-14)")
    out.append('print("exponential families: every closed form within 1e-10")')
    return out


if __name__ == "__main__":
    root = pathlib.Path(__file__).resolve().parents[2]
    scripts = root / "Tests/EndToEndTests/Scripts"
    (scripts / "exponential_divergences.kls").write_text("\n".join(lines()) + "\n")
    (scripts / "exponential_divergences.out").write_text("exponential families: every closed form within 1e-10\n")
