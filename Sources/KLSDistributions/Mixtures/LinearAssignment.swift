/// The assignment problem: a one-to-one matching of rows to columns of a square
/// cost matrix with the least total cost, by the Hungarian method with
/// potentials (Kuhn–Munkres, in Jonker and Volgenant's shortest-augmenting-path
/// form): O(n³), exact for any finite costs.
enum LinearAssignment {
    /// The column matched to each row, or nil when a cost is not finite (nan or
    /// ±∞ leave no well-defined least total) or the matrix is not square.
    static func minimumCost(_ cost: [[Double]]) -> [Int]? {
        let n = cost.count
        guard cost.allSatisfy({ $0.count == n && $0.allSatisfy(\.isFinite) }) else { return nil }
        guard n > 0 else { return [] }
        // 1-based: row 0 and column 0 are the sentinel of the augmenting search.
        var (rowPotential, columnPotential) = (
            [Double](repeating: 0, count: n + 1), [Double](repeating: 0, count: n + 1)
        )
        var (rowOfColumn, previous) = ([Int](repeating: 0, count: n + 1), [Int](repeating: 0, count: n + 1))
        for row in 1...n {
            rowOfColumn[0] = row
            var column = 0
            var slack = [Double](repeating: .infinity, count: n + 1)
            var used = [Bool](repeating: false, count: n + 1)
            repeat {
                used[column] = true
                let current = rowOfColumn[column]
                var (delta, next) = (Double.infinity, 0)
                for j in 1...n where !used[j] {
                    let reduced = cost[current - 1][j - 1] - rowPotential[current] - columnPotential[j]
                    if reduced < slack[j] { (slack[j], previous[j]) = (reduced, column) }
                    if slack[j] < delta { (delta, next) = (slack[j], j) }
                }
                guard next != 0 else { return nil }
                for j in 0...n {
                    if used[j] {
                        rowPotential[rowOfColumn[j]] += delta
                        columnPotential[j] -= delta
                    } else {
                        slack[j] -= delta
                    }
                }
                column = next
            } while rowOfColumn[column] != 0
            // Flip the augmenting path back to the sentinel.
            repeat {
                let back = previous[column]
                rowOfColumn[column] = rowOfColumn[back]
                column = back
            } while column != 0
        }
        var match = [Int](repeating: 0, count: n)
        for j in 1...n where rowOfColumn[j] != 0 { match[rowOfColumn[j] - 1] = j - 1 }
        return match
    }
}
