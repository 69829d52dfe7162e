import ArgumentParser
import Foundation
import KLSShell

// Output to a closed pipe is an error to report (EPIPE), not a reason to die.
signal(SIGPIPE, SIG_IGN)

#if canImport(Glibc)
    // Tensors of a few hundred KB (a Monte Carlo chunk of a joint's layer) are
    // made and freed thousands of times a second. With glibc's defaults each one
    // is a fresh mmap or a heap trimmed back to the kernel, and page faults took
    // a third of a joint's time; keeping them in the heap (up to 16 MB; larger
    // buffers go to BufferPool) and trimming only past 256 MB free removes that.
    // malloc.h is not in Swift's Glibc module, so mallopt is looked up by name;
    // −3 and −1 are M_MMAP_THRESHOLD and M_TRIM_THRESHOLD in glibc's malloc.h.
    if let symbol = dlsym(nil, "mallopt") {
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(-3, 16 << 20)
        _ = mallopt(-1, 256 << 20)
    }
#endif

/// Parses the command line; on a usage error prints it and exits 2 (language.md §9), on
/// `--help`/`--version` prints and exits 0.
func parseCommand() -> KLSCommand {
    do {
        return try KLSCommand.parse(Array(CommandLine.arguments.dropFirst()))
    } catch {
        let code = KLSCommand.exitCode(for: error)
        let message = KLSCommand.fullMessage(for: error)
        if code == .success {
            print(message)
            exit(0)
        }
        Console.write(2, Array((message + "\n").utf8))
        exit(2)
    }
}

let command = parseCommand()

/// The interpreter recurses over expressions and user functions; it runs on a
/// thread with a large stack so that deep (but bounded) input cannot overflow.
final class Runner: @unchecked Sendable {
    var status: Int32 = 0
}

let runner = Runner()
let done = DispatchSemaphore(value: 0)
let thread = Thread {
    runner.status = command.execute()
    done.signal()
}
thread.stackSize = 1 << 30
thread.start()
done.wait()
exit(runner.status)
