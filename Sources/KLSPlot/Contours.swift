/// Level curves of a field on a grid, by marching squares: each cell's edges
/// that a level crosses (linear interpolation between corners) joined into
/// segments. A saddle cell (corners alternately above and below) is resolved by
/// the mean of its corners, as matplotlib's `corner_mask` off does.
public enum Contours {
    /// The segments of `levels` through `z` (rows along y, columns along x), as
    /// one series whose segments are separated by nan points (which break a line).
    public static func lines(z: [[Double]], x: [Double], y: [Double], levels: [Double]) -> (x: [Double], y: [Double]) {
        var xs: [Double] = []
        var ys: [Double] = []
        guard y.count == z.count, y.count >= 2, let width = z.first?.count, width == x.count, width >= 2 else {
            return ([], [])
        }
        for level in levels {
            for r in 0..<(y.count - 1) {
                for c in 0..<(x.count - 1) {
                    for segment in cell(z, r, c, x, y, level) {
                        xs += [segment.0.0, segment.1.0, .nan]
                        ys += [segment.0.1, segment.1.1, .nan]
                    }
                }
            }
        }
        return (xs, ys)
    }

    /// `count` levels evenly spaced strictly between the field's finite minimum and maximum.
    public static func levels(_ z: [[Double]], count: Int) -> [Double] {
        let values = z.joined().filter(\.isFinite)
        guard let low = values.min(), let high = values.max(), low < high, count > 0 else { return [] }
        return (1...count).map { low + (high - low) * Double($0) / Double(count + 1) }
    }

    typealias Point = (Double, Double)

    /// The segments of one cell: corners (r, c), (r, c+1), (r+1, c+1), (r+1, c).
    static func cell(_ z: [[Double]], _ r: Int, _ c: Int, _ x: [Double], _ y: [Double], _ level: Double)
        -> [(Point, Point)]
    {
        let corners = [(r, c), (r, c + 1), (r + 1, c + 1), (r + 1, c)]
        let values = corners.map { z[$0.0][$0.1] }
        guard values.allSatisfy(\.isFinite) else { return [] }
        let above = values.map { $0 > level }
        // The crossing on edge k (from corner k to corner k + 1), where the sign changes.
        func crossing(_ k: Int) -> Point? {
            let (a, b) = (k, (k + 1) % 4)
            guard above[a] != above[b] else { return nil }
            let t = (level - values[a]) / (values[b] - values[a])
            let (pa, pb) = (corners[a], corners[b])
            return (
                x[pa.1] + t * (x[pb.1] - x[pa.1]),
                y[pa.0] + t * (y[pb.0] - y[pa.0])
            )
        }
        let points = (0..<4).compactMap { k in crossing(k).map { (k, $0) } }
        if points.count == 2 { return [(points[0].1, points[1].1)] }
        guard points.count == 4 else { return [] }
        // A saddle: the corners on the centre's side are joined through it, so
        // the segments cut off the other two (corner k lies between edges k − 1 and k).
        let centreAbove = values.reduce(0, +) / 4 > level
        if centreAbove == above[0] {
            return [(points[0].1, points[1].1), (points[2].1, points[3].1)]
        }
        return [(points[3].1, points[0].1), (points[1].1, points[2].1)]
    }
}
