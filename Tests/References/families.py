"""Reference values for every scalar family over its whole parameter range:
logpdf, cdf, entropy, mean and variance, from mpmath at 50 digits with its own
special functions (incomplete gamma and beta, log-gamma, digamma). Points sit
at the mean, at a few standard deviations either side and far in the tails;
values that are not normal doubles (below 2.2e-308) are left out, since
1e-10 relative means nothing there. Writes
Tests/EndToEndTests/Scripts/families-reference.kls (assert_close at 1e-10)
and its expected output. Run: python3 Tests/References/families.py"""
import pathlib
import mpmath as mp

mp.mp.dps = 50
TINY = mp.mpf("2.2250738585072014e-308")


def d(v):
    """The double kls reads for v, exactly."""
    return mp.mpf(float(mp.mpf(v)))


def gamma_p(a, x):
    """P(a, x): the 1F1 series below the mean (mpmath's own gammainc gives up
    for shapes near 1e8), the upper integral above it."""
    if x <= 0:
        return mp.mpf(0)
    if x < a:
        return mp.exp(a * mp.log(x) - x - mp.loggamma(a + 1)) * mp.hyp1f1(1, a + 1, x, maxterms=10**7)
    return 1 - mp.gammainc(a, x, mp.inf, regularized=True)


def beta_i(a, b, x):
    """I_x(a, b) by the 2F1 form on the side of the mean where it converges."""
    def lower(a, b, x):
        return (mp.exp(a * mp.log(x) + b * mp.log1p(-x) - mp.log(a) - mp.log(mp.beta(a, b)))
                * mp.hyp2f1(a + b, 1, a + 1, x, maxterms=10**7))
    return lower(a, b, x) if x < a / (a + b) else 1 - lower(b, a, 1 - x)


def normal(m, s):
    m, s = d(m), d(s)
    return dict(
        logpdf=lambda x: -((x - m) / s) ** 2 / 2 - mp.log(s) - mp.log(2 * mp.pi) / 2,
        cdf=lambda x: mp.ncdf(x, m, s), entropy=mp.log(2 * mp.pi * mp.e * s * s) / 2, mean=m, variance=s * s,
        points=[m + k * s for k in (-30, -8, -2, -0.5, 0, 1, 3, 9, 30)])


def laplace(m, b):
    m, b = d(m), d(b)
    return dict(
        logpdf=lambda x: -abs(x - m) / b - mp.log(2 * b),
        cdf=lambda x: mp.exp((x - m) / b) / 2 if x < m else 1 - mp.exp(-(x - m) / b) / 2,
        entropy=1 + mp.log(2 * b), mean=m, variance=2 * b * b,
        points=[m + k * b for k in (-600, -20, -1, 0, 0.5, 3, 35)])


def student(nu, m=0, s=1):
    nu, m, s = d(nu), d(m), d(s)
    c = mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(nu * mp.pi) / 2 - mp.log(s)

    def cdf(x):
        t = (x - m) / s
        tail = beta_i(nu / 2, mp.mpf(1) / 2, nu / (nu + t * t)) / 2
        return tail if t < 0 else 1 - tail
    ent = ((nu + 1) / 2 * (mp.digamma((nu + 1) / 2) - mp.digamma(nu / 2)) + mp.log(nu) / 2
           + mp.log(mp.beta(nu / 2, mp.mpf(1) / 2)) + mp.log(s))
    return dict(
        logpdf=lambda x: c - (nu + 1) / 2 * mp.log1p(((x - m) / s) ** 2 / nu), cdf=cdf, entropy=ent,
        mean=m if nu > 1 else None, variance=s * s * nu / (nu - 2) if nu > 2 else None,
        points=[m + k * s for k in (-1e6, -40, -3, -0.5, 0, 0.7, 2, 25, 1e4)])


def uniform(lo, hi):
    lo, hi = d(lo), d(hi)
    w = hi - lo
    return dict(
        logpdf=lambda x: -mp.log(w), cdf=lambda x: (x - lo) / w, entropy=mp.log(w), mean=(lo + hi) / 2,
        variance=w * w / 12, points=[lo + f * w for f in (mp.mpf("1e-9"), mp.mpf("0.3"), mp.mpf("0.5"),
                                                           1 - mp.mpf("1e-9"))])


def gamma(a, r):
    a, r = d(a), d(r)
    mean, sd = a / r, mp.sqrt(a) / r
    points = [mean + k * sd for k in (-8, -3, -1, -0.1, 0, 0.2, 1, 3, 8, 30) if mean + k * sd > 0]
    points += [mean * f for f in (mp.mpf("1e-300"), mp.mpf("1e-6"), mp.mpf("0.01"), mp.mpf("0.5"), 4)]
    return dict(
        logpdf=lambda x: a * mp.log(r) + (a - 1) * mp.log(x) - r * x - mp.loggamma(a),
        cdf=lambda x: gamma_p(a, r * x),
        entropy=a - mp.log(r) + mp.loggamma(a) + (1 - a) * mp.digamma(a), mean=mean, variance=sd * sd,
        points=points)


def beta(a, b):
    a, b = d(a), d(b)
    mean = a / (a + b)
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    sd = mp.sqrt(var)
    points = [mean + k * sd for k in (-8, -3, -1, -0.1, 0, 0.2, 1, 3, 8) if 0 < mean + k * sd < 1]
    points += [mp.mpf(x) for x in ("1e-300", "1e-5", "0.01", "0.5", "0.99", "0.9999999")]
    ent = (mp.log(mp.beta(a, b)) - (a - 1) * mp.digamma(a) - (b - 1) * mp.digamma(b)
           + (a + b - 2) * mp.digamma(a + b))
    return dict(
        logpdf=lambda x: (a - 1) * mp.log(x) + (b - 1) * mp.log1p(-x) - mp.log(mp.beta(a, b)),
        cdf=lambda x: beta_i(a, b, x), entropy=ent, mean=mean, variance=var,
        points=sorted(set(points)))


def lognormal(mu, sigma):
    mu, sigma = d(mu), d(sigma)
    return dict(
        logpdf=lambda x: -((mp.log(x) - mu) / sigma) ** 2 / 2 - mp.log(sigma * x) - mp.log(2 * mp.pi) / 2,
        cdf=lambda x: mp.ncdf(mp.log(x), mu, sigma), entropy=mu + mp.log(2 * mp.pi * mp.e * sigma ** 2) / 2,
        mean=mp.exp(mu + sigma ** 2 / 2), variance=(mp.exp(sigma ** 2) - 1) * mp.exp(2 * mu + sigma ** 2),
        points=[mp.exp(mu + k * sigma) for k in (-30, -3, 0, 0.5, 2, 30)])


def exponential(r):
    return gamma(1, r)


def by_quadrature(logpdf, low, high, breaks):
    """Entropy, mean and variance by mpmath's quadrature of the density itself
    (independent of any closed form), split at `breaks`."""
    nodes = [low] + list(breaks) + [high]
    density = lambda x: mp.exp(logpdf(x))
    mass = lambda g: mp.quad(lambda x: g(x) * density(x), nodes)
    mean = mass(lambda x: x)
    return dict(entropy=-mass(logpdf), mean=mean, variance=mass(lambda x: (x - mean) ** 2))


def cauchy(m, s):
    m, s = d(m), d(s)
    logpdf = lambda x: -mp.log(mp.pi * s) - mp.log1p(((x - m) / s) ** 2)
    ent = mp.quad(lambda x: -logpdf(x) * mp.exp(logpdf(x)), [-mp.inf, m - s, m, m + s, mp.inf])
    return dict(logpdf=logpdf, cdf=lambda x: mp.mpf(1) / 2 + mp.atan((x - m) / s) / mp.pi, entropy=ent,
                mean=None, variance=None, points=[m + k * s for k in (-1e6, -30, -1, 0, 0.5, 4, 1e5)])


def gumbel(m, s):
    m, s = d(m), d(s)
    logpdf = lambda x: -((x - m) / s + mp.exp(-(x - m) / s)) - mp.log(s)
    return dict(logpdf=logpdf, cdf=lambda x: mp.exp(-mp.exp(-(x - m) / s)),
                points=[m + k * s for k in (-3, -1, 0, 0.5, 2, 10, 40)],
                # Below loc − 8 scale the mass is e^(−e^8), far beyond 50 digits.
                **by_quadrature(logpdf, m - 8 * s, mp.inf, [m - 2 * s, m, m + 3 * s]))


def logistic(m, s):
    m, s = d(m), d(s)
    logpdf = lambda x: -(x - m) / s - 2 * mp.log1p(mp.exp(-(x - m) / s)) - mp.log(s)
    moments = by_quadrature(logpdf, -mp.inf, mp.inf, [m - 3 * s, m, m + 3 * s])
    moments["mean"] = m  # by symmetry: quadrature leaves ~1e-58 where the mean is 0
    return dict(logpdf=logpdf, cdf=lambda x: 1 / (1 + mp.exp(-(x - m) / s)),
                points=[m + k * s for k in (-700, -30, -1, 0, 0.5, 4, 30)], **moments)


def half_normal(s):
    s = d(s)
    logpdf = lambda x: mp.log(2) - x ** 2 / (2 * s * s) - mp.log(s) - mp.log(2 * mp.pi) / 2
    return dict(logpdf=logpdf, cdf=lambda x: mp.erf(x / (s * mp.sqrt(2))),
                points=[k * s for k in (0, 1e-3, 0.5, 1, 3, 20)],
                **by_quadrature(logpdf, 0, mp.inf, [s, 3 * s]))


def weibull(lam, k):
    lam, k = d(lam), d(k)
    logpdf = lambda x: mp.log(k / lam) + (k - 1) * mp.log(x / lam) - (x / lam) ** k
    return dict(logpdf=logpdf, cdf=lambda x: -mp.expm1(-(x / lam) ** k),
                points=[lam * t for t in (1e-6, 0.1, 0.5, 1, 2, 5)],
                **by_quadrature(logpdf, 0, mp.inf, [lam / 10, lam, 3 * lam]))


def half_cauchy(s):
    s = d(s)
    logpdf = lambda x: mp.log(2 / (mp.pi * s)) - mp.log1p((x / s) ** 2)
    ent = mp.quad(lambda x: -logpdf(x) * mp.exp(logpdf(x)), [0, s, 10 * s, mp.inf])
    return dict(logpdf=logpdf, cdf=lambda x: 2 * mp.atan(x / s) / mp.pi, entropy=ent, mean=None, variance=None,
                points=[k * s for k in (0, 1e-3, 0.5, 1, 3, 1e3, 1e12)])


def pareto(s, a):
    s, a = d(s), d(a)
    logpdf = lambda x: mp.log(a) + a * mp.log(s) - (a + 1) * mp.log(x)
    moments = by_quadrature(logpdf, s, mp.inf, [2 * s, 10 * s])
    if a <= 2:
        moments["variance"] = None
    if a <= 1:
        moments["mean"] = None
    return dict(logpdf=logpdf, cdf=lambda x: 1 - (s / x) ** a,
                points=[s * t for t in (1, 1 + mp.mpf("1e-9"), 1.5, 3, 100, 1e10)], **moments)


def chi2(k):
    k = d(k)
    logpdf = lambda x: (k / 2 - 1) * mp.log(x) - x / 2 - k / 2 * mp.log(2) - mp.loggamma(k / 2)
    return dict(logpdf=logpdf, cdf=lambda x: gamma_p(k / 2, x / 2),
                points=[k * t for t in (1e-8, 0.01, 0.5, 1, 2, 5, 30)],
                **by_quadrature(logpdf, 0, mp.inf, [k / 10, k, 3 * k + 6]))


def inverse_gamma(a, b):
    a, b = d(a), d(b)
    logpdf = lambda x: a * mp.log(b) - (a + 1) * mp.log(x) - b / x - mp.loggamma(a)
    moments = by_quadrature(logpdf, 0, mp.inf, [b / (a + 1) / 10, b / (a + 1), 10 * b / (a + 1)])
    if a <= 2:
        moments["variance"] = None
    if a <= 1:
        moments["mean"] = None
    return dict(logpdf=logpdf, cdf=lambda x: mp.gammainc(a, b / x, mp.inf, regularized=True),
                points=[b / (a + 1) * t for t in (0.01, 0.3, 1, 2, 10, 1e4)], **moments)


def kumaraswamy(a, b):
    a, b = d(a), d(b)
    logpdf = lambda x: mp.log(a * b) + (a - 1) * mp.log(x) + (b - 1) * mp.log1p(-x ** a)
    moments = by_quadrature(logpdf, 0, 1, [mp.mpf("0.001"), mp.mpf("0.5"), mp.mpf("0.999")])
    return dict(logpdf=logpdf, cdf=lambda x: -mp.expm1(b * mp.log1p(-x ** a)),
                points=[mp.mpf(x) for x in ("1e-9", "0.05", "0.3", "0.5", "0.8", "0.999")], **moments)


def continuous_bernoulli(lam):
    lam = d(lam)
    norm = 2 if lam == mp.mpf(1) / 2 else 2 * mp.atanh(1 - 2 * lam) / (1 - 2 * lam)
    # At λ = ½ the density is 1 exactly (the general form leaves 1e-52 at 50 digits).
    logpdf = (lambda x: mp.log(norm) + x * mp.log(lam) + (1 - x) * mp.log1p(-lam)) if norm != 2 else lambda x: 0
    moments = by_quadrature(logpdf, 0, 1, [mp.mpf("0.5")])
    return dict(logpdf=logpdf, cdf=lambda x: mp.quad(lambda y: mp.exp(logpdf(y)), [0, x]),
                points=[mp.mpf(x) for x in ("1e-9", "0.3", "0.5", "0.9")], **moments)


def von_mises(m, k):
    m, k = d(m), d(k)
    logpdf = lambda x: k * mp.cos(x - m) - mp.log(2 * mp.pi * mp.besseli(0, k))
    nodes = sorted({-mp.pi, m, mp.pi})
    ent = mp.quad(lambda x: -logpdf(x) * mp.exp(logpdf(x)), nodes)
    # The circular mean and PyTorch's circular variance 1 − I₁/I₀, as kls reports them.
    def cdf(x):
        # Nodes crowding geometrically toward each peak of the integrand (x and the mode), where a
        # narrow density's mass sits.
        ends = sorted({-mp.pi, x} | ({m} if m < x else set()))
        nodes = set(ends)
        for lo, hi in zip(ends, ends[1:]):
            nodes |= {hi - (hi - lo) * mp.mpf(2) ** -j for j in range(60)}
            nodes |= {lo + (hi - lo) * mp.mpf(2) ** -j for j in range(60)}
        return mp.quad(lambda y: mp.exp(logpdf(y)), sorted(nodes))
    return dict(logpdf=logpdf, cdf=cdf,
                entropy=ent, mean=m, variance=1 - mp.besseli(1, k) / mp.besseli(0, k),
                points=[mp.mpf(x) for x in ("-3", "-1", "0", "0.3", "1", "3")])


def counts(logpmf, last, points, mean, variance, bounded=False):
    """A count family: the cdf and entropy by summing its masses (to `last`, past which they are negligible,
    or, `bounded`, which is the largest count)."""
    masses = [mp.exp(logpmf(k)) for k in range(last + 1)]
    tail = lambda x: 0 if bounded else mp.fsum(mp.exp(logpmf(k)) for k in range(int(x) + 1, int(x) + 4000))
    cdf = lambda x: mp.fsum(masses[:int(x) + 1]) if x < last else 1 - tail(x)
    ent = -mp.fsum(m * logpmf(k) for k, m in enumerate(masses) if m > 0)
    return dict(logpdf=logpmf, cdf=cdf, entropy=ent, mean=mean, variance=variance, points=[mp.mpf(k) for k in points])


def poisson(lam):
    lam = d(lam)
    last = int(lam + 40 * mp.sqrt(lam) + 100)
    return counts(lambda k: k * mp.log(lam) - lam - mp.loggamma(k + 1), last,
                  sorted({0, 1, int(lam), int(lam + 3 * mp.sqrt(lam)) + 1, int(lam / 2)}), lam, lam)


def geometric(prob):
    prob = d(prob)
    last = int(120 / -mp.log1p(-prob)) + 10
    return counts(lambda k: k * mp.log1p(-prob) + mp.log(prob), last, [0, 1, 3, int(3 / prob)],
                  (1 - prob) / prob, (1 - prob) / prob ** 2)


def binomial(n, prob):
    prob = d(prob)
    logpmf = lambda k: (mp.loggamma(n + 1) - mp.loggamma(k + 1) - mp.loggamma(n - k + 1) + k * mp.log(prob)
                        + (n - k) * mp.log1p(-prob))
    return counts(logpmf, n, sorted({0, 1, int(n * prob), n - 1, n}), n * prob, n * prob * (1 - prob), bounded=True)


def negative_binomial(r, prob):
    r, prob = d(r), d(prob)
    mean = r * prob / (1 - prob)
    last = int(mean + 40 * mp.sqrt(mean / (1 - prob)) + 150 / -mp.log(prob))
    logpmf = lambda k: (mp.loggamma(k + r) - mp.loggamma(r) - mp.loggamma(k + 1) + k * mp.log(prob)
                        + r * mp.log1p(-prob))
    return counts(logpmf, last, sorted({0, 1, int(mean), int(3 * mean) + 2}), mean, mean / (1 - prob))


CASES = [
    ("Normal(0, 1)", normal(0, 1)), ("Normal(1e6, 0.001)", normal(10**6, "0.001")),
    ("Normal(-3, 1e5)", normal(-3, 10**5)),
    ("Laplace(0.5, 2)", laplace("0.5", 2)), ("Laplace(-1e4, 1e-3)", laplace(-10**4, "1e-3")),
    ("StudentT(0.5)", student("0.5")), ("StudentT(1, 2, 3)", student(1, 2, 3)), ("StudentT(2.5)", student("2.5")),
    ("StudentT(30, -1, 0.5)", student(30, -1, "0.5")), ("StudentT(1e6)", student(10**6)),
    ("Uniform(-2, 5)", uniform(-2, 5)), ("Uniform(1e6, 1000001)", uniform(10**6, 10**6 + 1)),
    ("Exponential(1)", exponential(1)), ("Exponential(3e-5)", exponential("3e-5")),
    ("Gamma(0.001, 1)", gamma("0.001", 1)), ("Gamma(0.5, 2)", gamma("0.5", 2)), ("Gamma(7.5, 1)", gamma("7.5", 1)),
    ("Gamma(150, 3)", gamma(150, 3)), ("Gamma(1e4, 1)", gamma(10**4, 1)), ("Gamma(1e8, 1)", gamma(10**8, 1)),
    ("Gamma(1e10, 1e5)", gamma(10**10, 10**5)),
    ("Beta(0.5, 0.5)", beta("0.5", "0.5")), ("Beta(0.001, 2)", beta("0.001", 2)), ("Beta(2, 3)", beta(2, 3)),
    ("Beta(50, 70)", beta(50, 70)), ("Beta(1000, 2000)", beta(1000, 2000)), ("Beta(1e5, 3e5)", beta(10**5, 3 * 10**5)),
    ("Beta(1e7, 1e7)", beta(10**7, 10**7)), ("Beta(0.3, 1e4)", beta("0.3", 10**4)),
    ("LogNormal(0, 1)", lognormal(0, 1)), ("LogNormal(3, 0.01)", lognormal(3, "0.01")),
    ("LogNormal(-2, 3)", lognormal(-2, 3)),
    ("Cauchy(0, 1)", cauchy(0, 1)), ("Cauchy(-3, 0.25)", cauchy(-3, "0.25")),
    ("Gumbel(0, 1)", gumbel(0, 1)), ("Gumbel(2, 0.5)", gumbel(2, "0.5")),
    ("Logistic(0, 1)", logistic(0, 1)), ("Logistic(-1, 3)", logistic(-1, 3)),
    ("HalfNormal(1)", half_normal(1)), ("HalfNormal(0.01)", half_normal("0.01")),
    ("Weibull(1, 1.5)", weibull(1, "1.5")), ("Weibull(2, 0.5)", weibull(2, "0.5")),
    ("Weibull(0.3, 4)", weibull("0.3", 4)),
    ("HalfCauchy(1)", half_cauchy(1)), ("HalfCauchy(0.05)", half_cauchy("0.05")),
    ("Pareto(1, 3)", pareto(1, 3)), ("Pareto(2.5, 0.7)", pareto("2.5", "0.7")),
    ("Pareto(0.1, 1.5)", pareto("0.1", "1.5")),
    ("Chi2(1)", chi2(1)), ("Chi2(3)", chi2(3)), ("Chi2(0.5)", chi2("0.5")), ("Chi2(250)", chi2(250)),
    ("InverseGamma(3, 2)", inverse_gamma(3, 2)), ("InverseGamma(0.5, 1)", inverse_gamma("0.5", 1)),
    ("InverseGamma(40, 0.01)", inverse_gamma(40, "0.01")),
    ("Kumaraswamy(2, 5)", kumaraswamy(2, 5)), ("Kumaraswamy(0.5, 0.5)", kumaraswamy("0.5", "0.5")),
    ("Kumaraswamy(5, 0.3)", kumaraswamy(5, "0.3")),
    ("ContinuousBernoulli(0.3)", continuous_bernoulli("0.3")),
    ("ContinuousBernoulli(0.5)", continuous_bernoulli("0.5")),
    ("ContinuousBernoulli(0.499)", continuous_bernoulli("0.499")),
    ("ContinuousBernoulli(0.51)", continuous_bernoulli("0.51")),
    ("ContinuousBernoulli(1e-6)", continuous_bernoulli("1e-6")),
    ("ContinuousBernoulli(0.97)", continuous_bernoulli("0.97")),
    ("VonMises(0.5, 2)", von_mises("0.5", 2)), ("VonMises(-2, 0.01)", von_mises(-2, "0.01")),
    ("VonMises(1, 29.9)", von_mises(1, "29.9")), ("VonMises(0, 30.5)", von_mises(0, "30.5")),
    ("VonMises(0, 400)", von_mises(0, 400)),
    ("Poisson(3.5)", poisson("3.5")), ("Poisson(0.001)", poisson("0.001")), ("Poisson(250)", poisson(250)),
    ("Poisson(2e4)", poisson(20000)),
    ("Geometric(0.3)", geometric("0.3")), ("Geometric(0.999)", geometric("0.999")),
    ("Geometric(1e-3)", geometric("1e-3")),
    ("Binomial(10, 0.3)", binomial(10, "0.3")), ("Binomial(1, 0.5)", binomial(1, "0.5")),
    ("Binomial(2000, 0.01)", binomial(2000, "0.01")), ("Binomial(500, 0.999)", binomial(500, "0.999")),
    ("NegativeBinomial(3, 0.4)", negative_binomial(3, "0.4")),
    ("NegativeBinomial(0.1, 0.9)", negative_binomial("0.1", "0.9")),
    ("NegativeBinomial(200, 0.05)", negative_binomial(200, "0.05")),
]


def number(v):
    return mp.nstr(v, 17)


def usable(v):
    return v is not None and mp.isfinite(v) and (v == 0 or abs(v) >= TINY) and abs(v) < mp.mpf("1e308")


lines = [
    "# Every scalar family against mpmath at 50 digits: logpdf, cdf, entropy, mean, variance.",
    "# Generated by Tests/References/families.py; do not edit by hand.",
]
count = 0
for name, f in CASES:
    for x in f["points"]:
        xs = mp.nstr(x, 17)
        x = d(xs)  # the double kls reads
        for what in ("logpdf", "cdf"):
            v = f[what](x)
            if usable(v):
                lines.append(f"assert_close({what}({name}, {xs}), {number(v)}, rtol=1e-10, atol=1e-300)")
                count += 1
    for what in ("entropy", "mean", "variance"):
        v = f[what]
        if usable(v):
            call = "var" if what == "variance" else what
            lines.append(f"assert_close({call}({name}), {number(v)}, rtol=1e-10, atol=1e-300)")
            count += 1
# Same-family KL where the textbook formulas cancel: large shapes, and q ≈ p.
def kl_beta(a1, b1, a2, b2):
    a1, b1, a2, b2 = map(d, (a1, b1, a2, b2))
    return (mp.log(mp.beta(a2, b2)) - mp.log(mp.beta(a1, b1)) + (a1 - a2) * mp.digamma(a1)
            + (b1 - b2) * mp.digamma(b1) + (a2 - a1 + b2 - b1) * mp.digamma(a1 + b1))


def kl_gamma(a1, r1, a2, r2):
    a1, r1, a2, r2 = map(d, (a1, r1, a2, r2))
    return ((a1 - a2) * mp.digamma(a1) - mp.loggamma(a1) + mp.loggamma(a2) + a2 * (mp.log(r1) - mp.log(r2))
            + a1 * (r2 - r1) / r1)


def kl_normal(m1, s1, m2, s2):
    m1, s1, m2, s2 = map(d, (m1, s1, m2, s2))
    return mp.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - mp.mpf(1) / 2


def kl_laplace(m1, b1, m2, b2):
    m1, b1, m2, b2 = map(d, (m1, b1, m2, b2))
    t = abs(m1 - m2)
    return mp.log(b2 / b1) + t / b2 + b1 / b2 * mp.exp(-t / b1) - 1


def kl_by_sum(q, p, last):
    return mp.fsum(mp.exp(q["logpdf"](k)) * (q["logpdf"](k) - p["logpdf"](k)) for k in range(last + 1))


def kl_by_quadrature(q, p, nodes):
    return mp.quad(lambda x: mp.exp(q["logpdf"](x)) * (q["logpdf"](x) - p["logpdf"](x)), nodes)


KL_CASES = [
    ("Beta(1e5, 3e5)", "Beta(100100, 3e5)", kl_beta(1e5, 3e5, 100100, 3e5)),
    ("Beta(1e7, 1e7)", "Beta(1e7, 1.001e7)", kl_beta(1e7, 1e7, 1e7, 1.001e7)),
    ("Beta(50, 70)", "Beta(52, 69)", kl_beta(50, 70, 52, 69)),
    ("Beta(0.5, 0.5)", "Beta(2, 3)", kl_beta("0.5", "0.5", 2, 3)),
    ("Beta(30, 1e-3)", "Beta(25, 0.01)", kl_beta(30, "1e-3", 25, "0.01")),
    ("Gamma(1e8, 1)", "Gamma(1.0001e8, 1)", kl_gamma(1e8, 1, 1.0001e8, 1)),
    ("Gamma(1e4, 2)", "Gamma(1.01e4, 2.01)", kl_gamma(1e4, 2, 1.01e4, "2.01")),
    ("Gamma(1e10, 1e5)", "Gamma(1e10, 1.00001e5)", kl_gamma(1e10, 1e5, 1e10, "1.00001e5")),
    ("Gamma(0.01, 1)", "Gamma(30, 2)", kl_gamma("0.01", 1, 30, 2)),
    ("Exponential(1)", "Exponential(1.000001)", kl_gamma(1, 1, 1, "1.000001")),
    ("Normal(0, 1)", "Normal(1e-4, 1.000001)", kl_normal(0, 1, "1e-4", "1.000001")),
    ("Normal(3, 1e-3)", "Normal(-2, 50)", kl_normal(3, "1e-3", -2, 50)),
    ("LogNormal(1, 0.5)", "LogNormal(1, 0.5000001)", kl_normal(1, "0.5", 1, "0.5000001")),
    ("Laplace(0, 1)", "Laplace(1e-5, 1.00001)", kl_laplace(0, 1, "1e-5", "1.00001")),
    ("Laplace(2, 0.3)", "Laplace(-1, 4)", kl_laplace(2, "0.3", -1, 4)),
    ("Cauchy(0, 1)", "Cauchy(1, 2)", kl_by_quadrature(cauchy(0, 1), cauchy(1, 2), [-mp.inf, -1, 0, 1, mp.inf])),
    ("Cauchy(0, 1)", "Cauchy(1e-6, 1.000001)",
     kl_by_quadrature(cauchy(0, 1), cauchy("1e-6", "1.000001"), [-mp.inf, -1, 0, 1, mp.inf])),
    ("Gumbel(0, 1)", "Gumbel(1, 2)", kl_by_quadrature(gumbel(0, 1), gumbel(1, 2), [-8, -2, 0, 3, mp.inf])),
    ("Gumbel(2, 0.5)", "Gumbel(-1, 0.7)",
     kl_by_quadrature(gumbel(2, "0.5"), gumbel(-1, "0.7"), [-2, 1, 2, 4, mp.inf])),
    ("HalfNormal(1)", "HalfNormal(2)", kl_by_quadrature(half_normal(1), half_normal(2), [0, 1, 3, mp.inf])),
    ("HalfCauchy(1)", "HalfCauchy(3)", kl_by_quadrature(half_cauchy(1), half_cauchy(3), [0, 1, 3, 100, mp.inf])),
    ("Pareto(2, 3)", "Pareto(1, 1.5)", kl_by_quadrature(pareto(2, 3), pareto(1, "1.5"), [2, 4, 20, mp.inf])),
    ("Pareto(1, 3)", "Pareto(1, 3.0000001)",
     kl_by_quadrature(pareto(1, 3), pareto(1, "3.0000001"), [1, 2, 20, mp.inf])),
    ("Chi2(3)", "Chi2(5)", kl_by_quadrature(chi2(3), chi2(5), [0, 1, 3, 10, mp.inf])),
    ("InverseGamma(3, 2)", "InverseGamma(2, 1)",
     kl_by_quadrature(inverse_gamma(3, 2), inverse_gamma(2, 1), [0, "0.1", "0.5", 2, 20, mp.inf])),
    ("ContinuousBernoulli(0.3)", "ContinuousBernoulli(0.8)",
     kl_by_quadrature(continuous_bernoulli("0.3"), continuous_bernoulli("0.8"), [0, "0.5", 1])),
    ("ContinuousBernoulli(0.5)", "ContinuousBernoulli(0.4999)",
     kl_by_quadrature(continuous_bernoulli("0.5"), continuous_bernoulli("0.4999"), [0, "0.5", 1])),
    # Pairs of different families that PyTorch registers (and Chi2 inheriting Gamma's, as its subclass does).
    ("Exponential(2)", "Gumbel(0.5, 1.5)", kl_by_quadrature(exponential(2), gumbel("0.5", "1.5"), [0, 1, 5, mp.inf])),
    ("Gamma(3, 2)", "Gumbel(1, 0.7)", kl_by_quadrature(gamma(3, 2), gumbel(1, "0.7"), [0, 1, 3, 10, mp.inf])),
    ("Normal(0.3, 0.8)", "Gumbel(0, 2)",
     kl_by_quadrature(normal("0.3", "0.8"), gumbel(0, 2), [-mp.inf, -3, "0.3", 4, mp.inf])),
    ("Uniform(-1, 2)", "Gumbel(0, 1)", kl_by_quadrature(uniform(-1, 2), gumbel(0, 1), [-1, 0, 2])),
    ("Gumbel(1, 2)", "Normal(0, 3)", kl_by_quadrature(gumbel(1, 2), normal(0, 3), [-15, -3, 1, 6, mp.inf])),
    ("Pareto(1, 3)", "Exponential(0.5)", kl_by_quadrature(pareto(1, 3), exponential("0.5"), [1, 2, 10, mp.inf])),
    ("Pareto(1, 3.5)", "Gamma(2, 1)", kl_by_quadrature(pareto(1, "3.5"), gamma(2, 1), [1, 2, 10, mp.inf])),
    ("Pareto(2, 4)", "Normal(3, 2)", kl_by_quadrature(pareto(2, 4), normal(3, 2), [2, 3, 10, mp.inf])),
    ("Uniform(2, 5)", "Pareto(1.5, 2)", kl_by_quadrature(uniform(2, 5), pareto("1.5", 2), [2, 5])),
    ("Beta(2, 3)", "ContinuousBernoulli(0.3)",
     kl_by_quadrature(beta(2, 3), continuous_bernoulli("0.3"), [0, "0.5", 1])),
    ("Uniform(0.2, 0.7)", "ContinuousBernoulli(0.8)",
     kl_by_quadrature(uniform("0.2", "0.7"), continuous_bernoulli("0.8"), ["0.2", "0.7"])),
    ("ContinuousBernoulli(0.3)", "Exponential(2)",
     kl_by_quadrature(continuous_bernoulli("0.3"), exponential(2), [0, "0.5", 1])),
    ("ContinuousBernoulli(0.7)", "Normal(0.5, 1)",
     kl_by_quadrature(continuous_bernoulli("0.7"), normal("0.5", 1), [0, "0.5", 1])),
    ("ContinuousBernoulli(0.2)", "Uniform(-1, 1)",
     kl_by_quadrature(continuous_bernoulli("0.2"), uniform(-1, 1), [0, "0.5", 1])),
    ("Chi2(3)", "Gamma(2, 1)", kl_by_quadrature(chi2(3), gamma(2, 1), [0, 1, 3, 10, mp.inf])),
    ("Gamma(2, 1)", "Chi2(3)", kl_by_quadrature(gamma(2, 1), chi2(3), [0, 1, 3, 10, mp.inf])),
    ("Chi2(3)", "Gumbel(2, 2)", kl_by_quadrature(chi2(3), gumbel(2, 2), [0, 1, 3, 10, mp.inf])),
    ("Exponential(1)", "Chi2(2.5)", kl_by_quadrature(exponential(1), chi2("2.5"), [0, 1, 3, 10, mp.inf])),
    ("VonMises(0.5, 2)", "VonMises(-1, 0.7)",
     kl_by_quadrature(von_mises("0.5", 2), von_mises(-1, "0.7"), [-mp.pi, -1, "0.5", mp.pi])),
    ("VonMises(0, 50)", "VonMises(0.01, 40)",
     kl_by_quadrature(von_mises(0, 50), von_mises("0.01", 40), [-mp.pi, -0.3, 0, 0.3, mp.pi])),
    ("Poisson(3.5)", "Poisson(5)", kl_by_sum(poisson("3.5"), poisson(5), 200)),
    ("Poisson(250)", "Poisson(250.001)", kl_by_sum(poisson(250), poisson("250.001"), 800)),
    ("Geometric(0.3)", "Geometric(0.5)", kl_by_sum(geometric("0.3"), geometric("0.5"), 600)),
    ("Binomial(10, 0.3)", "Binomial(10, 0.5)", kl_by_sum(binomial(10, "0.3"), binomial(10, "0.5"), 10)),
    ("Binomial(5, 0.3)", "Binomial(10, 0.5)", kl_by_sum(binomial(5, "0.3"), binomial(10, "0.5"), 5)),
    ("Binomial(40, 0.25)", "Binomial(41, 0.25)", kl_by_sum(binomial(40, "0.25"), binomial(41, "0.25"), 40)),
    ("Bernoulli(0.3)", "Poisson(2)",
     kl_by_sum(dict(logpdf=lambda k: mp.log(d("0.3")) if k == 1 else mp.log1p(-d("0.3"))), poisson(2), 1)),
]
for q, p, v in KL_CASES:
    lines.append(f"assert_close(kl({q}, {p}), {number(v)}, rtol=1e-10, atol=1e-300)")
    count += 1
# The discrete families, mixtures and the multivariate Gaussians.
def mv_normal(mean, cov, x):
    mean, x = mp.matrix([d(v) for v in mean]), mp.matrix([d(v) for v in x])
    cov = mp.matrix([[d(v) for v in row] for row in cov])
    k = len(mean)
    diff = x - mean
    quad = (diff.T * mp.inverse(cov) * diff)[0]
    det = mp.det(cov)
    return -quad / 2 - mp.log(det) / 2 - k * mp.log(2 * mp.pi) / 2, k * (1 + mp.log(2 * mp.pi)) / 2 + mp.log(det) / 2


OTHER = []
for prob in ("0.3", "1e-9", "0.999999"):
    pr = d(prob)
    OTHER += [(f"logpdf(Bernoulli({prob}), 1)", mp.log(pr)), (f"logpdf(Bernoulli({prob}), 0)", mp.log1p(-pr)),
              (f"entropy(Bernoulli({prob}))", -pr * mp.log(pr) - (1 - pr) * mp.log1p(-pr)),
              (f"var(Bernoulli({prob}))", pr * (1 - pr))]
probs = [d("0.2"), d("0.5"), d("0.3")]
total = sum(probs)
OTHER += [("logpdf(Categorical([0.2, 0.5, 0.3]), 1)", mp.log(probs[1] / total)),
          ("entropy(Categorical([0.2, 0.5, 0.3]))", -sum(q / total * mp.log(q / total) for q in probs))]
w = [d("0.3"), d("0.7")]
for x in ("-21", "-2", "0.5", "20.7", "60"):
    xv = d(x)
    dens = [normal(-20, "0.1")["logpdf"](xv), normal(20, 1)["logpdf"](xv)]
    cdfs = [mp.ncdf(xv, -20, d("0.1")), mp.ncdf(xv, 20, 1)]
    OTHER.append((f"logpdf(Mixture([0.3, 0.7], [Normal(-20, 0.1), Normal(20, 1)]), {x})",
                  mp.log(w[0] * mp.exp(dens[0]) + w[1] * mp.exp(dens[1]))))
    OTHER.append((f"cdf(Mixture([0.3, 0.7], [Normal(-20, 0.1), Normal(20, 1)]), {x})", w[0] * cdfs[0] + w[1] * cdfs[1]))
cov = [["2", "0.3", "0.1"], ["0.3", "1", "-0.4"], ["0.1", "-0.4", "0.5"]]
for x in (["0", "0", "0"], ["1.5", "-2", "0.3"], ["30", "-10", "4"]):
    lp, ent = mv_normal(["0.5", "-1", "0.2"], cov, x)
    OTHER.append((f"logpdf(MvNormal([0.5, -1, 0.2], [[2, 0.3, 0.1], [0.3, 1, -0.4], [0.1, -0.4, 0.5]]), "
                   f"[{', '.join(x)}])", lp))
OTHER.append(("entropy(MvNormal([0.5, -1, 0.2], [[2, 0.3, 0.1], [0.3, 1, -0.4], [0.1, -0.4, 0.5]]))", ent))
lp, ent = mv_normal(["0", "1"], [["1e-6", "0"], ["0", "4"]], ["1e-3", "3"])
OTHER += [("logpdf(DiagNormal([0, 1], [1e-3, 2]), [1e-3, 3])", lp), ("entropy(DiagNormal([0, 1], [1e-3, 2]))", ent)]
# The vector families: Dirichlet, OneHotCategorical and LowRankMultivariateNormal (an MvNormal of W Wᵀ + D).
alpha = [d(2), d(3), d(5)]
a0 = sum(alpha)
log_beta = sum(mp.loggamma(a) for a in alpha) - mp.loggamma(a0)
point = [d("0.2"), d("0.3"), d("0.5")]
OTHER += [("logpdf(Dirichlet([2, 3, 5]), [0.2, 0.3, 0.5])",
           sum((a - 1) * mp.log(x) for a, x in zip(alpha, point)) - log_beta),
          ("entropy(Dirichlet([2, 3, 5]))",
           log_beta + (a0 - 3) * mp.digamma(a0) - sum((a - 1) * mp.digamma(a) for a in alpha)),
          ("var(Dirichlet([2, 3, 5]))[2]", alpha[2] * (a0 - alpha[2]) / (a0 ** 2 * (a0 + 1)))]
beta_p = [d("0.5"), d(1), d(4)]
b0 = sum(beta_p)
OTHER.append(("kl(Dirichlet([2, 3, 5]), Dirichlet([0.5, 1, 4]))",
              mp.loggamma(a0) - mp.loggamma(b0) - sum(mp.loggamma(a) - mp.loggamma(b) for a, b in zip(alpha, beta_p))
              + sum((a - b) * (mp.digamma(a) - mp.digamma(a0)) for a, b in zip(alpha, beta_p))))
onehot = [mp.mpf(1) / 4, mp.mpf(1) / 2, mp.mpf(1) / 4]
OTHER += [("logpdf(OneHotCategorical([1, 2, 1]), [0, 1, 0])", mp.log(onehot[1])),
          ("entropy(OneHotCategorical([1, 2, 1]))", -sum(q * mp.log(q) for q in onehot)),
          ("kl(OneHotCategorical([1, 2, 1]), OneHotCategorical([1, 1, 1]))",
           sum(q * mp.log(3 * q) for q in onehot))]
factor = mp.matrix([[d(1)], [d("0.5")], [d(-1)]])
low_rank = factor * factor.T + mp.diag([d("0.1"), d("0.2"), d("0.3")])
low_rank_call = "LowRankMultivariateNormal([0, 0, 0], [[1], [0.5], [-1]], [0.1, 0.2, 0.3])"
lp, ent = mv_normal(["0", "0", "0"], [[str(low_rank[i, j]) for j in range(3)] for i in range(3)], ["0.1", "0.2", "0.3"])
OTHER += [(f"logpdf({low_rank_call}, [0.1, 0.2, 0.3])", lp), (f"entropy({low_rank_call})", ent),
          (f"kl({low_rank_call}, StdNormal(3))",
           (sum(low_rank[i, i] for i in range(3)) - 3 - mp.log(mp.det(low_rank))) / 2)]
for call, v in OTHER:
    if usable(v):
        lines.append(f"assert_close({call}, {number(v)}, rtol=1e-10, atol=1e-300)")
        count += 1
lines.append(f'print("families: {count} values agree")')
scripts = pathlib.Path(__file__).resolve().parents[2] / "Tests/EndToEndTests/Scripts"
(scripts / "families-reference.kls").write_text("\n".join(lines) + "\n")
(scripts / "families-reference.out").write_text(f"families: {count} values agree\n")
print(count)
