/// Help pages on ideas rather than builtins — `?estimators`, `?k3`, `?shapes`,
/// `?seeds`, `?diagnostics`, `?joint`, `?gradients` — written for a student
/// meeting them for the first time. Each is declared once here: `help`, the
/// REPL's `?name` and the overview's list all read this table.
public enum HelpTopics {
    public struct Topic: Sendable {
        /// The names it answers to; the first is its own.
        public let names: [String]
        public let title: String
        public let text: String
    }

    public static func named(_ name: String) -> Topic? {
        all.first { $0.names.contains(name.lowercased()) }
    }

    /// Every name a topic answers to (for completion and suggestions).
    public static var names: [String] { all.flatMap(\.names) }

    public static let all: [Topic] = [
        Topic(
            names: ["estimators", "estimator", "k1", "k2", "k3"], title: "Monte Carlo estimators of KL(q ‖ p)",
            text: """
                Draw z from q and look at the log-ratio log r = log p(z) − log q(z).
                KL(q ‖ p) = E_q[−log r], and kl_mc averages one of three per-draw terms:

                  k1 = −log r              unbiased; a single term can be negative, and so
                                           can the average when n is small or q ≈ p
                  k2 = ½ (log r)²          biased (it estimates something close to KL
                                           when q ≈ p); never negative; low variance
                  k3 = (r − 1) − log r     unbiased and never negative, since r − 1 has
                                           mean 0 under q; very low variance when q ≈ p

                k3 divides nothing, but it averages r = p/q itself: if p has heavier tails
                than q, r has a heavy tail, k3's variance is infinite and its average comes
                out too low however large n. kls checks that tail (Pareto k̂, see
                ?diagnostics) and warns. k1 only averages log r and is usually still sound.

                Try: kl_mc(q, p, n=1e5, estimator="k3");  compare(q, p, n=1e5)
                """),
        Topic(
            names: ["shapes", "shape", "batch", "event"], title: "Shapes: sample, batch and event",
            text: """
                A distribution has a batch shape (independent distributions side by side)
                and an event shape (the size of one draw of one of them):

                  Normal([0, 1, 2], 1)        batch [3], event []   three scalar Gaussians
                  DiagNormal([0, 1, 2], 1)    batch [], event [3]   one Gaussian in 3-D
                  MvNormal(zeros(2), S)       batch [], event [2]

                sample(d, n=N) has shape [N] + batch + event. logpdf(d, x) sums over the
                event and keeps the batch: DiagNormal's logpdf of [N, 3] draws is [N].
                kl and kl_mc give one KL per batch element. independent(d, k) moves the
                last k batch axes into the event (as PyTorch's Independent).

                Tensors broadcast as in NumPy: shapes are aligned from the right, and an
                axis of 1 stretches. shape(x) and size(x) tell what you have.
                """),
        Topic(
            names: ["seeds", "seed", "random", "reproducibility"], title: "Seeds and reproducible draws",
            text: """
                kls's random numbers come from a counter-based generator (Philox): draw i
                of a stream is a function of the seed and i alone. So seed=1 gives the
                same numbers whatever the chunking, the thread count or the machine:

                  kl_mc(q, p, n=1e5, seed=1)     the same estimate every time
                  sample(q, n=10, seed=7)

                Without seed=, a call takes the next draws of the session's stream, which
                :seed N (or seed(N) in a script) restarts; :save writes it first, so a
                saved session replays with the same values.

                Fixed seeds also give common random numbers: f(θ + h) and f(θ − h) with one
                seed see the same noise, so their difference shows θ's effect alone — what
                gradcheck relies on. Runs with seed=1, 2, 3, … are independent.
                """),
        Topic(
            names: ["diagnostics", "diagnostic", "pareto", "pareto_k", "khat"],
            title: "Diagnostics: when an estimate cannot be trusted",
            text: """
                Every kl_mc result carries checks of its own draws:

                  stderr, ci       the Monte Carlo error of the average (± in the display)
                                   and its 95% interval
                  pareto_k         the tail index k̂ of r = p/q, fitted to the largest
                                   ratios (PSIS, Vehtari et al.): above 0.7 averages of r
                                   (k3, k2's spread) are not trustworthy at any n
                  mean_r           the average of r = p/q, which is 1 in expectation when
                                   the draws come from q: far from 1 (see mean_r_stderr),
                                   the draws are not q's, or p has mass where q has none

                kls warns when k̂ > 0.7, when a k1 estimate is negative (KL never is: it is
                noise, too few draws, or draws not from q), and when draws passed with
                samples= do not look like q's (check(z, q) tells more: means, spreads and
                a Kolmogorov–Smirnov test). compare(q, p) shows all estimators on the
                same draws; kl_trace plots how one converges.
                """),
        Topic(
            names: ["joint", "joints", "hierarchical", "layers"], title: "Joint models: several stochastic layers",
            text: """
                A hierarchical VAE's posterior and prior are joints over named layers, each
                a distribution or a function of earlier layers:

                  q = joint(z1=DiagNormal(m, 0.5), z2=(z1) -> DiagNormal(tanh(z1), 0.5))
                  p = joint(z1=StdNormal(2), z2=(z1) -> DiagNormal(0.5 * z1, 1))

                A function's parameter names say which layers it takes; it receives whole
                chunks of draws ([chunk] + batch + event). There is no closed form for KL(q ‖ p):

                  kl_mc(q, p, n=1e5, per_layer=true)     each layer's share
                  kl_mc(q, p, n=1e5, estimator="analytic")   closed forms given the parents

                q and p are matched by layer name, so p may run top-down while q runs
                bottom-up: p = joint(z2=StdNormal(4), z1=(z2) -> DiagNormal(…)). Layers
                with a batch (an encoder's output for 16 images) give one estimate per
                element; a prior with no batch serves them all.

                sample(q, n=3) gives a record with a field per layer; logpdf sums the
                layers. grad differentiates through joints layer by layer (?gradients),
                also in a record of weights loaded from .safetensors or .npz.
                """),
        Topic(
            names: ["gradients", "gradient", "reparameterisation", "reparameterization", "score", "autodiff"],
            title: "Gradients of KL estimates",
            text: """
                A VAE trains on the gradient of its KL term, not on the estimate itself.
                grad(f) differentiates any kls function f (reverse mode):

                  g = grad(m -> kl_mc(DiagNormal(m, 1), StdNormal(2), n=1e5, seed=1).value)
                  g([0.5, -1])                                   close to [0.5, -1]

                Draws are reparameterised: z = m + s·ε, with ε drawn without m or s, so z
                moves smoothly with them (Gamma, Beta and StudentT's df by implicit
                reparameterisation). Discrete draws cannot move, so for Bernoulli and
                Categorical use the score-function estimator: with z = sample(q, n=…),
                grad(θ -> mean(f(z) * logpdf(q(θ), z))).

                compare(q, p, n=1e5, grad=true) shows each estimator's per-draw gradient:
                mean, bias and spread. minimize(f, x0) descends; gradcheck(f, x) checks a
                gradient against central differences.
                """),
    ]
}
