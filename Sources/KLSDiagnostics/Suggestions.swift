/// "Did you mean …?" for unknown names, keywords, members and commands.
public enum Suggestions {
    /// The candidate closest to `name` by edit distance (transpositions count as
    /// one edit), if it is close enough to be a plausible typo.
    public static func nearest(_ name: String, among candidates: [String]) -> String? {
        let limit = Swift.max(1, Swift.min(3, name.count / 3))
        var best: (String, Int)? = nil
        for candidate in candidates where candidate != name {
            let d = distance(name.lowercased(), candidate.lowercased())
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// `did you mean 'x'?`, or nil.
    public static func hint(for name: String, among candidates: [String]) -> String? {
        nearest(name, among: candidates).map { "did you mean '\($0)'?" }
    }

    /// Optimal string alignment distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a)
        let y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}
