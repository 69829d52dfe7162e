/// Every scalar family, each registered once, here: the language makes each
/// one's constructor (Normal's own, which also takes `logvar=` and `var=`,
/// aside), the KL registry takes each one's closed form, and gradients reach
/// each reparameterised one through its own formulas.
public enum ScalarFamilies {
    public static let all: [any ScalarFamily.Type] = [
        NormalFamily.self, LaplaceFamily.self, StudentTFamily.self, UniformFamily.self, ExponentialFamily.self,
        GammaFamily.self, BetaFamily.self, LogNormalFamily.self, BernoulliFamily.self, CauchyFamily.self,
        GumbelFamily.self, LogisticFamily.self, HalfNormalFamily.self, WeibullFamily.self,
        HalfCauchyFamily.self, ParetoFamily.self, Chi2Family.self, InverseGammaFamily.self, KumaraswamyFamily.self,
        ContinuousBernoulliFamily.self, VonMisesFamily.self, PoissonFamily.self, GeometricFamily.self,
        BinomialFamily.self, NegativeBinomialFamily.self,
    ]
}
