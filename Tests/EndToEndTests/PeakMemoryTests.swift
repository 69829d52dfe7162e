import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Streamed gradients run in bounded memory: the peak resident size of a kls
/// run does not grow with the number of draws (a tape over n draws would add
/// tens of megabytes per million).
@Suite struct PeakMemoryTests {
    /// Runs kls with `arguments` (output discarded) and returns its exit status
    /// and peak resident size in MiB, from `wait4`'s resource usage of that child alone.
    static func peak(_ arguments: [String]) -> (status: Int32, mebibytes: Int) {
        let binary = KLSProcess.binary
        var argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        guard posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0 else { return (-1, 0) }
        var status: Int32 = 0
        var usage = rusage()
        // ru_maxrss can carry the spawning process's own peak across exec (a
        // vfork-style spawn shares its memory until then), so the child's
        // high-water mark is also read from /proc while it runs.
        var highWater = 0
        while true {
            highWater = Swift.max(highWater, Self.highWaterMark(pid))
            let done = wait4(pid, &status, WNOHANG, &usage)
            if done == pid || (done < 0 && errno != EINTR) { break }
            usleep(5000)
        }
        let peak = highWater > 0 ? highWater : usage.ru_maxrss
        return ((status >> 8) & 0xff, peak / 1024)
    }

    /// VmHWM of a running process in KiB (0 once it is gone or unreadable).
    static func highWaterMark(_ pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    @Test(arguments: [
        ("grad(m -> kl_mc(DiagNormal(m, 1), StdNormal(4), n={n}, seed=1).value)(ones(4))", 1_000_000, 10_000),
        (
            "p = joint(z1=Normal(0, 1), z2=(z1) -> Normal(0 * z1, 1)); "
                + "grad(w -> kl_mc(joint(z1=Normal(0.5, 1), z2=(z1) -> Normal(w * z1, 1)), p, n={n}, "
                + "seed=1).value)(0.8)",
            200_000, 2_000
        ),
    ])
    func gradientMemoryDoesNotGrowWithN(_ source: String, _ large: Int, _ small: Int) {
        let big = Self.peak(["-e", source.replacingOccurrences(of: "{n}", with: String(large))])
        let little = Self.peak(["-e", source.replacingOccurrences(of: "{n}", with: String(small))])
        #expect(big.status == 0 && little.status == 0)
        #expect(
            big.mebibytes - little.mebibytes < 10,
            "peak \(big.mebibytes) MiB at n = \(large), \(little.mebibytes) at \(small)")
    }

    /// An amortised posterior over 10,000 data points streams over the batch as
    /// well as over draws: a call of the layers holds a few rows of the whole
    /// batch, so the peak stays far below the 200 MB goal and does not grow with n.
    @Test func aDatasetStreamsInBoundedMemory() {
        let source = """
            x = sigmoid(randn([10000, 64], seed=5)); W = randn([64, 8], seed=6) * 0.1; V = randn([8, 4], seed=7)
            q = joint(z1=DiagNormal(tanh(x @ W), 0.5), z2=(z1) -> DiagNormal(tanh(z1 @ V), 0.7))
            p = joint(z2=StdNormal(4), z1=(z2) -> DiagNormal(tanh(z2 @ V.T), 1))
            kl_mc(q, p, n={n}, seed=1, per_layer=true).value.shape
            """
        let big = Self.peak(["-e", source.replacingOccurrences(of: "{n}", with: "36")])
        let little = Self.peak(["-e", source.replacingOccurrences(of: "{n}", with: "6")])
        #expect(big.status == 0 && little.status == 0)
        #expect(big.mebibytes < 200, "peak \(big.mebibytes) MiB")
        #expect(
            big.mebibytes - little.mebibytes < 10, "peak \(big.mebibytes) MiB at n = 36, \(little.mebibytes) at 6")
    }
}
