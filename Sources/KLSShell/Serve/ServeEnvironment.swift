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
        var tags: [String: Any] = ["id": requestID, "type": type]
        if let showing { tags["interaction"] = showing }
        channel.send(fields.merging(tags) { _, new in new })
    }

    /// The interactions of the session by number: a notebook's widgets send
    /// `interact_update` requests naming one (docs/serve.md). The newest
    /// `keptInteractions` are kept (each holds its f and what f captured).
    private(set) var interactions: [Int: Interaction] = [:]
    private(set) var interactionCount = 0
    static let keptInteractions = 100
    /// The interaction whose output is being shown: its messages say so.
    private var showing: Int? = nil

    /// `interact`: an `interact` message describing the controls, then the
    /// output at the starting values, each message tagged with the interaction.
    func interact(_ interaction: Interaction) throws(KLSError) -> [Value]? {
        interactionCount += 1
        let number = interactionCount
        interactions[number] = interaction
        interactions[number - ServeEnvironment.keptInteractions] = nil
        send(
            "interact",
            [
                "interaction": number, "label": interaction.label,
                "controls": interaction.controls.map(ServeEnvironment.json),
            ])
        try show(interaction: number, interaction.controls.map(\.start))
        return nil
    }

    /// Shows interaction `number`'s output at `values`, its messages tagged.
    func show(interaction number: Int, _ values: [Value]) throws(KLSError) {
        guard let interaction = interactions[number] else { throw unknownInteraction(number) }
        showing = number
        defer { showing = nil }
        try interaction.show(values)
    }

    /// The error for an `interact_update` naming an interaction not kept.
    func unknownInteraction(_ number: Int) -> KLSError {
        if number >= 1, number <= interactionCount {
            return KLSError(
                "interaction \(number) is gone: kls keeps the newest \(ServeEnvironment.keptInteractions) of this "
                    + "session's \(interactionCount); run its interact again")
        }
        return KLSError("no interaction \(number) in this session (there are \(interactionCount))")
    }

    /// A control as JSON: `name`, `kind` (`slider`, `choice`, `toggle`), its range
    /// or options, and `value` (the start).
    static func json(_ control: Control) -> [String: Any] {
        var fields: [String: Any] = ["name": control.name]
        switch control.kind {
        case .slider(let low, let high, let step):
            fields.merge(["kind": "slider", "low": low, "high": high, "step": step]) { _, new in new }
        case .choice(let options):
            fields.merge(["kind": "choice", "options": options]) { _, new in new }
        case .toggle:
            fields["kind"] = "toggle"
        }
        switch control.start {
        case .number(let v): fields["value"] = v
        case .bool(let b): fields["value"] = b
        case .string(let s): fields["value"] = s.description
        default: break
        }
        return fields
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
