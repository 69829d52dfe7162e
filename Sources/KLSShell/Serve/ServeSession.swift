import CReadline
import Foundation
import KLSDiagnostics
import KLSLanguage
import KLSTensor

/// `kls --serve`: a session driven by JSON lines, for notebooks and editors
/// (docs/serve.md). Requests arrive on standard input, one object per line;
/// every request is answered by messages carrying its `id`, the last of type
/// `done`. Statements run on the calling thread (the interpreter's large
/// stack); a reader thread takes requests and answers interrupts at once.
public final class ServeSession {
    /// The version of the message format, in the `ready` message.
    public static let protocolVersion = 1

    let channel: ServeChannel
    let environment: ServeEnvironment
    let interpreter: Interpreter
    let reader: RequestReader
    /// Each executed cell, by execution count, for tracebacks into earlier cells.
    var sources: [Int: ErrorRenderer.SourceText] = [:]
    var executionCount = 0

    /// A session seeded with `seed` (the clock when nil), showing numbers with
    /// `precision` digits; `channel` is standard output unless a test gives one.
    init(seed: UInt64?, precision: Int, channel: ServeChannel) {
        self.channel = channel
        // Anything written to the console (nothing should be) still reaches the client.
        let console = Console(color: false) { fd, bytes in
            channel.send([
                "id": NSNull(), "type": "stream", "name": fd == 1 ? "stdout" : "stderr",
                "text": String(decoding: bytes, as: UTF8.self),
            ])
        }
        environment = ServeEnvironment(channel: channel, files: TerminalEnvironment(console: console))
        interpreter = Interpreter(seed: seed, environment: environment)
        interpreter.defaultPrecision = precision
        interpreter.formatter.precision = precision
        reader = RequestReader(channel: channel) { Cancellation.request() }
    }

    /// A session on standard input and output.
    public convenience init(seed: UInt64?, precision: Int) {
        self.init(seed: seed, precision: precision, channel: ServeChannel())
    }

    /// Serves until `shutdown` or the end of input; returns the exit status.
    public func run() -> Int32 {
        // SIGINT (Jupyter's interrupt) stops the running statement, as Ctrl-C does in the REPL.
        kls_install_sigint { Cancellation.request() }
        channel.send([
            "id": NSNull(), "type": "ready", "version": KLSShellInfo.version, "protocol": ServeSession.protocolVersion,
        ])
        reader.start()
        while channel.isOpen {
            guard case .request(let request) = reader.next() else { return 0 }
            defer { reader.finished() }
            if !handle(request) { return 0 }
        }
        return 0
    }

    /// Answers one request; false after `shutdown`.
    func handle(_ request: [String: Any]) -> Bool {
        let id = request["id"] ?? NSNull()
        environment.requestID = id
        let type = request["type"] as? String ?? ""
        do throws(KLSError) {
            switch type {
            case "execute": execute(try string(request, "code"), name: request["name"] as? String, id: id)
            case "complete": complete(try string(request, "code"), cursor: try integer(request, "cursor"), id: id)
            case "inspect": inspect(try string(request, "code"), cursor: try integer(request, "cursor"), id: id)
            case "is_complete": isComplete(try string(request, "code"), id: id)
            case "interact_update": try interactUpdate(request, id: id)
            case "shutdown":
                done(id, "ok", [:])
                return false
            default:
                throw KLSError(
                    "unknown request type '\(type)'; kls --serve takes execute, complete, inspect, is_complete, "
                        + "interact_update, interrupt and shutdown")
            }
        } catch {
            done(id, "error", ["message": error.message])
        }
        return true
    }

    func done(_ id: Any, _ status: String, _ fields: [String: Any]) {
        environment.finishRequest()
        // No longer the running request before the client can know it: an
        // interrupt naming it, sent the moment `done` arrives, must stop nothing.
        reader.finished()
        channel.send(fields.merging(["id": id, "type": "done", "status": status]) { _, new in new })
    }

    func string(_ request: [String: Any], _ key: String) throws(KLSError) -> String {
        guard let value = request[key] as? String else { throw KLSError("this request needs a string \"\(key)\"") }
        return value
    }

    /// A whole number ≥ 0; a missing cursor is the end of the code.
    func integer(_ request: [String: Any], _ key: String) throws(KLSError) -> Int {
        guard let raw = request[key] else { return (request["code"] as? String)?.unicodeScalars.count ?? 0 }
        guard let number = raw as? NSNumber, let value = Int(exactly: number.doubleValue), value >= 0 else {
            throw KLSError("\"\(key)\" must be a whole number ≥ 0")
        }
        return value
    }
}
