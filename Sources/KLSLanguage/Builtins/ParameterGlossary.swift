/// What a parameter name means wherever it appears: kls, like NumPy, gives a
/// name one meaning across its builtins (`axis`, `keepdims`, `seed`, `q`, `p`),
/// so it is explained once here. A parameter whose meaning differs says so
/// where it is declared (`Parameter.meaning`).
public enum ParameterGlossary {
    /// The shared meaning of parameter `name`, if it has one.
    public static func meaning(of name: String) -> String? { meanings[name] }

    static let meanings: [String: String] = [
        // Tensors
        "x": "a number or tensor (a list becomes one)",
        "y": "a second number or tensor, broadcast against x",
        "shape": "a length, or a list of lengths ([2, 3]: 2 rows, 3 columns)",
        "axis": "the axis to work along, or a list of them; negative counts from the end; none: every element",
        "keepdims": "true keeps each reduced axis with length 1, so the result broadcasts against x",
        "ddof": "delta degrees of freedom: divide by N − ddof (0: NumPy's default, 1: the sample variance)",
        "tensors": "a list of tensors to join",
        "condition": "true (non-zero) where to take the first choice",
        "full": "true shows every element instead of an abbreviated view with …",
        "digits": "significant digits, 1 to 17",
        // Random and distributions
        "seed": "a number: the call draws from that seed's stream, from its start, the same numbers every time; "
            + "none: it continues the session's stream",
        "dist": "a distribution",
        "mean": "the mean (a number or tensor; parameters broadcast to the batch shape)",
        "std": "the standard deviation, > 0 (give one of std, logvar=, var=)",
        "logvar": "the log-variance, as a VAE's encoder outputs it: std = exp(logvar / 2)",
        "var": "the variance, > 0",
        "loc": "the location (centre)",
        "scale": "the scale, > 0",
        "rate": "the rate, > 0 (the mean is 1/rate for Exponential)",
        "z": "draws, as sample returns them: [n] + the distribution's shape",
        // KL divergence
        "q": "the distribution the draws come from: in a VAE, the encoder's posterior q(z|x)",
        "p": "the distribution compared against: in a VAE, the prior p(z)",
        "n": "how many draws",
        "estimator": "the per-draw term averaged: k1 = log q/p (unbiased, noisy, can be negative), "
            + "k2 = ½(log q/p)² (biased, low variance), k3 = (r − 1) − log r with r = p/q "
            + "(unbiased, never negative); kl_mc's cv = k1 + λ(r − 1) with λ fitted; see ?estimators",
        "samples": "draws of q to use instead of drawing new ones ([n] + q's shape)",
        "logratio": "per-draw log q(z) − log p(z) for draws z from q, [n] or [n] + a batch",
        // Gradients
        "f": "a function: a lambda, a function you defined, or a builtin",
        "argnums": "which argument to differentiate: its index, or a list of indices",
        "rtol": "relative tolerance",
        "atol": "absolute tolerance",
        // Plots and files
        "file": "a path ending in .svg: write the picture there instead of drawing it in the terminal",
        "title": "text above the picture",
        "xlabel": "the label under the x axis",
        "ylabel": "the label beside the y axis",
        "path": "a file path (~ is your home folder)",
    ]
}
