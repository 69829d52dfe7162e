"""The kls Jupyter kernel, on ipykernel's kernel base: cells run in one
`kls --serve` session, so variables and `ans` carry across cells."""

import fnmatch
import os
import signal
import sys
import threading

from ipykernel.kernelbase import Kernel

from . import __version__, widgets
from .serve import KLSDied, ServeProcess


class KLSKernel(Kernel):
    implementation = "kls_kernel"
    implementation_version = __version__
    language = "kls"
    language_version = __version__
    language_info = {
        "name": "kls",
        "mimetype": "text/x-kls",
        "file_extension": ".kls",
        "pygments_lexer": "text",
        "codemirror_mode": "text/plain",
    }
    banner = "kls — KL divergence by experiment (help() for builtins, ?topic for lessons)"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kls = ServeProcess()
        self.language_version = self.kls.version
        # (session, line, input, output) for history requests; the session is this kernel's run.
        self.history = []
        # interact's widgets, by kls's number for each interaction.
        self.interactions = {}
        if widgets.ipywidgets is not None:
            widgets.enable_comms(self)

    def send_stream(self, name, text):
        self.send_response(self.iopub_socket, "stream", {"name": name, "text": text})

    async def do_execute(
        self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, *, cell_id=None, **kwargs
    ):
        count = self.execution_count
        page = self.page(code)
        if page is not None:
            return {"status": "ok", "execution_count": count, "payload": page, "user_expressions": {}}
        outputs = []
        self.progress_id = None
        status, error = "ok", None
        # Jupyter interrupts with SIGINT. Python's own handler raises KeyboardInterrupt
        # wherever this thread is — also while it shows an output, outside the wait
        # that passes interrupts on, where ipykernel then swallows it and the cell
        # never ends. While a cell runs, the signal only notes the interrupt.
        # An interrupt noted after the last cell ended (its handler ran late) is not this cell's.
        self.kls.interrupt_pending = False
        previous = signal.signal(signal.SIGINT, lambda signum, frame: self.kls.interrupt_later())
        try:
            request_id = self.kls.send("execute", code=code, name=f"In[{count}]")
            for message in self.kls.replies(request_id):
                kind = message["type"]
                if kind == "done":
                    status = message["status"]
                    self.progress(None)
                    for interaction in self.interactions.values():
                        if interaction.pending:
                            interaction.flush()
                    if status == "interrupted" and not silent:
                        self.send_stream("stderr", "interrupted (the session is intact)\n")
                elif kind == "error":
                    error = message
                elif not silent:
                    self.show(kind, message, count, outputs)
        except KLSDied as died:
            self.send_stream("stderr", f"{died}\nThe kernel restarts with a fresh session.\n")
            # A dead kls is a dead kernel: Jupyter sees the process end and restarts it.
            threading.Timer(1.0, os._exit, args=(1,)).start()
            return self.error_reply("KLSDied", str(died), str(died).split("\n"))
        finally:
            signal.signal(signal.SIGINT, previous)
        if store_history and not silent:
            self.history.append((1, count, code, "\n".join(outputs) or None))
        if error is not None:
            traceback = error.get("rendered", error["message"]).split("\n")
            if not silent:
                self.send_response(
                    self.iopub_socket, "error", {"ename": "error", "evalue": error["message"], "traceback": traceback}
                )
            return self.error_reply("error", error["message"], traceback)
        if status == "interrupted":
            return self.error_reply("interrupted", "interrupted", ["interrupted (the session is intact)"])
        return {"status": "ok", "execution_count": count, "payload": [], "user_expressions": {}}

    def page(self, code):
        """`?name` alone in a cell: help in Jupyter's pager, as IPython shows it."""
        text = code.strip()
        if not text.startswith("?") or "\n" in text:
            return None
        name = text[1:].strip()
        done = self.kls.request("inspect", code=name, cursor=len(name))
        help_text = done["text"] if done.get("found") else f"no help for '{name}'"
        return [{"source": "page", "data": {"text/plain": help_text}, "start": 0}]

    def progress(self, text):
        """A long computation's status line: one display updated in place
        (transient, so it is not saved), emptied when the work ends."""
        if self.progress_id is None and text is None:
            return
        content = {"data": {"text/plain": text or ""}, "metadata": {}}
        if self.progress_id is None:
            self.progress_id = f"kls-progress-{self.execution_count}-{id(self)}"
            content["transient"] = {"display_id": self.progress_id}
            self.send_response(self.iopub_socket, "display_data", content)
        else:
            content["transient"] = {"display_id": self.progress_id}
            self.send_response(self.iopub_socket, "update_display_data", content)

    def show(self, kind, message, count, outputs):
        """One output message of kls as a Jupyter output."""
        interaction = self.interactions.get(message.get("interaction"))
        if interaction is not None and kind != "interact":
            interaction.collect(message)
        elif kind == "interact":
            self.interact(message)
        elif kind == "progress":
            self.progress(message.get("text"))
        elif kind == "stream":
            self.send_stream(message["name"], message["text"])
        elif kind == "warning":
            self.send_stream("stderr", "warning: " + message["text"] + "\n")
        elif kind == "result":
            outputs.append(message["text"])
            self.send_response(
                self.iopub_socket,
                "execute_result",
                {"execution_count": count, "data": {"text/plain": message["text"]}, "metadata": {}},
            )
        elif kind == "display":
            self.display(message)

    def interact(self, message):
        """`interact`: its controls as widgets, the output below them (without
        ipywidgets, a note, and the output at the starting values as usual)."""
        if widgets.ipywidgets is None:
            self.send_stream("stderr", "interact: install ipywidgets for sliders; showing the starting values\n")
            return
        interaction = widgets.Interaction(self, message)
        self.interactions[interaction.number] = interaction
        self.send_response(self.iopub_socket, "display_data", interaction.view())

    def display(self, message):
        """A picture; with a `display_id`, a live one: the first message makes the
        display, `update` ones replace it in place (an empty one empties it)."""
        data = {"text/plain": message.get("text", "")}
        if message.get("svg"):
            data["image/svg+xml"] = message["svg"]
        content = {"data": data, "metadata": {}}
        display_id = message.get("display_id")
        if display_id is None:
            self.send_response(self.iopub_socket, "display_data", content)
            return
        content["transient"] = {"display_id": f"{display_id}-{id(self)}-{self.execution_count}"}
        kind = "update_display_data" if message.get("update") else "display_data"
        self.send_response(self.iopub_socket, kind, content)

    def error_reply(self, name, value, traceback):
        return {
            "status": "error",
            "execution_count": self.execution_count,
            "ename": name,
            "evalue": value,
            "traceback": traceback,
        }

    def do_complete(self, code, cursor_pos):
        done = self.kls.request("complete", code=code, cursor=cursor_pos)
        return {
            "status": "ok",
            "matches": done.get("matches", []),
            "cursor_start": done.get("cursor_start", cursor_pos),
            "cursor_end": done.get("cursor_end", cursor_pos),
            "metadata": {},
        }

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        done = self.kls.request("inspect", code=code, cursor=cursor_pos)
        found = bool(done.get("found"))
        return {
            "status": "ok",
            "found": found,
            "data": {"text/plain": done["text"]} if found else {},
            "metadata": {},
        }

    def do_is_complete(self, code):
        state = self.kls.request("is_complete", code=code).get("state", "unknown")
        return {"status": state, "indent": ""} if state == "incomplete" else {"status": state}

    def do_history(
        self, hist_access_type, output, raw, session=None, start=None, stop=None, n=None, pattern=None, unique=False
    ):
        entries = self.history
        if hist_access_type == "range":
            entries = [e for e in entries if (session in (None, e[0])) and (start or 0) <= e[1] < (stop or sys.maxsize)]
        elif hist_access_type == "search":
            entries = [e for e in entries if fnmatch.fnmatch(e[2], pattern or "*")]
            if unique:
                seen, kept = set(), []
                for e in reversed(entries):
                    if e[2] not in seen:
                        seen.add(e[2])
                        kept.append(e)
                entries = kept[::-1]
        if hist_access_type in ("tail", "search") and n:
            entries = entries[-n:]
        return {
            "status": "ok",
            "history": [(s, line, (code, out) if output else code) for s, line, code, out in entries],
        }

    def do_shutdown(self, restart):
        self.kls.close()
        return {"status": "ok", "restart": restart}
