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

    /// A picture goes as SVG, with the terminal's text drawing as a fallback.
    func show(plot: PlotData, format: @escaping (Double) -> String) {
        let text = TextPlot(width: displayWidth, color: false).render(plot, format: format)
        send("display", ["svg": SVGPlot().render(plot, format: format), "text": text])
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
