import Foundation
import Testing

@testable import KLSDistributions

/// The families' registration: one list, distinct random streams, and a new
/// family that touches exactly two files — its own and the registry line
/// (docs/architecture.md, "Adding a family").
@Suite struct FamilyRegistryTests {
    @Test func everyFamilyDrawsFromItsOwnStream() {
        let tags = ScalarFamilies.all.map { $0.tag }
        #expect(Set(tags).count == tags.count - 1, "only Normal and LogNormal share the ziggurat's stream")
        let others = ScalarFamilies.all.filter { $0 != NormalFamily.self && $0 != LogNormalFamily.self }
        #expect(others.allSatisfy { $0.tag > 1 })
        #expect(Set(others.map { $0.tag }).count == others.count)
        // Categorical and Mixture draw from FamilyStream tags of their own too.
        #expect(Set(others.map { $0.tag }).isDisjoint(with: [FamilyStream.categorical.tag, FamilyStream.mixture.tag]))
    }

    @Test func namesAreUnique() {
        let names = ScalarFamilies.all.map { $0.name }
        #expect(Set(names).count == names.count)
    }

    /// The Swift files under Sources/ that mention `type`.
    static func files(mentioning type: String) throws -> [String] {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")
        let paths = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        return try paths.filter { $0.hasSuffix(".swift") }.filter { path in
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            return text.range(of: "\\b\(type)\\b", options: .regularExpression) != nil
        }.sorted()
    }

    /// A vector family too: its own file and the line in `VectorFamilies.all` —
    /// its gradients included (Dirichlet's implicit reparameterisation, the
    /// low-rank Gaussian's traced covariance), which nothing else names.
    @Test(arguments: ["OneHotCategorical", "Dirichlet", "LowRankMultivariateNormal"])
    func aVectorFamilyIsOneFileAndOneRegistrationLine(name: String) throws {
        let files = try Self.files(mentioning: "\(name)Family")
        #expect(files == ["KLSDistributions/Families/\(name).swift", "KLSDistributions/Families/VectorFamily.swift"])
        #expect(try Self.files(mentioning: name).allSatisfy(files.contains), "only its own file names \(name)")
    }

    /// Its own file and the registry line; another family's file may build on
    /// it (HalfCauchy's KL is Cauchy's), but nothing outside the families may
    /// name it — not the KL registry, the gradients or the language.
    @Test(arguments: [
        "Cauchy", "Gumbel", "Logistic", "HalfNormal", "Weibull", "HalfCauchy", "Pareto", "Chi2", "InverseGamma",
        "Kumaraswamy", "ContinuousBernoulli", "VonMises", "Poisson", "Geometric", "Binomial", "NegativeBinomial",
    ])
    func aFamilyIsOneFileAndOneRegistrationLine(name: String) throws {
        let own = "KLSDistributions/Families/\(name).swift"
        let registry = "KLSDistributions/Families/ScalarFamilies.swift"
        let familyFiles = Set(ScalarFamilies.all.map { "KLSDistributions/Families/\($0.name).swift" })
        let files = try Self.files(mentioning: "\(name)Family").filter { $0 == own || !familyFiles.contains($0) }
        #expect(files == [own, registry].sorted())
    }
}
