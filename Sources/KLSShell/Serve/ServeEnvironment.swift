import Foundation
import KLSDiagnostics
import KLSFormats
import KLSLanguage
import KLSPlot

/// The environment of a `kls --serve` session: output, warnings and pictures
/// become messages tagged with the request they belong to; files and the
/// clock are the terminal environment's.
final class ServeEnvironment: Environment {
    let channel: ServeChannel
    let files: TerminalEnvironment
    /// The request being answered (its `id`, any JSON value).
    var requestID: Any = NSNull()
    /// Columns for text layouts (a plot's text fallback, help).
    var displayWidth: Int = 80

    init(channel: ServeChannel, files: TerminalEnvironment) {
        self.channel = channel
        self.files = files
    }

    func send(_ type: String, _ fields: [String: Any]) {
        channel.send(fields.merging(["id": requestID, "type": type]) { _, new in new })
    }

    func output(_ text: String) {
        send("stream", ["name": "stdout", "text": text + "\n"])
    }

    func warn(_ message: String) {
        send("warning", ["text": message])
    }

    /// A long computation's status line as a `progress` message (nil: cleared),
    /// with the REPL's key hint put in a notebook's words.
    func progress(_ line: String?) {
        guard let line else {
            send("progress", ["text": NSNull()])
            return
        }
        let text = line.replacingOccurrences(of: "(Ctrl-C stops)", with: "(interrupt to stop)")
            .replacingOccurrences(of: "(Ctrl-C keeps the best)", with: "(interrupting keeps the best)")
        send("progress", ["text": text])
    }

    /// A picture goes as SVG, with the terminal's text drawing as a fallback;
    /// in place of a live picture that just ended, when there is one.
    func show(plot: PlotData, format: @escaping (Double) -> String) {
        if let id = endedLive {
            endedLive = nil
            return sendPicture(plot, format, display: id, update: true)
        }
        sendPicture(plot, format)
    }

    func sendPicture(
        _ plot: PlotData, _ format: @escaping (Double) -> String, display: String? = nil, update: Bool = false
    ) {
        let text = TextPlot(width: displayWidth, color: false).render(plot, format: format)
        var fields: [String: Any] = ["svg": SVGPlot().render(plot, format: format), "text": text]
        if let display { fields.merge(["display_id": display, "update": update]) { _, new in new } }
        send("display", fields)
    }

    /// The live picture being shown (its display id), and one that ended
    /// without being kept: the request's next picture replaces it, or, when
    /// there is none, `finishRequest` empties it.
    private var live: String?
    private var endedLive: String?
    private var liveCount = 0

    /// A frame: the first a new display with an id, the rest updates of it.
    func showLive(plot: PlotData, format: @escaping (Double) -> String) {
        let id = live ?? "kls-live-\(liveCount + 1)"
        if live == nil { liveCount += 1 }
        sendPicture(plot, format, display: id, update: live != nil)
        live = id
    }

    func endLive(keep: Bool) {
        if !keep { endedLive = live }
        live = nil
    }

    /// Empties a live picture that ended with nothing to take its place.
    func finishRequest() {
        if let id = endedLive { send("display", ["display_id": id, "update": true, "svg": NSNull(), "text": ""]) }
        endedLive = nil
        live = nil
    }

    func openFile(_ path: String) throws(KLSError) -> any ByteSource {
        try files.openFile(path)
    }

    func createFile(_ path: String, _ body: (any ByteSink) throws(KLSError) -> Void) throws(KLSError) {
        try files.createFile(path, body)
    }

    func monotonicNanoseconds() -> UInt64 {
        files.monotonicNanoseconds()
    }
}
