"""The REPL under test in a real pseudo-terminal (pexpect): the binary, its
prompt, and a session started with a history of its own."""
import os

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KLS = os.environ.get("KLS_BINARY", os.path.join(ROOT, ".build", "debug", "kls"))
PROMPT = "kls> "


def spawn(tmp_path, color=False, history=None, history_lines=None, term="xterm", timeout=10, dimensions=(40, 120)):
    """kls on a pty at its first prompt; without `color`, NO_COLOR is set.
    `history_lines` start a fresh history file holding them."""
    history = history or tmp_path / "history"
    if history_lines is not None:
        history.write_text("".join(line + "\n" for line in history_lines))
    env = dict(os.environ, TERM=term, KLS_HISTORY=str(history))
    env.pop("NO_COLOR", None)
    if not color:
        env["NO_COLOR"] = "1"
    child = pexpect.spawn(KLS, env=env, encoding="utf-8", timeout=timeout, dimensions=dimensions)
    child.expect_exact(PROMPT)
    return child


def run(child, line):
    """Sends a line; returns what was printed before the next prompt."""
    child.sendline(line)
    child.expect_exact(PROMPT)
    return child.before
