/// The longer messages of the KL builtins, kept out of the estimator logic.
enum KLMessages {
    /// n above `MonteCarloEngine.maximumDraws`.
    static func tooManyDraws(function: String, n: Int) -> String {
        "\(function): n = \(Formatter.number(Double(n))) draws is more than the \(Formatter.number(1e10)) kls runs in one call "
            + "(hours of work at best)"
    }

    /// An estimate is +inf because some draw of q lies where p has no density.
    static func infiniteEstimate(function: String, which: String) -> String {
        "\(function): the estimate is inf\(which): some draws z ~ q have p(z) = 0, so log q(z) − log p(z) = +inf. "
            + "q puts mass where p has none, and KL(q‖p) is infinite"
    }
}
