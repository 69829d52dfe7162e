import KLSTensor

/// The Philox stream each family draws from, allocated in one list: a tag is a
/// position here, so no two families can share a stream by accident, and a new
/// family takes the next case. Tags 0 and 1 belong to the tensor layer
/// (`rand`'s uniforms and the ziggurat's normals, which Normal and LogNormal
/// share so that `sample(Normal(0, 1), seed=s)` equals `randn(seed=s)`).
enum FamilyStream: UInt32, CaseIterable {
    case laplace = 2
    case studentT
    case uniform
    case exponential
    case gamma
    case beta
    /// Never used; kept so that every later tag, and so every seed's numbers,
    /// stay what they were.
    case reserved
    case bernoulli
    case categorical
    case mixture

    /// The tag to pass to Philox.
    var tag: UInt32 { rawValue }

    /// The tag of a family added since: FNV-1a of its name with the top bit set,
    /// so that it never meets the small tags above and a new family needs no
    /// line here (`FamilyStreamTests` checks that no two families share one).
    static func named(_ name: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash | 0x8000_0000
    }
}
