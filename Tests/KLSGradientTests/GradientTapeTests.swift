import Foundation
import KLSDiagnostics
import KLSTensor
import Testing

@testable import KLSGradient

/// The tape's lifetime: nothing it records keeps it alive once its owner lets it go.
@Suite struct GradientTapeTests {
    /// The backward closures hold the nodes they pass gradients to; a node held
    /// its tape, so every tape (each `grad` call's, each streamed chunk's) stayed
    /// alive for ever, with every tensor on it.
    @Test func aTapeIsFreedWhenItsOwnerLetsItGo() throws {
        weak var released: GradientTape?
        var survivor: Traced?
        do {
            let tape = GradientTape()
            released = tape
            let x = tape.leaf(try Tensor(repeating: 2, shape: [4]))
            let y = try TracedNumber.binary(.multiply, .traced(x), .traced(x))
            let z = try TracedNumber.apply(.exp, y)
            guard case .traced(let out) = try TracedNumber.sum(z, axes: nil) else {
                Issue.record("the sum is not traced")
                return
            }
            let gradient = try #require(try tape.gradients(of: out)[x.id])
            #expect(abs(gradient[flat: 0] - 4 * Foundation.exp(4.0)) < 1e-9)
            survivor = out
        }
        #expect(released == nil)
        // A traced value that outlives its tape computes as a plain one.
        let later = try TracedNumber.binary(.add, .traced(try #require(survivor)), TracedNumber(1))
        #expect(!later.isTraced)
        #expect(abs(later.value[flat: 0] - (4 * Foundation.exp(4.0) + 1)) < 1e-9)
    }
}
