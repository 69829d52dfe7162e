/// The longer messages of the KL builtins, kept out of the estimator logic.
enum KLMessages {
    /// An estimate is +inf because some draw of q lies where p has no density.
    static func infiniteEstimate(function: String, which: String) -> String {
        "\(function): the estimate is inf\(which): some draws z ~ q have p(z) = 0, so log q(z) − log p(z) = +inf. "
            + "q puts mass where p has none, and KL(q‖p) is infinite"
    }
}
