import ArgumentParser
import Foundation
import KLSShell

// Output to a closed pipe is an error to report (EPIPE), not a reason to die.
signal(SIGPIPE, SIG_IGN)

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
