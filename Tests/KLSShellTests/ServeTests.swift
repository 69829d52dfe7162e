import Foundation
import Testing

@testable import KLSShell

/// `kls --serve`'s requests answered in-process, its messages captured.
@Suite struct ServeTests {
    final class Captured: @unchecked Sendable {
        var messages: [[String: Any]] = []
    }

    func session() -> (ServeSession, Captured) {
        let captured = Captured()
        let channel = ServeChannel { bytes in
            let object = try? JSONSerialization.jsonObject(with: Data(bytes))
            captured.messages.append(object as? [String: Any] ?? [:])
            return true
        }
        return (ServeSession(seed: 1, precision: 6, channel: channel), captured)
    }

    @Test func executeAnswersWithResultsOutputAndDone() throws {
        let (serve, captured) = session()
        #expect(serve.handle(["id": 1, "type": "execute", "code": "x = 1\nx + 1\nprint(\"a\")"]))
        let types = captured.messages.map { $0["type"] as? String ?? "" }
        #expect(types == ["result", "stream", "done"])
        #expect(captured.messages[0]["text"] as? String == "2")
        #expect(captured.messages[2]["status"] as? String == "ok")
        #expect(captured.messages.allSatisfy { $0["id"] as? Int == 1 })
    }

    @Test func errorsCarryTheirLocationAndTheRenderedExcerpt() throws {
        let (serve, captured) = session()
        _ = serve.handle(["id": "a", "type": "execute", "code": "y = 2\ny + nope", "name": "In[4]"])
        let error = try #require(captured.messages.first { $0["type"] as? String == "error" })
        #expect(error["line"] as? Int == 2 && error["column"] as? Int == 5 && error["end_column"] as? Int == 9)
        #expect((error["rendered"] as? String)?.hasPrefix("In[4]:2:5: error: unknown name 'nope'") == true)
        #expect(captured.messages.last?["status"] as? String == "error")
    }

    @Test func interactDescribesItsControlsAndTagsItsOutput() throws {
        let (serve, captured) = session()
        _ = serve.handle([
            "id": 1, "type": "execute",
            "code": "f(mu, sigma, kind=\"a\", on=false) = mu\ninteract(f, mu=(-3, 3), sigma=(0.1, 3, 0.1), "
                + "kind=[\"a\", \"b\"], on=true)",
        ])
        let types = captured.messages.map { $0["type"] as? String ?? "" }
        #expect(types == ["interact", "stream", "done"])
        let interact = captured.messages[0]
        #expect(interact["interaction"] as? Int == 1 && interact["label"] as? String == "f")
        let controls = try #require(interact["controls"] as? [[String: Any]])
        #expect(controls.map { $0["kind"] as? String } == ["slider", "slider", "choice", "toggle"])
        #expect(controls[0]["low"] as? Double == -3 && controls[0]["step"] as? Double == 0.1)
        #expect(controls[1]["value"] as? Double == 1.5)
        #expect(controls[2]["options"] as? [String] == ["a", "b"] && controls[3]["value"] as? Bool == true)
        #expect(captured.messages[1]["interaction"] as? Int == 1 && captured.messages[1]["text"] as? String == "0\n")
        captured.messages = []
        _ = serve.handle(["id": 2, "type": "interact_update", "interaction": 1, "values": ["mu": 1.26, "on": false]])
        #expect(captured.messages.map { $0["type"] as? String ?? "" } == ["stream", "done"])
        // Put on the slider's step.
        #expect(captured.messages[0]["text"] as? String == "1.3\n" && captured.messages[0]["interaction"] as? Int == 1)
        captured.messages = []
        _ = serve.handle(["id": 3, "type": "interact_update", "interaction": 1, "values": ["kind": "c"]])
        #expect(captured.messages.last?["status"] as? String == "error")
        _ = serve.handle(["id": 4, "type": "interact_update", "interaction": 2])
        #expect((captured.messages.last?["message"] as? String)?.hasPrefix("no interaction 2") == true)
    }

    @Test func theNewestHundredInteractionsAreKept() throws {
        let (serve, captured) = session()
        _ = serve.handle([
            "id": 1, "type": "execute", "code": "for i in arange(101) { interact(x -> x, x=(0, 1)) }",
        ])
        captured.messages = []
        _ = serve.handle(["id": 2, "type": "interact_update", "interaction": 1, "values": ["x": 1]])
        #expect((captured.messages.last?["message"] as? String)?.hasPrefix("interaction 1 is gone") == true)
        _ = serve.handle(["id": 3, "type": "interact_update", "interaction": 2, "values": ["x": 1]])
        #expect(captured.messages.last?["status"] as? String == "ok")
    }

    @Test func aLivePictureIsOneDisplayTheNextPictureReplaces() throws {
        let (serve, captured) = session()
        let slow = "x -> sum((x - 1)^2) + 0 * sum(randn(100000, seed=1))"
        _ = serve.handle([
            "id": 1, "type": "execute", "code": "r = minimize(\(slow), zeros(2), steps=400, live=true); plot(r.trace)",
        ])
        let displays = captured.messages.filter { $0["type"] as? String == "display" }
        #expect(displays.count >= 2)
        #expect(displays.allSatisfy { $0["display_id"] as? String == "kls-live-1" })
        #expect(
            displays.first?["update"] as? Bool == false
                && displays.dropFirst().allSatisfy { $0["update"] as? Bool == true })
        #expect((displays.last?["text"] as? String)?.contains("(live)") == false)
        captured.messages = []
        // Nothing takes its place: emptied before the request is done.
        _ = serve.handle(["id": 2, "type": "execute", "code": "r = minimize(\(slow), zeros(2), steps=400, live=true);"])
        let last = captured.messages.filter { $0["type"] as? String == "display" }.last
        #expect(
            last?["display_id"] as? String == "kls-live-2" && last?["svg"] is NSNull && last?["text"] as? String == "")
        #expect(captured.messages.last?["type"] as? String == "done")
    }

    @Test func completeInspectAndIsComplete() throws {
        let (serve, captured) = session()
        _ = serve.handle(["id": 1, "type": "complete", "code": "kl_mc(q, p, estimator=\"k", "cursor": 24])
        #expect(captured.messages.last?["matches"] as? [String] == ["k1", "k2", "k3"])
        #expect(captured.messages.last?["cursor_start"] as? Int == 23)
        _ = serve.handle(["id": 2, "type": "inspect", "code": "compare(q, ", "cursor": 11])
        #expect(captured.messages.last?["name"] as? String == "compare")
        _ = serve.handle(["id": 3, "type": "is_complete", "code": "[1,"])
        #expect(captured.messages.last?["state"] as? String == "incomplete")
        #expect(!serve.handle(["id": 4, "type": "shutdown"]))
    }

    @Test func badRequestsAreAnsweredNotFatal() throws {
        let (serve, captured) = session()
        #expect(serve.handle(["id": 9, "type": "launch"]))
        #expect((captured.messages.last?["message"] as? String)?.contains("unknown request type 'launch'") == true)
        #expect(serve.handle(["id": 10, "type": "execute"]))
        #expect(captured.messages.last?["status"] as? String == "error")
        for line in ["{", "[1]", "{\"id\": 3}", "\u{FF}"] {
            guard case .problem = RequestReader.decode(Array(line.utf8)) else {
                Issue.record("\(line) was accepted")
                continue
            }
        }
    }

    @Test func theNameToInspect() {
        #expect(ServeSession.name(in: "kl_mc(q, p)", at: 2) == "kl_mc")
        #expect(ServeSession.name(in: "kl_mc(q, f(1), ", at: 15) == "kl_mc")
        #expect(ServeSession.name(in: "x + 1", at: 5) == nil)
        #expect(ServeSession.name(in: "", at: 0) == nil)
    }
}
