"""Lessons that move, in a real pseudo-terminal: interact's keys, a live
picture redrawn in place and removed when the work ends (kept on Ctrl-C), and
suggestions from history as IPython shows them (dim after the cursor, → takes
them; never without colour)."""
import re

import pexpect

import terminal
from terminal import KLS, PROMPT, run

UP_AND_CLEAR = re.compile(r"\x1b\[(\d+)A\r\x1b\[J")


def spawn(tmp_path, color=False, history_lines=(), term="xterm"):
    return terminal.spawn(
        tmp_path, color=color, history_lines=history_lines, term=term, timeout=20, dimensions=(50, 100)
    )


KL = "f(mu, sigma) = kl(Normal(mu, sigma), Normal(0, 1))"


def test_interact_keys_change_the_values_and_enter_keeps_them(tmp_path):
    child = spawn(tmp_path)
    run(child, KL)
    child.sendline("interact(f, mu=(-3, 3), sigma=(0.1, 3, 0.1))")
    child.expect(r"mu .*0\s*\r\n.*sigma .*1\.5")
    child.expect_exact("Esc leaves")
    child.expect_exact("0.219535")  # KL(N(0, 1.5) ‖ N(0, 1)), at the starting values
    child.send("\x1b[C")  # → moves mu a step
    child.expect(UP_AND_CLEAR)  # the frame is redrawn over the last one
    child.expect_exact("0.224535")
    child.send("\t")  # the next control
    child.send("\x1b[D\x1b[D")  # ← ←: sigma 1.3
    child.expect_exact("0.0876357")
    child.send("\r")
    child.expect_exact("mu = 0.1, sigma = 1.3 (kept as variables)")
    child.expect_exact(PROMPT)
    assert "1.3" in run(child, "sigma")


def test_escape_and_ctrl_c_leave_without_keeping(tmp_path):
    child = spawn(tmp_path)
    run(child, KL)
    child.sendline("interact(f, mu=(-3, 3), sigma=(0.1, 3, 0.1))")
    child.expect_exact("Esc leaves")
    child.expect_exact("0.219535")
    child.send("\x1b[C")
    child.expect_exact("0.224535")
    child.send("\x1b")
    child.expect_exact(PROMPT)
    assert "unknown name 'mu'" in run(child, "mu")
    child.sendline("interact(f, mu=(-3, 3), sigma=(0.1, 3, 0.1))")
    child.expect_exact("Esc leaves")
    child.expect_exact("0.219535")
    child.sendintr()
    child.expect_exact(PROMPT)
    assert "2" in run(child, "1 + 1")  # the session goes on, nothing pending


def test_interact_shows_an_error_of_f_and_goes_on(tmp_path):
    child = spawn(tmp_path)
    run(child, 'g(x) = if x > 0 { x } else { log("a") }')
    child.sendline("interact(g, x=(-1, 1, 0.5, 1))")
    child.expect_exact("Esc leaves")  # keys are read from here on
    child.expect_exact("1")
    child.send("\x1b[D\x1b[D\x1b[D")
    child.expect_exact("error:")
    child.send("\x1b[C\x1b[C")  # a burst of keys is drawn once, at its end
    child.expect_exact("0.5")
    child.send("q")
    child.expect_exact(PROMPT)


def test_a_live_picture_is_redrawn_in_place_then_gives_way(tmp_path):
    child = spawn(tmp_path)
    slow = "x -> sum((x - 1)^2) + 0 * sum(randn(200000, seed=1))"
    child.sendline(f"r = minimize({slow}, zeros(3), steps=300, live=true); r.steps")
    child.expect(r"minimize: step \d+/300 .*\(live\)")
    child.expect(UP_AND_CLEAR)
    rows = int(child.match.group(1))
    assert 14 < rows < 30
    child.expect(r"minimize: step \d+/300")
    child.expect_exact(PROMPT)
    # The last frame was removed before the result: the screen holds only "300".
    assert re.search(r"\x1b\[\d+A\r\x1b\[J300\r\n", child.before)


def test_ctrl_c_keeps_the_last_frame(tmp_path):
    child = spawn(tmp_path)
    slow = "x -> sum((x - 1)^2) + 0 * sum(randn(200000, seed=1))"
    child.sendline(f"r = minimize({slow}, zeros(3), steps=100000, live=true); r.steps")
    child.expect(r"minimize: step \d+/100000")
    child.expect(r"minimize: step \d+/100000")
    child.sendintr()
    child.expect_exact("interrupted at step")
    child.expect_exact(PROMPT)
    assert not UP_AND_CLEAR.search(child.before.split("interrupted at step")[-1])


def test_no_frames_in_a_pipe(tmp_path):
    import subprocess

    slow = "x -> sum((x - 1)^2) + 0 * sum(randn(200000, seed=1))"
    out = subprocess.run(
        [KLS, "-e", f"minimize({slow}, zeros(3), steps=200, live=true).steps"], capture_output=True, text=True
    )
    assert out.stdout.strip() == "200" and out.stderr == ""


def test_history_suggests_the_rest_dim_and_right_arrow_takes_it(tmp_path):
    child = spawn(tmp_path, color=True, history_lines=["kl(Normal(0, 1), Normal(1, 2))", "x = 41"])
    child.send("kl(N")
    child.expect_exact("\x1b[2mormal(0, 1), Normal(1, 2))\x1b[0m")
    child.send("\x1b[C")  # → at the end of the line takes it
    child.send("\r")
    child.expect_exact("0.443147")
    child.expect_exact(PROMPT)
    # Typing on past the suggestion clears it; → in the middle of a line only moves.
    child.send("kx")
    child.expect_exact("\x1b[K")
    child.send("\x1b[D\x1b[C = 2\r")
    child.expect_exact(PROMPT)
    assert "2" in run(child, "kx")


def test_no_suggestions_without_colour(tmp_path):
    for color, term in ((False, "xterm"), (True, "dumb")):
        child = spawn(tmp_path, color=color, history_lines=["kl(Normal(0, 1), Normal(1, 2))"], term=term)
        child.send("kl(N")
        child.send("\x1b[C")  # only moves (there is nothing to the right)
        child.send("ormal(0, 1), Normal(1, 1))\r")
        child.expect_exact("0.5\r\n")
        assert "Normal(1, 2)" not in child.before  # never suggested
        child.expect_exact(PROMPT)
        child.sendline(":quit")
        child.expect(pexpect.EOF)


def test_alt_f_takes_the_suggestions_next_word(tmp_path):
    child = spawn(tmp_path, color=True, history_lines=["kl(Normal(0, 1), Normal(1, 2))"])
    child.send("kl(N")
    child.expect_exact("\x1b[2mormal(0, 1), Normal(1, 2))\x1b[0m")
    child.send("\x1bf")  # Alt-F: "ormal" only; the rest is still suggested
    child.expect_exact("\x1b[2m(0, 1), Normal(1, 2))\x1b[0m")
    child.send("(3")  # typing on: the suggestion no longer matches and is cleared
    child.send(", 1), Normal(0, 1))\r")
    child.expect_exact("4.5")
    child.expect_exact(PROMPT)
