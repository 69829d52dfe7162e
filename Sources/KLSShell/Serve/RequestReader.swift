import Foundation
import KLSTensor

/// The input side of `kls --serve`: a thread that reads JSON lines from
/// standard input, answers `interrupt` at once (the interpreter thread is busy
/// with the statement to stop) and bad lines with an error, and queues every
/// other request for the interpreter thread.
final class RequestReader: @unchecked Sendable {
    /// A request (a JSON object), or the end of input.
    enum Item {
        case request([String: Any])
        case end
    }

    /// The longest request line accepted. A cell of code is a few kilobytes;
    /// a longer line is answered with an error and skipped, never buffered.
    static let maximumLineBytes = 8 << 20

    private let condition = NSCondition()
    private var items: [Item] = []
    /// The id (as `key`) of the request the interpreter thread is serving, nil
    /// between requests: an `interrupt` naming another request stops nothing.
    private var running: String?
    let channel: ServeChannel
    let onInterrupt: @Sendable () -> Void

    init(channel: ServeChannel, onInterrupt: @escaping @Sendable () -> Void) {
        self.channel = channel
        self.onInterrupt = onInterrupt
    }

    /// Starts reading file descriptor `fd` on a thread of its own, watching
    /// `output` for a client that has gone.
    func start(fd: Int32 = 0, output: Int32 = 1) {
        let thread = Thread { [self] in
            readLines(fd, output: output)
            // After the last request, the client may still leave while one runs.
            while waitForInput(nil, output: output) {}
        }
        thread.start()
    }

    /// Waits until `fd` has input (true), or until the reader of `output` has
    /// gone — the client closed its end or died — which stops the running
    /// statement, since no one will read its answer (false). A pipe's writing
    /// end reports POLLERR once its reading end is closed.
    func waitForInput(_ fd: Int32?, output: Int32) -> Bool {
        var fds = [pollfd(fd: output, events: 0, revents: 0)]
        if let fd { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        while true {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return fd != nil
            }
            if fds[0].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                channel.close()
                onInterrupt()
                return false
            }
            if fds.count > 1, fds[1].revents != 0 { return true }
        }
    }

    /// The next item, waiting for one; a request is the one being served until
    /// `finished()`. A stop requested before it (a late SIGINT) is forgotten
    /// here, under the lock `interrupt` takes, so one meant for it never is.
    func next() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        if case .request(let request) = item {
            Cancellation.reset()
            running = RequestReader.key(request["id"] ?? NSNull())
        }
        return item
    }

    /// The request `next()` returned has been answered.
    func finished() {
        condition.lock()
        running = nil
        condition.unlock()
    }

    /// Stops the request being served — only if it is `target`'s when one is
    /// named, so an interrupt meant for a cell that has just ended cannot stop
    /// the next one. True when something was stopped.
    private func interrupt(target: Any?) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let running, target.map({ RequestReader.key($0) == running }) ?? true else { return false }
        onInterrupt()
        return true
    }

    /// A request id as a comparable string: its JSON text, so 1 and "1" differ.
    static func key(_ id: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [id], options: [.fragmentsAllowed]) else {
            return "\(id)"
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func put(_ item: Item) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    /// Splits the input at newlines; a line over the limit is dropped as it
    /// arrives and answered with one error.
    func readLines(_ fd: Int32, output: Int32) {
        var line: [UInt8] = []
        var overflowed = false
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while waitForInput(fd, output: output) {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            var start = 0
            while start < count {
                let newline = chunk[start..<count].firstIndex(of: 10)
                let end = newline ?? count
                if !overflowed { line.append(contentsOf: chunk[start..<end]) }
                if line.count > RequestReader.maximumLineBytes {
                    overflowed = true
                    line = []
                }
                if newline != nil {
                    finishLine(line, overflowed: overflowed)
                    line = []
                    overflowed = false
                }
                start = end + 1
            }
        }
        if !line.isEmpty || overflowed { finishLine(line, overflowed: overflowed) }
        put(.end)
    }

    private func finishLine(_ line: [UInt8], overflowed: Bool) {
        if overflowed {
            reject(
                id: NSNull(),
                "request over \(RequestReader.maximumLineBytes >> 20) MiB: skipped (one JSON object per line)")
            return
        }
        guard line.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { return }
        switch RequestReader.decode(line) {
        case .problem(let id, let message):
            reject(id: id, message)
        case .request(let request):
            if request["type"] as? String == "interrupt" {
                let stopped = interrupt(target: request["request"])
                channel.send(["id": request["id"] ?? NSNull(), "type": "done", "status": "ok", "stopped": stopped])
            } else {
                put(.request(request))
            }
        }
    }

    private func reject(id: Any, _ message: String) {
        channel.send(["id": id, "type": "done", "status": "error", "message": message])
    }

    /// A line read: a request, or what is wrong with it (and its id when known).
    enum Decoded {
        case request([String: Any])
        case problem(id: Any, message: String)
    }

    /// A request: a JSON object with a string `type` (and any `id`).
    static func decode(_ line: [UInt8]) -> Decoded {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
        } catch {
            return .problem(id: NSNull(), message: "malformed JSON: \(describe(error)); one object per line")
        }
        guard let request = object as? [String: Any] else {
            return .problem(id: NSNull(), message: "a request must be a JSON object, such as {\"type\": \"execute\"}")
        }
        guard request["type"] is String else {
            return .problem(id: request["id"] ?? NSNull(), message: "a request needs a string \"type\"")
        }
        return .request(request)
    }

    /// Foundation's parse error without its boilerplate.
    static func describe(_ error: Error) -> String {
        let info = (error as NSError).userInfo
        return (info[NSDebugDescriptionErrorKey] as? String) ?? "not JSON"
    }
}
