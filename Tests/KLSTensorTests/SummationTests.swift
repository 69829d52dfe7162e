import KLSTensor
import Testing

/// The one compensated sum and the one two-pass moments routine, against exact
/// values (NumPy: `math.fsum`, `np.var(x) * len(x)`).
@Suite struct SummationTests {
    @Test func compensatedSumRecoversWhatPlainAdditionLoses() {
        var total = CompensatedSum()
        for x in [1e16, 1, -1e16, 1] { total.add(x) }
        #expect(total.value == 2)  // math.fsum([1e16, 1, -1e16, 1]) == 2.0; plain addition gives 1
    }

    @Test func infinitiesAreNotLostInTheErrorTerm() {
        var total = CompensatedSum()
        for x in [1.0 / 0, 1] { total.add(x) }
        #expect(total.value == .infinity)
        total.add(-1.0 / 0)
        #expect(total.value.isNaN)
    }

    @Test func momentsOfDataFarFromZero() {
        let values = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]
        let (mean, squares) = values.withUnsafeBufferPointer { Summation.moments($0.baseAddress!, 4) }
        #expect(mean == 1e9 + 10)
        #expect(squares == 90)  // np.var(x) * 4 == 90.0
        let strided = [1.0, 0, 2, 0, 3, 0]
        let (m, s) = strided.withUnsafeBufferPointer { Summation.moments($0.baseAddress!, 3, stride: 2) }
        #expect(m == 2 && s == 2)
    }
}
