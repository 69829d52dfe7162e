/// Selection without sorting: the k smallest of many values in expected linear
/// time (Hoare's quickselect with a median-of-three pivot), for keeping the
/// tail of a stream where sorting every candidate would cost n log n.
public enum Selection {
    /// Reorders `values` so that its first `k` elements are its `k` smallest
    /// (in no particular order), and drops the rest. Values must not be nan
    /// (nan compares false both ways); ±∞ are fine.
    public static func keepSmallest(_ k: Int, of values: inout [Double]) {
        guard k < values.count else { return }
        guard k > 0 else {
            values.removeAll()
            return
        }
        values.withUnsafeMutableBufferPointer { a in
            var (low, high) = (0, a.count - 1)
            // Invariant: everything left of `low` belongs to the k smallest,
            // everything right of `high` does not.
            while low < high {
                let (i, j) = partition(a, low, high)
                if k - 1 <= j {
                    high = j
                } else if k - 1 >= i {
                    low = i
                } else {
                    break
                }
            }
        }
        values.removeLast(values.count - k)
    }

    /// Hoare's partition of `a[low...high]` around the median of its first,
    /// middle and last values: afterwards `a[low...j] ≤ pivot ≤ a[i...high]`,
    /// and the elements strictly between j and i equal the pivot.
    @inline(__always)
    static func partition(_ a: UnsafeMutableBufferPointer<Double>, _ low: Int, _ high: Int) -> (Int, Int) {
        let middle = low + (high - low) / 2
        let pivot = Swift.max(Swift.min(a[low], a[middle]), Swift.min(Swift.max(a[low], a[middle]), a[high]))
        var (i, j) = (low, high)
        while i <= j {
            while a[i] < pivot { i += 1 }
            while a[j] > pivot { j -= 1 }
            if i <= j {
                a.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        return (i, j)
    }
}
