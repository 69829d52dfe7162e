"""The REPL in a real pseudo-terminal (pexpect): prompt, evaluation,
continuation, history across sessions, completion, Ctrl-C at the prompt and
during a long kl_mc (of two distributions, and of two joints), minimize's
progress line, exit/quit/:q, `_`, pasted prompts, Ctrl-D at a continuation,
:save replayed by `kls FILE`, NO_COLOR, Ctrl-D."""
import os
import re
import subprocess
import time

import pexpect
import pytest

from terminal import KLS, PROMPT, run, spawn


def test_banner_prompt_and_evaluation(tmp_path):
    env = dict(os.environ, TERM="xterm", KLS_HISTORY=str(tmp_path / "h"), NO_COLOR="1")
    child = pexpect.spawn(KLS, env=env, encoding="utf-8", timeout=10)
    child.expect(r"kls \d+\.\d+\.\d+ .*Type :help")
    child.expect_exact(PROMPT)
    assert "3" in run(child, "1 + 2")
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_continuation_prompt(tmp_path):
    child = spawn(tmp_path)
    child.sendline("x = [1,")
    child.expect_exact("...> ")
    child.sendline("2]")
    child.expect_exact(PROMPT)
    assert "[1, 2]" in run(child, "x")
    child.sendline("f(v) = {")
    child.expect_exact("...> ")
    child.sendline("  v * 10")
    child.expect_exact("...> ")
    child.sendline("}")
    child.expect_exact(PROMPT)
    assert "30" in run(child, "f(3)")


def test_wrong_statement_is_reported_at_once(tmp_path):
    child = spawn(tmp_path)
    out = run(child, "1 2")
    assert "error: unexpected number 2" in out
    assert "^" in out


def test_history_persists_across_sessions(tmp_path):
    history = tmp_path / "hist"
    first = spawn(tmp_path, history=history)
    assert "42" in run(first, "marker = 41; marker + 1")
    first.sendline(":quit")
    first.expect(pexpect.EOF)
    assert "marker = 41; marker + 1" in history.read_text()
    second = spawn(tmp_path, history=history)
    second.send("\x1b[A")          # up arrow recalls the last entry
    second.send("\r")
    second.expect_exact(PROMPT)
    assert "42" in second.before


def test_up_arrow_searches_the_history_by_the_typed_prefix(tmp_path):
    child = spawn(tmp_path)
    run(child, "100 + 1")
    run(child, "200 + 2")
    child.send("10")
    child.send("\x1b[A")
    time.sleep(0.2)
    assert "101" in run(child, "")


def test_tab_completes_a_variable_and_a_builtin(tmp_path):
    child = spawn(tmp_path)
    run(child, "my_variable = 5")
    child.send("my_var\t")
    time.sleep(0.3)
    child.send(" * 2\r")
    child.expect_exact(PROMPT)
    assert "10" in child.before
    child.send("logsum\t")
    time.sleep(0.3)
    child.send("[0, 0])\r")
    child.expect_exact(PROMPT)
    assert "0.693147" in child.before


def test_path_completion_keeps_the_string_open_after_a_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "data.npy").write_bytes(b"")
    child = spawn(tmp_path)
    child.send(f'x = "{tmp_path}/su\t')
    time.sleep(0.3)
    child.send("d\t")
    time.sleep(0.3)
    out = run(child, "")
    assert f'x = "{tmp_path}/sub/data.npy"' in out
    assert "error" not in out


def test_keyword_and_value_completion(tmp_path):
    child = spawn(tmp_path)
    # estim<Tab> completes to the prefix shared by estimator= and estimate.
    child.send("kl_mc(Normal(0, 1), Normal(1, 1), n=10, seed=1, estim\t")
    child.expect_exact("at")
    child.send('or="k\t\t')
    child.expect("k1 +k2 +k3")
    # A unique value gets its closing quote.
    child.send("3\t")
    time.sleep(0.3)
    child.send(").value\r")
    index = child.expect([r"\r0\.5[0-9]*\r\n", "error"])
    assert index == 0
    child.expect_exact(PROMPT)


def test_ctrl_c_at_the_prompt_clears_the_line(tmp_path):
    child = spawn(tmp_path)
    child.send("this is not sent")
    time.sleep(0.2)
    child.sendintr()
    child.expect_exact(PROMPT)
    out = run(child, "1 + 1")
    assert "2" in out
    assert "error" not in out


def interrupt(child, line):
    """Sends a long-running line, Ctrl-C after a second; it must stop within 0.2 s."""
    child.sendline(line)
    time.sleep(1.0)
    sent = time.monotonic()
    child.sendintr()
    child.expect("interrupted")
    assert time.monotonic() - sent < 0.2 + 0.3  # 0.2 s to stop, plus pty round trips
    child.expect_exact(PROMPT)


def test_ctrl_c_stops_a_long_kl_mc_and_keeps_the_session(tmp_path):
    child = spawn(tmp_path)
    run(child, "kept = 123")
    interrupt(child, "kl_mc(Laplace(0, 1), Normal(1, 1), n=1e9)")
    assert "123" in run(child, "kept")


def test_ctrl_c_stops_a_loop_in_the_numeric_tier(tmp_path):
    child = spawn(tmp_path)
    run(child, "kept = 123")
    run(child, "spin() = { k = 0; while true { k = k + 1 }; k }")
    interrupt(child, "spin()")
    assert "123" in run(child, "kept")


def test_a_long_kl_mc_shows_a_live_progress_line(tmp_path):
    child = spawn(tmp_path)
    child.sendline("kl_mc(Laplace(0, 1), Normal(1, 1), n=1e9)")
    child.expect(r"kl_mc: [0-9]+% of 1e\+09 draws · \S+/s · \S+ s left · [-0-9.e]+ ± ")
    child.sendintr()
    child.expect("interrupted")
    child.expect_exact(PROMPT)


def test_ctrl_c_stops_a_joint_kl_mc_and_keeps_the_session(tmp_path):
    child = spawn(tmp_path)
    run(child, "q = joint(z1=DiagNormal(zeros(8), 0.9), z2=(z1) -> DiagNormal(tanh(z1), 0.8))")
    run(child, "p = joint(z1=StdNormal(8), z2=(z1) -> DiagNormal(0.5 * z1, 1))")
    interrupt(child, "kl_mc(q, p, n=1e8)")
    assert "±" in run(child, "kl_mc(q, p, n=1000, seed=1)")


def test_minimize_shows_progress_and_ctrl_c_keeps_the_best(tmp_path):
    child = spawn(tmp_path)
    child.sendline("r = minimize(x -> sum((x - 1)^2), zeros(3), steps=1e8, lr=1e-5)")
    child.expect("minimize: step [0-9]+/100000000  f = ")
    child.sendintr()
    child.expect("interrupted")
    child.expect_exact(PROMPT)
    assert "true" in run(child, "r.steps < 1e8 and r.value < 3")


@pytest.mark.parametrize("word", ["exit", "quit()", ":q", None])
def test_exit_quit_q_and_ctrl_d_leave_with_status_zero(tmp_path, word):
    child = spawn(tmp_path)
    if word is None:
        child.sendeof()
    else:
        child.sendline(word)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_variable_called_exit_is_evaluated_not_obeyed(tmp_path):
    child = spawn(tmp_path)
    run(child, "exit = 42")
    assert "42" in run(child, "exit")


def test_underscore_is_the_last_value(tmp_path):
    child = spawn(tmp_path)
    run(child, "2 + 3")
    assert "10" in run(child, "_ * 2")


def test_pasted_prompts_are_stripped(tmp_path):
    child = spawn(tmp_path)
    run(child, "kls> x = 4")
    child.sendline("kls> [x,")
    child.expect_exact("...> ")
    assert "[4, 5]" in run(child, "...> x + 1]")


def test_ctrl_d_at_a_continuation_says_what_was_dropped(tmp_path):
    child = spawn(tmp_path)
    child.sendline("f(1,")
    child.expect_exact("...> ")
    child.sendeof()
    child.expect("dropped the unfinished statement")
    child.expect_exact(PROMPT)
    assert "2" in run(child, "1 + 1")


@pytest.mark.skipif(not os.path.exists("/usr/bin/less"), reason="less is not installed")
def test_long_help_goes_through_a_pager(tmp_path):
    child = spawn(tmp_path)
    child.sendline("?")
    # The overview is longer than 40 rows: less shows its first screen and waits.
    child.expect("Commands:")
    child.expect_exact(":")
    time.sleep(0.3)
    child.send("q")
    child.expect_exact(PROMPT)
    assert "2" in run(child, "1 + 1")
    # Short help prints at once.
    assert "k3 = (r − 1) − log r" in run(child, "?k3")


def test_topic_help_and_its_completion(tmp_path):
    child = spawn(tmp_path)
    assert "k3 = (r − 1) − log r" in run(child, "?k3")
    child.send("?pareto_\t")
    child.expect_exact("?pareto_k")
    child.sendline("")
    child.expect_exact("when an estimate cannot be trusted")
    child.expect_exact(PROMPT)


def test_save_replays_with_the_same_values(tmp_path):
    child = spawn(tmp_path)
    shown = run(child, "a = randn(3); a")
    values = re.search(r"\[[-0-9.e+, ]+\]", shown).group(0)
    run(child, "b = sum(a)")
    path = tmp_path / "session.kls"
    assert "saved" in run(child, f":save {path}")
    replay = subprocess.run([KLS, str(path)], capture_output=True, text=True)
    assert replay.returncode == 0
    assert values in replay.stdout


def test_no_color_and_color(tmp_path):
    plain = spawn(tmp_path)
    out = run(plain, "undefined_name")
    assert "error: unknown name" in out
    assert "\x1b[31" not in out
    colored = spawn(tmp_path, color=True)
    out = run(colored, "undefined_name")
    assert "\x1b[31;1merror:\x1b[0m" in out


def test_commands(tmp_path):
    child = spawn(tmp_path)
    run(child, "v = [1, 2]")
    assert "v" in run(child, ":vars") and "tensor" in run(child, ":vars")
    assert "logsumexp(x, axis=none" in run(child, "?logsumexp")
    assert "did you mean :load" in run(child, ":lod x")
    assert "time:" in run(child, ":time sum(randn(1000))")


def test_step_waits_for_enter_and_q_opens_the_repl(tmp_path):
    script = tmp_path / "lesson.kls"
    script.write_text("# lesson\na = 20\na + 1\na + 2\n")
    env = dict(os.environ, TERM="xterm", KLS_HISTORY=str(tmp_path / "h"), NO_COLOR="1")
    child = pexpect.spawn(KLS, ["--step", str(script)], env=env, encoding="utf-8", timeout=10)
    child.expect_exact("kls> a = 20")
    child.sendline("")
    child.expect_exact("kls> a + 1")
    time.sleep(0.3)
    assert "21" not in child.before          # nothing runs before Enter
    child.sendline("")
    child.expect_exact("21")
    child.expect_exact("kls> a + 2")
    child.sendline("q")                       # stop stepping: the REPL keeps the variables
    child.expect_exact("the session stays open")
    child.expect_exact(PROMPT)
    child.sendline("a * 2")
    child.expect_exact("40")


def read_screen(child, settle=0.4):
    """Everything the child wrote in the next `settle` seconds."""
    text = ""
    deadline = time.time() + settle
    while time.time() < deadline:
        try:
            text += child.read_nonblocking(4096, timeout=0.1)
        except pexpect.TIMEOUT:
            pass
    return text


def test_syntax_highlighting_while_typing(tmp_path):
    child = spawn(tmp_path, color=True)
    child.send('z = kl_mc(Normal(0, 1), p, n=10) # k1')
    shown = read_screen(child)
    assert "\x1b[34mkl_mc\x1b[0m" in shown  # a builtin
    assert "\x1b[36m10\x1b[0m" in shown  # a number
    assert "\x1b[90m# k1\x1b[0m" in shown  # a comment
    child.send("\x1b[D" * 7)  # the cursor onto the ')' closing kl_mc(
    shown = read_screen(child)
    assert shown.count("\x1b[1;4m") >= 2  # the pair marked: kl_mc's '(' and its ')'
    child.send("\x05" + ' + 1\r')  # Ctrl-E, then Enter
    child.expect_exact(PROMPT)
    # The entered line is drawn once more, coloured, without the bracket mark.
    last = child.before.rsplit("\x1b7", 1)[-1]
    assert "\x1b[34mkl_mc" in last and "\x1b[1;4m" not in last
    child.sendline(":quit")
    plain = spawn(tmp_path)
    plain.send("kl_mc(")
    assert "\x1b[" not in read_screen(plain)


def test_traceback_shows_the_function_line_then_each_call(tmp_path):
    child = spawn(tmp_path)
    run(child, 'g = (x) -> x + "a"')
    run(child, "f(y) = {\n  z = 2\n  g(y) * z\n}")
    out = run(child, "f(1)")
    out = re.sub(r"\x1b\[\?2004[hl]", "", out).replace("\r", "")
    lines = [l.rstrip() for l in out.split("\n")]
    start = next(i for i, l in enumerate(lines) if "error:" in l)
    assert lines[start].startswith("kls[1]:1:12: error: cannot apply '+'")
    assert lines[start + 1] == '    g = (x) -> x + "a"'
    assert lines[start + 2] == "               ^~~~~~~"
    assert lines[start + 3] == "kls[2]:3:3: note: in the call to g"
    assert lines[start + 4] == "      g(y) * z"
    assert lines[start + 6] == "kls[3]:1:1: note: in the call to f"
    assert lines[start + 7] == "    f(1)"
    # An error in the entry's own statements keeps the short form.
    assert "error: unknown name" in run(child, "nope + 1")
