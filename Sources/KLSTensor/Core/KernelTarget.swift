/// The vector instructions this build's kernels were compiled for.
///
/// Package.swift compiles the kernels for one width (`KLS_TUNE_CPU`); the
/// released kls carries one build per width and a launcher that picks the widest
/// the CPU runs (docs/install.md). `kls --version` names the one running, so a
/// slow result can be told from a slow build.
public enum KernelTarget {
    /// "avx512" (AVX-512 F/BW/DQ/VL with FMA: Skylake-X, Zen 4 and later),
    /// "avx2" (AVX2 with FMA: Haswell, Zen 1 and later) or "baseline" (the
    /// architecture's minimum: SSE2 on x86-64).
    public static var name: String {
        #if KLS_AVX512
            "avx512"
        #elseif KLS_AVX2
            "avx2"
        #else
            "baseline"
        #endif
    }
}
