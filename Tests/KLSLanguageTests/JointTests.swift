import KLSDiagnostics
import KLSLanguage
import KLSTensor
import Testing

/// Joints with a batch (one per data point) and in any order (q bottom-up, p top-down).
@Suite struct JointTests {
    /// A batch of three linear-Gaussian posteriors, and a prior with no batch.
    static let setup = """
        M1 = [[0.3, -0.2], [1.0, 0.5], [-0.7, 0.1]]
        A = [[0.5, -0.3], [0.2, 0.8], [-0.4, 0.1]]
        C = [[0.2, 0.0], [0.0, 0.3], [0.1, 0.1]]
        q = joint(z1=DiagNormal(M1, [0.9, 1.1]), z2=(z1) -> DiagNormal(z1 @ A.T + 0.1, [0.8, 0.9, 1]))
        p = joint(z1=StdNormal(2), z2=(z1) -> DiagNormal(z1 @ C.T, 1))
        row(i) = joint(z1=DiagNormal(M1[i], [0.9, 1.1]), z2=(z1) -> DiagNormal(z1 @ A.T + 0.1, [0.8, 0.9, 1]))
        """

    @Test func theBatchIsTheLayersBroadcast() throws {
        #expect(try value(Self.setup + "\nq.batch_shape") == "[3]")
        #expect(try value(Self.setup + "\np.batch_shape") == "[]")
        #expect(try value(Self.setup + "\nkl_mc(q, p, n=100, seed=1).value.shape") == "[3]")
        #expect(try value(Self.setup + "\nq").hasSuffix("batch_shape=[3]"))
    }

    /// Each element's estimate agrees with that element's exact KL (kl of an
    /// unbatched linear-Gaussian joint, itself checked against NumPy).
    @Test func eachElementEstimatesItsOwnKL() throws {
        let source =
            Self.setup + """

                e = kl_mc(q, p, n=20000, seed=4, estimator="analytic")
                exact = [kl(row(0), p), kl(row(1), p), kl(row(2), p)]
                all(abs(e.value - exact) < 4.5 * e.stderr)
                """
        #expect(try value(source) == "true")
    }

    @Test func drawsAndDensitiesHaveTheBatch() throws {
        let shapes = try display(
            Self.setup + """

                z = sample(q, 5, seed=1)
                z.z1.shape
                z.z2.shape
                logpdf(q, z).shape
                logpdf(p, z).shape
                one = sample(q, seed=2)
                one.z2.shape
                logpdf(q, one).shape
                z2_given = DiagNormal(z.z1 @ A.T + 0.1, [0.8, 0.9, 1])
                by_hand = logpdf(DiagNormal(M1, [0.9, 1.1]), z.z1) + logpdf(z2_given, z.z2)
                max(abs(logpdf(q, z) - by_hand)) < 1e-12
                check(sample(q, 2000, seed=3), q).ok
                """)
        #expect(shapes == ["[5, 3, 2]", "[5, 3, 3]", "[5, 3]", "[5, 3]", "[3, 3]", "[3]", "true", "true"])
    }

    /// Independent layers listed in either order give the same estimate, to the bit.
    @Test func pIsMatchedByName() throws {
        let source =
            Self.setup + """

                a = joint(z1=StdNormal(2), z2=DiagNormal(zeros(3), 1.5))
                b = joint(z2=DiagNormal(zeros(3), 1.5), z1=StdNormal(2))
                e(prior) = kl_mc(q, prior, n=5000, seed=2, per_layer=true)
                all(e(a).value == e(b).value) and all(e(a).layers.z2.value == e(b).layers.z2.value)
                """
        #expect(try value(source) == "true")
    }

    @Test(arguments: [
        (
            "joint(z1=DiagNormal(zeros([16, 2]), 1), z2=DiagNormal(zeros([10, 3]), 1))",
            "layer 'z2' has batch [10], which does not broadcast with layer 'z1''s batch [16]"
        ),
        (
            "kl_mc(joint(z1=DiagNormal(zeros([16, 2]), 1)), joint(z1=DiagNormal(zeros([10, 2]), 1)))",
            "q's layer 'z1' has batch [16], p's layer 'z1' has [10]"
        ),
        ("kl_mc(joint(z1=StdNormal(2)), joint(z2=StdNormal(2)))", "p has no layer 'z1'; q has no layer 'z2'"),
        ("kl_mc(joint(z1=StdNormal(2)), joint(z1=StdNormal(3)))", "q and p disagree on layer 'z1'"),
        ("kl_mc(joint(z1=StdNormal(2)), StdNormal(2))", "q and p must both be joints: p is a StdNormal"),
        ("kl(joint(z1=DiagNormal(zeros([4, 2]), 1)), joint(z1=StdNormal(2)))", "joints with a batch ([4])"),
        (
            "kl_mc(joint(z1=DiagNormal(zeros([3, 2]), 1)), "
                + "joint(z1=StdNormal(2), z2=(z1) -> DiagNormal(zeros([4, 2]), 1)))",
            "q has no layer 'z2'"
        ),
        (
            "kl_mc(joint(z1=DiagNormal(zeros([3, 2]), 1), z2=StdNormal(2)), "
                + "joint(z1=StdNormal(2), z2=(z1) -> DiagNormal(zeros([4, 2]), 1)))",
            "q's layer 'z1' has batch [3], p's layer 'z2' has [4]"
        ),
    ])
    func mismatchesNameTheLayers(_ source: String, _ message: String) {
        let error = failure(source)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func batchedEstimatesDoNotDependOnTheWorkers() throws {
        let source = Self.setup + "\nr = kl_mc(q, p, n=20001, seed=3, estimator=\"k3\")\n[r.value, r.stderr]"
        let one = try lastTensor(source, workers: 1)
        #expect(one.count == 6)
        #expect(try lastTensor(source, workers: 2) == one)
    }

    /// The gradient of a batched joint's mean KL matches central differences
    /// of the same estimate (same seed: the draws move smoothly with the
    /// weights), for k1, k3 and the analytic estimate (partly closed form
    /// against a top-down prior, wholly against one in q's order).
    @Test func batchedGradientMatchesDifferences() throws {
        let source =
            Self.setup + """

                qm(m) = joint(z1=DiagNormal(M1 * m[0], [0.9, 1.1]), z2=(z1) -> DiagNormal(tanh(z1 @ A.T) * m[1], 0.8))
                pm = joint(z2=StdNormal(3), z1=(z2) -> DiagNormal(z2 @ C, 1))
                ps = joint(z1=StdNormal(2), z2=(z1) -> DiagNormal(z1 @ C.T, 1.3))
                f(prior, estimator) = m -> mean(kl_mc(qm(m), prior, n=300, seed=1, estimator=estimator).value)
                gradcheck(f(pm, "k1"), [0.8, 1.2]).ok
                gradcheck(f(pm, "analytic"), [0.8, 1.2]).ok
                gradcheck(f(ps, "analytic"), [0.8, 1.2]).ok
                gradcheck(f(ps, "k3"), [0.8, 1.2]).ok
                """
        #expect(try display(source).suffix(4) == ["true", "true", "true", "true"])
    }

    /// minimize descends over a record of weights through a batched joint's analytic KL.
    @Test func minimizeOverARecordOfWeights() throws {
        let source =
            Self.setup + """

                qm(t) = joint(z1=DiagNormal(M1 * t.a, [0.9, 1.1]), z2=(z1) -> DiagNormal(z1 @ A.T * t.b, 0.8))
                loss(t) = mean(kl_mc(qm(t), p, n=500, seed=1, estimator="analytic").value)
                r = minimize(loss, {a: 1, b: 1}, steps=40, lr=0.1)
                r.value < 0.8 * r.trace[0]
                r.x.a < 0.5
                """
        #expect(try display(source).suffix(2) == ["true", "true"])
    }
}
