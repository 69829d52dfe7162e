import Foundation

/// Long help through a pager on a terminal, as `git` and `man` do: `$PAGER`,
/// else `less -FRX` (which prints text that fits on one screen and returns).
/// Anywhere else — a pipe, a dumb terminal, no pager installed — the text is
/// printed as it is.
enum Pager {
    /// Shows `text`; true when a pager showed it.
    static func show(_ text: String, console: Console) -> Bool {
        guard Console.isTerminal(0), Console.isTerminal(1), let rows = terminalRows(),
            text.split(separator: "\n", omittingEmptySubsequences: false).count > rows - 2,
            let command = command()
        else { return false }
        console.flush()
        return run(command, input: text + "\n")
    }

    /// Runs `command` through /bin/sh with `input` on its standard input, in
    /// kls's own process group: the pager must be in the terminal's foreground
    /// group to set the terminal up (Foundation's `Process` starts a new group,
    /// where `less` is stopped by SIGTTOU and shows nothing).
    static func run(_ command: String, input: String) -> Bool {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return false }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let words: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ) == 0
        close(fds[0])
        guard spawned else {
            close(fds[1])
            return false
        }
        // The pager may quit before reading everything (q on the first screen): no SIGPIPE death.
        let previous = signal(SIGPIPE, SIG_IGN)
        let bytes = Array(input.utf8)
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let n = write(fds[1], base + offset, raw.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
            }
        }
        close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        signal(SIGPIPE, previous)
        return true
    }

    /// The pager to run: `$PAGER` when set (empty or `cat` turns paging off), else less.
    static func command() -> String? {
        if let pager = ProcessInfo.processInfo.environment["PAGER"] {
            let trimmed = pager.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed == "cat" ? nil : trimmed
        }
        return FileManager.default.isExecutableFile(atPath: "/usr/bin/less") ? "/usr/bin/less -FRX" : nil
    }

    static func terminalRows() -> Int? {
        guard ProcessInfo.processInfo.environment["TERM"] != "dumb" else { return nil }
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return nil }
        return Int(size.ws_row)
    }
}
