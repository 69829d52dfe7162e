import Testing

/// Bad input must end in a clear error (exit 1, `-e:LINE:COL: error: …`), never a
/// crash, a trap or a hang.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var source: String
        var message: String
        var location = "1:"
        var testDescription: String { source.count > 40 ? String(source.prefix(40)) + "…" : source }
    }

    static let cases: [Case] = [
        // Syntax
        Case(source: "1 +", message: "expected an expression, but the input ended"),
        Case(source: "(1 2)", message: "expected ')'"),
        Case(source: "(1, 2", message: "expected ',' or ')'"),
        Case(source: "print(1", message: "input ended"),
        Case(source: "\"open", message: "unterminated string"),
        Case(source: "'a'", message: "strings use double quotes"),
        Case(source: "x = 3 $ 4", message: "unexpected character '$'", location: "1:7:"),
        Case(source: "1 2", message: "after the end of a statement", location: "1:3:"),
        // An unknown keyword is underlined itself, not its value.
        Case(
            source: "DiagNormal(zeros(2), log_var=zeros(2))", message: "DiagNormal has no parameter 'log_var'",
            location: "1:22:"),
        Case(source: "2x", message: "write 2 * x"),
        Case(source: "1 < 2 < 3", message: "comparisons cannot be chained"),
        Case(source: "x = 1; x[0] = 1", message: "cannot assign into a number by index", location: "1:8:"),
        Case(source: "r = record(a=[1]); r.a[0] = 1", message: "only a variable can be assigned into by index"),
        Case(source: "x = zeros(2); x[:] = [1, 2, 3]", message: "cannot assign a value of shape [3]"),
        Case(source: "break", message: "'break' outside a loop"),
        Case(source: "while true { f = () -> continue }", message: "'continue' outside a loop"),
        Case(source: "{a: 1, a: 2}", message: "field 'a' appears twice"),
        Case(source: "{a: 1", message: "expected ',' or '}'"),
        Case(source: "load(\"/nonexistent/x.npy\")", message: "cannot read /nonexistent/x.npy: no such file"),
        Case(source: "load(\"/\", delimiter=\",\")", message: "cannot read /: it is a directory"),
        Case(source: "save(\"/nonexistent/x.npy\", 1)", message: "cannot write /nonexistent/x.npy"),
        Case(source: "save(\"x.npy\")", message: "nothing to save"),
        Case(source: "load(\"x.npy\", delimiter=\"ab\")", message: "must be one character"),
        Case(source: "precision(0)", message: "must be a whole number ≥ 1"),
        // Warnings, live pictures, interact and the plots' overlays
        Case(source: "warnings(\"loud\")", message: "mode must be \"default\", \"always\", \"error\" or \"ignore\""),
        Case(source: "warnings(1)", message: "must be a string"),
        Case(source: "minimize(x -> x^2, 1, live=2)", message: "live must be true or false"),
        Case(source: "interact(1, a=(0, 1))", message: "interact: f must be a function, got a number"),
        Case(source: "interact(x -> x)", message: "give at least one control"),
        Case(source: "interact(x -> x, y=(0, 1))", message: "has no parameter 'y'"),
        Case(source: "interact((x, y) -> x, x=(0, 1))", message: "parameter 'y' has no control and no default"),
        Case(source: "interact(x -> x, x=(1, 0))", message: "low must be below high"),
        Case(source: "interact(x -> x, x=(0, 1, -1))", message: "step must be above 0"),
        Case(source: "interact(x -> x, x=(0, 1, 0.1, 5))", message: "start 5 is outside 0…1"),
        Case(source: "interact(x -> x, x=(0, 1, 0.1, 0.5, 9))", message: "got 5 numbers"),
        Case(source: "interact(x -> x, x=[\"a\", 1])", message: "must be numeric"),
        Case(source: "interact(x -> x, x=inf)", message: "must be finite"),
        Case(source: "interact(x -> x + \"a\", x=(0, 1))", message: "cannot apply '+'"),
        Case(source: "plot([1, 2], points=[1, 2])", message: "points must have rows [x, y] or [x, y, err]"),
        Case(source: "plot([1, 2], rug=[1, 2], rug_sign=[1])", message: "rug_sign has 1 values for 2 rug ticks"),
        Case(source: "plot([1, 2], height=1000)", message: "height must be at most 100"),
        Case(source: "plot([1, 2], marks={a: \"x\"})", message: "marks.a"),
        Case(source: "contour([1, 2])", message: "z must be a matrix of at least 2 × 2"),
        Case(source: "contour(ones([3, 3]), x=[1, 2])", message: "x has 2 values and y 3"),
        Case(source: "contour(ones([3, 3]), levels=0)", message: "must be a whole number ≥ 1"),
        Case(source: "format(1, digits=40)", message: "from 1 to 17"),
        Case(source: "cholesky([[1, 2], [2, 1]])", message: "not positive definite"),
        Case(source: "solve([[1, 2], [2, 4]], [1, 1])", message: "singular"),
        Case(source: "inv(ones([2, 3]))", message: "needs square matrices"),
        Case(source: "quantile([1, 2], 2)", message: "between 0 and 1"),
        Case(source: "grad(x -> x)([1, 2])", message: "grad needs f to return one number"),
        Case(source: "grad(x -> sum(argsort(x)))([1, 2])", message: "grad cannot differentiate through argsort"),
        Case(source: "grad(3)", message: "grad: f must be a function"),
        Case(source: "grad(p -> kl_mc(Bernoulli(p), Bernoulli(0.5)).value)(0.3)", message: "Bernoulli has no pathwise"),
        Case(source: "minimize(x -> x, 1, lr=-1)", message: "lr must be positive"),
        Case(source: "gradcheck(x -> sum(x), [1], eps=0)", message: "eps must be positive"),
        Case(source: "1 = 2", message: "cannot assign to this expression"),
        Case(source: "f(a, a) = 1", message: "parameter 'a' appears twice"),
        Case(source: "f(1) = 2", message: "a function parameter must be a name"),
        Case(source: ")", message: "unmatched ')'"),
        Case(source: "[1, 2)", message: "does not match"),
        Case(source: "{ 1", message: "'{' is not closed"),
        Case(source: "\"a\\q\"", message: "unknown escape"),
        Case(
            source: String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000),
            message: "nested too deeply"),
        Case(source: "x = " + String(repeating: "-", count: 10_000) + "1", message: "nested too deeply"),
        // Names and calls
        Case(source: "undefined_thing", message: "unknown name 'undefined_thing'"),
        Case(source: "sigmoidd(1)", message: "did you mean 'sigmoid'?"),
        Case(source: "sum([1, 2], axs=0)", message: "did you mean 'axis'?"),
        Case(source: "a = 1; a()", message: "this is a number, not a function", location: "1:8:"),
        Case(source: "f(x) = x; f(1, 2)", message: "f takes 1 argument"),
        Case(source: "f(x) = x; f()", message: "missing argument 'x'"),
        Case(source: "exp()", message: "missing argument 'x'"),
        Case(source: "exp(1, 2)", message: "exp takes at most 1 argument"),
        Case(source: "exp(1, x=2)", message: "got two values for 'x'"),
        Case(source: "f(n) = f(n + 1); f(0)", message: "recursion too deep"),
        Case(source: "g() = { y = z_undefined; y }; g()", message: "unknown name 'z_undefined'"),
        // Types
        Case(source: "\"a\" * 2", message: "cannot apply '*' to a string and a number"),
        Case(source: "exp(\"a\")", message: "exp: x must be a number or tensor, got string"),
        Case(source: "full([2], \"x\")", message: "full: value must be a number"),
        Case(source: "if ones(3) { 1 }", message: "ambiguous"),
        Case(source: "for i in 5 { }", message: "cannot iterate over a number"),
        Case(source: "[1, 2].shap", message: "did you mean 'shape'?"),
        Case(source: "map(3, [1])", message: "map: f must be a function"),
        Case(source: "len(3)", message: "a scalar has no length"),
        Case(source: "3[0]", message: "cannot index a number"),
        Case(source: "zeros(1.5)", message: "must be a whole number"),
        Case(source: "zeros(-1)", message: "must be a whole number ≥ 0"),
        Case(source: "randn(3, seed=1.5)", message: "randn: seed must be a whole number"),
        Case(source: "seed(-1)", message: "seed: n must be a whole number ≥ 0"),
        // Shapes and indices
        Case(source: "[[1, 2], [3]] + 1", message: "ragged"),
        Case(source: "ones([2, 3]) + ones([3, 2])", message: "shapes [2, 3] and [3, 2] do not broadcast"),
        Case(source: "ones([2, 3]) @ ones([2, 3])", message: "do not align for @"),
        Case(source: "x = [1, 2, 3]; x[5]", message: "index 5 is out of bounds for axis 0 with size 3"),
        Case(source: "x = [1, 2, 3]; x[1, 2]", message: "too many indices"),
        Case(source: "x = [1, 2, 3]; x[::0]", message: "slice step cannot be zero"),
        Case(source: "sum(ones(3), axis=5)", message: "axis 5 is out of range"),
        Case(source: "reshape(arange(6), [4, -1])", message: "cannot reshape"),
        Case(source: "stack([ones(2), ones(3)])", message: "stack: tensor 1 has shape [3], expected [2]"),
        Case(source: "concat([])", message: "concat needs at least one tensor"),
        Case(source: "min([])", message: "min of an empty tensor"),
        Case(source: "transpose(ones([2, 3]), [0, 0])", message: "not a permutation"),
        // Resources
        Case(source: "zeros(1e12)", message: "over the memory limit"),
        Case(source: "randn([1e6, 1e6])", message: "over the memory limit"),
        Case(source: "zeros([1e10, 1e10, 1e10])", message: "too many elements"),
        Case(source: "arange(1e300)", message: "too many elements"),
        Case(source: "eye(1e6)", message: "over the memory limit"),
        Case(source: "arange(0, 1, step=0)", message: "step must be finite and non-zero"),
        // Distributions and KL
        Case(source: "Normal(0, -1)", message: "Normal: std must be finite and > 0, got -1"),
        Case(source: "Normal(0)", message: "Normal needs a spread: std, logvar= or var="),
        Case(source: "Normal(0, 1, logvar=0)", message: "give only one of std, logvar= and var="),
        Case(source: "Normal(0, var=-2)", message: "var must be > 0"),
        Case(source: "Exponential([1, 0])", message: "rate must be finite and > 0, got 0 at index [1]"),
        Case(source: "Bernoulli(1.5)", message: "p must be a probability in [0, 1]"),
        Case(source: "Categorical([1, -1])", message: "probs must be finite and ≥ 0"),
        Case(source: "Normal([0, 0], [1, 1, 1])", message: "do not broadcast"),
        Case(source: "MvNormal([0, 0], [[1, 2], [2, 1]])", message: "not positive definite"),
        Case(source: "MvNormal([0, 0], eye(3))", message: "cov must have shape [2, 2]"),
        Case(source: "DiagNormal(0, 1)", message: "cannot move 1 batch axes"),
        Case(source: "Mixture([1], [Normal(0, 1), Normal(1, 1)])", message: "1 weights for 2 components"),
        Case(source: "Mixture([1, 1], [Normal(0, 1), StdNormal(2)])", message: "component 1"),
        Case(source: "kl(Normal(0, 1), StdNormal(2))", message: "distributions over different shapes"),
        Case(source: "kl(StudentT(3), Laplace(0, 1))", message: "has no closed form in kls (estimate it with kl_mc"),
        Case(source: "kl(1, Normal(0, 1))", message: "kl: q must be a distribution, got number"),
        Case(
            source: "kl_mc(Normal(0, 1), Normal(1, 1), estimator=\"k4\")",
            message: "estimator must be \"k1\", \"k2\" or \"k3\""),
        Case(source: "kl_mc(Normal(0, 1), Normal(1, 1), n=0)", message: "n must be a whole number ≥ 1"),
        Case(
            source: "kl_mc(StdNormal(2), StdNormal(2), samples=[1, 2, 3])", message: "samples must have shape [n] + [2]"
        ),
        Case(source: "check(ones([10, 3]), StdNormal(2))", message: "do not match StdNormal"),
        Case(source: "kl_quad(StdNormal(2), StdNormal(2))", message: "kl_quad integrates one scalar distribution"),
        Case(source: "cdf(StdNormal(2), [0, 0])", message: "cdf is defined for scalar distributions"),
        Case(source: "entropy(Mixture([1, 1], [Normal(0, 1), Normal(1, 1)]))", message: "no closed form"),
        Case(source: "Normal(0, 1).foo", message: "a distribution has no member 'foo'"),
        Case(source: "sample(Normal(0, 1), n=1e12)", message: "over the memory limit"),
        Case(source: "mean(Normal(0, 1), axis=0)", message: "axis= applies to tensors"),
        // Plots
        Case(source: "hist([1, 2], bins=0)", message: "bins must be a whole number ≥ 1"),
        Case(source: "hist(1/0)", message: "hist: x has no finite values"),
        Case(source: "plot([1, 2], [1, 2, 3])", message: "same length"),
        Case(source: "plot([1, 2], file=\"out.png\")", message: "file must name an .svg file"),
        // Found by fuzzing (issue: never a crash); each once ended in a signal.
        Case(source: "kl_mc(Normal(zeros([3, 0]), 1), Normal(0, 1), n=100)", message: "Normal has an empty batch"),
        Case(source: "logpdf(MvNormal(zeros(0), eye(0)), zeros(0))", message: "a zero-dimensional event"),
        Case(source: "compare(StdNormal(2), DiagNormal(zeros([0, 2]), 1))", message: "empty batch"),
        Case(source: "kl_trace(Normal(zeros(2^20), 1), Normal(1, 1), 2^50)", message: "too many elements"),
        // ELBO surgery: a diagonal-Gaussian encoder batched over the data points, a factorised Gaussian prior.
        Case(
            source: "aggregate(MvNormal(zeros([3, 2]), eye(2)))", message: "q must be a diagonal Gaussian whose batch"),
        Case(source: "aggregate(Normal(zeros([3, 2]), 1))", message: "got Normal with batch [3, 2]"),
        Case(
            source: "kl_decomposition(DiagNormal(zeros([3, 2]), ones([3, 2])), StdNormal(3))",
            message: "p must be a factorised Gaussian prior with q's event shape [2]"),
        Case(
            source: "kl_decomposition(DiagNormal(zeros([3, 2]), ones([3, 2])), Laplace(0, 1))",
            message: "got Laplace with batch [] and event []"),
        Case(source: "entropy(aggregate(Normal(zeros(3), 1)))", message: "has no closed form"),
        Case(
            source: "logpdf(aggregate(DiagNormal(zeros([3, 2]), ones([3, 2]))), [1, 2, 3])",
            message: "Aggregate has event shape [2], got [3]"),
        Case(
            source: "kl_trace(Dirichlet([1, 2]), Dirichlet([2, 2]), 100, sampler=\"sobol\")",
            message: "and q is a Dirichlet with event shape [2]"),
        Case(source: "kl_mc(Poisson(3), Poisson(4), sampler=\"antithetic\")", message: "and q is a Poisson"),
        // kl_samples: points of matching dimension, enough of them, finite and distinct.
        Case(source: "kl_samples(zeros([2, 2, 2]), zeros([2, 2]))", message: "x must be points, shape [count, d]"),
        Case(source: "kl_samples(randn([5, 2]), randn([5, 3]))", message: "x has 2 coordinates per point and y has 3"),
        Case(source: "kl_samples(randn(3), randn(3), k=3)", message: "needs more than k points in x"),
        Case(source: "kl_samples([1, nan, 2], randn(3))", message: "row 1 of x is not finite"),
        Case(
            source: "kl_samples([1, 1, 2, 3], randn(5), estimator=\"knn\", subsamples=0)",
            message: "row 0 of x has an exact copy among the other x"),
        Case(
            source: "kl_samples([1, 2, 3], [2, 2, 4], k=2, estimator=\"knn\")", message: "2 or more exact copies in y"),
        Case(source: "kl_samples(randn(9), randn(9), subsamples=1)", message: "give 0 (no interval) or from 2"),
        Case(source: "kl_samples(randn(9), randn(9), estimator=\"k1\")", message: "estimator must be one of"),
        Case(
            source: "s = \"ab\"; for i in arange(40) { s = s + s }", message: "over the memory limit",
            location: "1:37:"),
        Case(source: "zeros([0, 2^40, 2^40])", message: "too many elements"),
        Case(source: "zeros(2^53 + 1)", message: "whole number (at most 2^53 in magnitude)"),
        Case(source: "x = 1" + String(repeating: " + 1", count: 20_000), message: "nested too deeply"),
        Case(
            source: "f(x) = x; f" + String(repeating: "(1)", count: 20_000), message: "nested too deeply",
            location: "1:11:"),
        Case(
            source: "Mixture([1, 1], [Bernoulli(0.5), Normal(0, 1)])",
            message: "component 0 (Bernoulli) is discrete but component 1 (Normal) is continuous"),
        Case(source: "x = 1 \u{7}", message: "unexpected character U+0007", location: "1:7:"),
        Case(
            source: "l = [\"a\"]; for i in arange(20000) { l = [l, \"a\"] }; l == l",
            message: "lists nested too deeply",
            location: "1:41:"),
        Case(source: "randn(shape=(arange(1e5) < 1e18))", message: "tensors have at most 64 axes"),
        // Rows of an empty tensor with a huge first extent (found by grammar fuzzing: a 20-minute loop).
        Case(
            source: "concat(full([2^40, 0], [0/0]), axis=-0)", message: "1099511627776 rows of a tensor",
            location: "1:8:"),
        Case(source: "for r in zeros([2^40, 0]) { }", message: "rows of a tensor of shape", location: "1:10:"),
        Case(source: "map(r -> 1, zeros([2^40, 0]))", message: "over the memory limit"),
        Case(
            source: "compare(Normal(0, 1), Normal(1, 1), n=1e12)",
            message: "is more than the 1e+09 kls runs in one call"),
        // Checks
        Case(source: "assert(false, \"boom\")", message: "assertion failed: boom"),
        Case(source: "assert_close([1, 2, 3], [1, 2.001, 3])", message: "at index [1]: a = 2, b = 2.001"),
        Case(source: "assert_close(5, -log(0))", message: "a = 5, b = inf"),
        Case(source: "assert_close([1/0, 1], [1/0, -1/0])", message: "at index [1]: a = 1, b = -inf"),
    ]

    /// Inputs that once crashed and must now give a value (exit 0) promptly.
    @Test(arguments: [
        "hist([1e308, -1e308])", "plot([1e308, -1e308], [1, 2])", "plot([0/0, 1], [3, 4], band=true)",
        "plot([1e16, 1e16 + 2])", "stack([zeros([2^40, 0])], axis=1).shape", "sum(zeros([2^40, 0]), axis=0).shape",
        "l = [\"a\"]; for i in arange(30) { l = [l, l] }; len(str(l)) < 100000",
    ])
    func onceCrashed(_ source: String) throws {
        let result = try KLSProcess.run(["-e", source], environment: ["COLUMNS": "60"], timeout: 60)
        #expect(!result.signaled && !result.timedOut, "\(source): \(result.stderr)")
        #expect(result.status == 0, "\(source): \(result.stderr)")
    }

    /// Infinities are honest, as in NumPy: an inf term makes the sum inf, and an
    /// estimate over draws where p has no density is inf with a warning.
    @Test func infinities() throws {
        let sums = try KLSProcess.run([
            "-e", "[sum([1/0, 1]), mean([1/0, 1]), sum([1/0, -1/0]), arange(0, -1, step=1e-308)]",
        ])
        #expect(sums.stdout == "[inf, inf, nan, []]\n", "\(sums.stderr)")
        let estimate = try KLSProcess.run(["-e", "kl_mc(Uniform(0, 2), Uniform(0, 1), seed=1).value"])
        #expect(estimate.stdout == "inf\n")
        #expect(estimate.stderr.contains("q puts mass where p has none"))
    }

    @Test(arguments: BadInputTests.cases)
    func badInput(_ c: Case) throws {
        let result = try KLSProcess.run(["-e", c.source])
        #expect(!result.signaled, "kls crashed on \(c.source)")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("-e:\(c.location)"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("error: "), "stderr: \(result.stderr)")
        #expect(result.stderr.contains(c.message), "stderr: \(result.stderr)")
    }

    /// IEEE arithmetic gives values, not errors.
    @Test(arguments: [
        ("1/0", "inf"), ("-1/0", "-inf"), ("0/0", "nan"), ("log(0)", "-inf"), ("sqrt(-1)", "nan"), ("1e999", "inf"),
    ])
    func definedValues(_ source: String, _ expected: String) throws {
        let result = try KLSProcess.run(["-e", source])
        #expect(result.status == 0)
        #expect(result.stdout == expected + "\n")
    }
}
