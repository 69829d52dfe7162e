"""`kls --serve` spoken to directly (docs/serve.md): every request answered by
messages with its id and one `done`; malformed JSON, unknown requests, missing
fields and oversized lines each get a JSON error and the session goes on;
interrupts by message and by signal stop a statement and keep the session; a
client that disappears mid-request makes kls leave, never hang."""

import json
import os
import signal
import subprocess
import time

import pytest

from kernelspec import KLS, ROOT

# A statement that runs for minutes unless stopped (Gamma draws, 1e9 of them).
LONG = "kl_mc(Gamma(2, 1), LogNormal(0, 1), n=1e9, seed=1)"


class Serve:
    def __init__(self):
        self.process = subprocess.Popen(
            [KLS, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
        )
        assert self.read()["type"] == "ready"

    def read(self, timeout=30):
        import select

        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, "no message from kls --serve"
        line = self.process.stdout.readline()
        assert line, "kls --serve closed its output"
        return json.loads(line)

    def write(self, raw):
        self.process.stdin.write(raw if isinstance(raw, bytes) else raw.encode())
        self.process.stdin.flush()

    def send(self, **request):
        self.write(json.dumps(request) + "\n")

    def until_done(self, request_id, timeout=30):
        """The messages for `request_id`, up to and including its done."""
        messages = []
        while True:
            message = self.read(timeout)
            if message.get("id") == request_id:
                messages.append(message)
                if message["type"] == "done":
                    return messages

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@pytest.fixture
def serve():
    session = Serve()
    yield session
    session.close()


def test_execute_streams_results_output_and_errors(serve):
    serve.send(id=1, type="execute", code='x = 2\nx * 3\nprint("hi")\nx')
    messages = serve.until_done(1)
    assert [m["type"] for m in messages] == ["result", "stream", "result", "done"]
    assert messages[0]["text"] == "6" and messages[1]["text"] == "hi\n" and messages[2]["text"] == "2"
    assert messages[-1]["status"] == "ok"
    serve.send(id=2, type="execute", code="1 +\n2 + nope", name="In[7]")
    error, done = serve.until_done(2)
    assert error["type"] == "error" and done["status"] == "error"
    assert (error["line"], error["column"], error["end_column"]) == (2, 5, 9)
    assert error["rendered"].startswith("In[7]:2:5: error: unknown name 'nope'")


def test_plots_come_as_svg_with_text(serve):
    serve.send(id="p", type="execute", code='hist(randn(1000, seed=1), dist=Normal(0, 1), title="draws")')
    display, done = serve.until_done("p")
    assert display["type"] == "display" and display["svg"].lstrip().startswith("<?xml")
    assert "draws" in display["text"] and done["status"] == "ok"


def test_complete_inspect_and_is_complete(serve):
    serve.send(id=1, type="complete", code="y = kl_m", cursor=8)
    (done,) = serve.until_done(1)
    assert done["matches"] == ["kl_mc", "kl_mixture"] and (done["cursor_start"], done["cursor_end"]) == (4, 8)
    serve.send(id=2, type="inspect", code="kl_trace(q, p, ", cursor=15)
    (done,) = serve.until_done(2)
    assert done["found"] and done["name"] == "kl_trace" and done["text"].startswith("kl_trace(")
    for code, state in [("f(1,", "incomplete"), ("1 +* 2", "invalid"), ("1 + 2", "complete")]:
        serve.send(id=code, type="is_complete", code=code)
        assert serve.until_done(code)[0]["state"] == state


@pytest.mark.parametrize(
    "raw, expected_id, words",
    [
        (b"{not json\n", None, "malformed JSON"),
        (b"[1, 2]\n", None, "must be a JSON object"),
        (b'"execute"\n', None, "must be a JSON object"),
        (b'{"id": 5}\n', 5, 'needs a string "type"'),
        (b'{"id": 6, "type": "launch"}\n', 6, "unknown request type 'launch'"),
        (b'{"id": 7, "type": "execute"}\n', 7, 'needs a string "code"'),
        (b'{"id": 8, "type": "complete", "code": "x", "cursor": -1}\n', 8, "whole number"),
        (b"\xff\xfe\n", None, "malformed JSON"),
    ],
)
def test_bad_requests_get_a_json_error_and_the_session_goes_on(serve, raw, expected_id, words):
    serve.write(raw)
    done = serve.read()
    assert done["type"] == "done" and done["status"] == "error" and done["id"] == expected_id
    assert words in done["message"]
    serve.send(id="after", type="execute", code="1 + 1")
    assert serve.until_done("after")[0]["text"] == "2"


def test_an_oversized_line_is_refused_without_buffering_it(serve):
    serve.write(b'{"id": 1, "type": "execute", "code": "' + b"1" * (9 << 20) + b'"}\n')
    done = serve.read()
    assert done["status"] == "error" and "over 8 MiB" in done["message"]
    serve.send(id=2, type="execute", code="3")
    assert serve.until_done(2)[0]["text"] == "3"


def test_interrupt_by_message_and_by_signal_keep_the_session(serve):
    serve.send(id=1, type="execute", code="kept = 5")
    serve.until_done(1)
    for how in ("message", "signal"):
        serve.send(id=how, type="execute", code=LONG)
        # After half a second the run reports how far it is.
        progress = serve.read(timeout=20)
        assert progress["type"] == "progress" and progress["id"] == how
        assert "% of 1e+09 draws" in progress["text"] and "(interrupt to stop)" in progress["text"]
        started = time.time()
        if how == "message":
            serve.send(id="stop", type="interrupt")
            assert serve.until_done("stop")[-1]["stopped"] is True
        else:
            serve.process.send_signal(signal.SIGINT)
        messages = serve.until_done(how, timeout=20)
        assert messages[-1]["status"] == "interrupted"
        # The status line is cleared however the run ends.
        assert messages[-2] == {"id": how, "type": "progress", "text": None}
        assert time.time() - started < 10
    serve.send(id=3, type="execute", code="kept")
    assert serve.until_done(3)[0]["text"] == "5"


def test_an_interrupt_naming_a_request_stops_only_that_one(serve):
    serve.send(id="short", type="execute", code="kept = 5")
    serve.until_done("short")
    # Late, for a cell that has ended: nothing is stopped, and the next cell runs whole.
    serve.send(id="late", type="interrupt", request="short")
    assert serve.until_done("late")[-1] == {"id": "late", "type": "done", "status": "ok", "stopped": False}
    serve.send(id="next", type="execute", code="x = 1\nkept + x")
    messages = serve.until_done("next")
    assert messages[-1]["status"] == "ok" and messages[0]["text"] == "6"
    # Naming the running request stops it; 1 and "1" are different ids.
    serve.send(id=1, type="execute", code=LONG)
    assert serve.read(timeout=20)["type"] == "progress"
    serve.send(id="other", type="interrupt", request="1")
    assert serve.until_done("other")[-1]["stopped"] is False
    serve.send(id="it", type="interrupt", request=1)
    assert serve.until_done("it")[-1]["stopped"] is True
    assert serve.until_done(1, timeout=20)[-1]["status"] == "interrupted"


def test_shutdown_ends_the_process(serve):
    serve.send(id=1, type="shutdown")
    assert serve.until_done(1)[0]["status"] == "ok"
    assert serve.process.wait(timeout=10) == 0


def test_end_of_input_finishes_queued_requests_then_leaves():
    run = subprocess.run(
        [KLS, "--serve"],
        input=b'{"id": 1, "type": "execute", "code": "40 + 2"}\n',
        capture_output=True,
        timeout=60,
    )
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.returncode == 0
    assert [m["type"] for m in lines] == ["ready", "result", "done"] and lines[1]["text"] == "42"


def test_a_client_that_disappears_mid_request_makes_kls_leave():
    serve = Serve()
    serve.send(id=1, type="execute", code=LONG)
    time.sleep(1)
    serve.process.stdin.close()
    serve.process.stdout.close()
    started = time.time()
    try:
        status = serve.process.wait(timeout=20)
    finally:
        serve.close()
    assert status == 0 and time.time() - started < 20


def test_serve_refuses_other_modes():
    run = subprocess.run([KLS, "--serve", "-e", "1"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "--serve reads its requests from stdin" in run.stderr


def test_the_kernel_package_and_kls_have_one_version():
    """The wheel is named after kls_kernel.__version__ and kls says its own: one release, one number."""
    first = subprocess.run([KLS, "--serve"], input=b"", capture_output=True, timeout=60).stdout.splitlines()[0]
    namespace = {}
    with open(os.path.join(ROOT, "jupyter", "kls_kernel", "__init__.py")) as f:
        exec(f.read(), namespace)
    assert json.loads(first)["version"] == namespace["__version__"]
    version = subprocess.run([KLS, "--version"], capture_output=True, text=True, timeout=60).stdout
    assert version.split()[0] == namespace["__version__"]
