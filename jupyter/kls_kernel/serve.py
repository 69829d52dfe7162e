"""A client of `kls --serve`: starts the process, sends requests as JSON lines
and hands back the messages answering each one (docs/serve.md)."""

import collections
import itertools
import json
import os
import queue
import shutil
import subprocess
import sys
import threading


class KLSDied(Exception):
    """kls exited while a request was open (a crash, or killed)."""


def binary():
    """The kls to run: $KLS_BINARY, else the kls installed beside this Python (the
    wheel puts both in the environment's bin/, and Jupyter may start the kernel
    without that folder on the PATH), else kls on the PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "kls")
    installed = beside if os.access(beside, os.X_OK) else None
    path = os.environ.get("KLS_BINARY") or installed or shutil.which("kls")
    if not path:
        raise FileNotFoundError("kls not found: set KLS_BINARY or put kls on the PATH (README: Jupyter)")
    return path


class ServeProcess:
    """One `kls --serve` process and a thread reading its messages."""

    def __init__(self, args=(), ready_timeout=60):
        self.process = subprocess.Popen(
            [binary(), "--serve", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        self.messages = queue.Queue()
        self.stderr_tail = collections.deque(maxlen=40)
        self.ids = itertools.count(1)
        self.write_lock = threading.Lock()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        ready = self.messages.get(timeout=ready_timeout)
        if ready is None or ready.get("type") != "ready":
            raise KLSDied(self.death_note())
        self.version = ready.get("version", "")

    def _read_stdout(self):
        for line in self.process.stdout:
            try:
                self.messages.put(json.loads(line))
            except ValueError:
                self.stderr_tail.append("unreadable message: " + line[:200].decode("utf-8", "replace"))
        self.messages.put(None)

    def _read_stderr(self):
        for line in self.process.stderr:
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip("\n"))

    def death_note(self):
        """How kls ended, and the last of what it wrote on stderr."""
        try:
            status = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            status = None
        how = (
            "still running"
            if status is None
            else f"killed by signal {-status}" if status < 0 else f"exit status {status}"
        )
        tail = "\n".join(self.stderr_tail)
        return f"kls stopped ({how})" + (f":\n{tail}" if tail else "")

    def send(self, request_type, **fields):
        """Sends a request; returns its id."""
        request_id = next(self.ids)
        line = json.dumps({"id": request_id, "type": request_type, **fields}) + "\n"
        with self.write_lock:
            try:
                self.process.stdin.write(line.encode("utf-8"))
                self.process.stdin.flush()
            except (BrokenPipeError, OSError) as error:
                raise KLSDied(self.death_note()) from error
        return request_id

    # Set by `interrupt_later` (from a signal handler), sent by `replies`.
    interrupt_pending = False

    def interrupt_later(self):
        """Notes an interrupt for `replies` to send within 0.2 s. Safe in a signal
        handler: one assignment, no lock or write that the interrupted code may hold."""
        self.interrupt_pending = True

    def interrupt(self, request_id=None):
        """Stops the running statement (kls keeps its session) — only request
        `request_id`'s when given, so a late interrupt cannot stop the next cell."""
        try:
            if request_id is None:
                self.send("interrupt")
            else:
                self.send("interrupt", request=request_id)
        except KLSDied:
            pass

    def replies(self, request_id, on_interrupt=None):
        """The messages answering `request_id`, ending with its `done`. A
        KeyboardInterrupt while waiting (Jupyter's interrupt), or an interrupt
        `interrupt_later` noted, is passed on to kls, and the wait goes on until
        kls says the request is done."""
        stop = on_interrupt or (lambda: self.interrupt(request_id))
        while True:
            try:
                message = self.messages.get(timeout=0.2)
            except queue.Empty:
                message = False
            except KeyboardInterrupt:
                stop()
                continue
            if self.interrupt_pending:
                self.interrupt_pending = False
                stop()
            if message is False:
                continue
            if message is None:
                self.messages.put(None)
                raise KLSDied(self.death_note())
            if message.get("id") != request_id:
                continue
            yield message
            if message.get("type") == "done":
                return

    def request(self, request_type, **fields):
        """Sends a request and returns its `done` message."""
        request_id = self.send(request_type, **fields)
        for message in self.replies(request_id):
            if message["type"] == "done":
                return message
        raise KLSDied(self.death_note())

    def close(self, timeout=5):
        """Asks kls to leave; kills it if it does not."""
        try:
            self.request("shutdown")
        except (KLSDied, OSError):
            pass
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
