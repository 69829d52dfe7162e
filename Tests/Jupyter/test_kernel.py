"""The kls kernel against the Jupyter project's conformance suite
(jupyter_kernel_test), then what the suite does not cover: plots inline as SVG,
`ans` across cells, errors as Jupyter errors with the cell's line, Shift-Tab
help inside a call, interrupt, and a crash of kls reported as a dead kernel
that restarts."""

import os
import signal
import time
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel

import kernelspec

kernelspec.install()


class KLSKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "kls"
    language_name = "kls"
    file_extension = ".kls"
    code_hello_world = 'print("hello, world")'
    # k3 with a q much narrower than p: kl_mc warns that r's mean is away from 1, on stderr.
    code_stderr = 'kl_mc(Normal(0, 0.3), Normal(0, 1), n=1000, seed=1, estimator="k3")'
    completion_samples = [
        {"text": "kl_m", "matches": {"kl_mc", "kl_mixture"}},
        {"text": "kl_mc(q, p, est", "matches": {"estimator=", "estimate"}},
    ]
    complete_code_samples = ["1 + 1", "x = [1, 2]", "f(x) = x ^ 2"]
    incomplete_code_samples = ["kl_mc(Normal(0, 1),", "x = [1,", "f(x) = {"]
    invalid_code_samples = ["1 +* 2", "x = ]"]
    code_generate_error = "undefined_name + 1"
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "[1, 2] * 2", "result": "[2, 4]"},
        {"code": "kl(Normal(0, 1), Normal(1, 1))", "result": "0.5"},
    ]
    code_display_data = [{"code": "plot([1, 4, 9])", "mime": "image/svg+xml"}]
    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "kl_mc"
    code_page_something = "?estimators"


class KLSKernelBehaviour(kernelspec.KernelTestCase):
    def test_ans_carries_across_cells(self):
        self.run_cell("21 * 2")
        reply, outputs = self.run_cell("ans + 1")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "43")

    def test_plot_is_inline_svg_with_a_text_fallback(self):
        _, outputs = self.run_cell("plot([kl_trace(Normal(0, 1), Normal(1, 1), 200, seed=1)], labels=[\"k1\"])")
        display = [m for m in outputs if m["msg_type"] == "display_data"]
        self.assertEqual(len(display), 1)
        data = display[0]["content"]["data"]
        self.assertIn("<svg", data["image/svg+xml"])
        self.assertIn("k1", data["text/plain"])

    def test_error_in_a_function_shows_its_cell_and_line(self):
        self.run_cell('g = (x) -> x + "a"')
        reply, outputs = self.run_cell("g(1)")
        self.assertEqual(reply["status"], "error")
        error = [m for m in outputs if m["msg_type"] == "error"][0]["content"]
        self.assertIn("cannot apply '+'", error["evalue"])
        self.assertRegex(error["traceback"][0], r"^In\[\d+\]:1:12: error:")
        self.assertTrue(any("note: in the call to g" in line for line in error["traceback"]))

    def test_shift_tab_inside_a_call_shows_the_builtins_help(self):
        code = "kl_mc(Normal(0, 1), "
        self.kc.inspect(code, len(code))
        reply = self.kc.get_shell_msg(timeout=10)["content"]
        self.assertTrue(reply["found"])
        self.assertIn("estimator", reply["data"]["text/plain"])

    def test_value_completion_for_enumerated_parameters(self):
        code = 'kl_mc(q, p, estimator="k'
        self.kc.complete(code, len(code))
        reply = self.kc.get_shell_msg(timeout=10)["content"]
        self.assertEqual(set(reply["matches"]), {"k1", "k2", "k3"})

    def test_a_long_cell_shows_its_progress_in_one_display(self):
        # Without stop_on_error=False, ipykernel itself aborts a request that reaches
        # it in the instant after an error reply (its queue abort), whatever kls does.
        msg_id = self.kc.execute("kl_mc(Gamma(2, 1), LogNormal(0, 1), n=1e9, seed=1)", stop_on_error=False)
        shown = []
        while True:
            message = self.kc.get_iopub_msg(timeout=20)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if message["msg_type"] in ("display_data", "update_display_data"):
                shown.append(message)
                if len(shown) == 2:
                    self.km.interrupt_kernel()
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
        self.assertEqual(shown[0]["msg_type"], "display_data")
        display_id = shown[0]["content"]["transient"]["display_id"]
        self.assertIn("% of 1e+09 draws", shown[0]["content"]["data"]["text/plain"])
        self.assertTrue(all(m["content"]["transient"]["display_id"] == display_id for m in shown))
        self.assertEqual(shown[-1]["content"]["data"]["text/plain"], "")  # emptied when it ended

    def test_interrupt_stops_a_long_cell_and_keeps_the_session(self):
        self.run_cell("kept = 7")
        # Without stop_on_error=False, ipykernel itself aborts a request that reaches
        # it in the instant after an error reply (its queue abort), whatever kls does.
        msg_id = self.kc.execute("kl_mc(Gamma(2, 1), LogNormal(0, 1), n=1e9, seed=1)", stop_on_error=False)
        time.sleep(1.5)
        started = time.time()
        self.km.interrupt_kernel()
        while True:
            reply = self.kc.get_shell_msg(timeout=20)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        self.assertLess(time.time() - started, 10)
        self.assertEqual(reply["content"]["status"], "error")
        reply, outputs = self.run_cell("kept")
        self.assertEqual(reply["status"], "ok")  # the interrupt stopped the long cell, not this one
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "7")


def children(parent, argument):
    """Processes whose parent is `parent` and whose command line has `argument` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                arguments = f.read().split(b"\0")
        except OSError:
            continue
        if ppid == parent and argument.encode() in arguments:
            found.append(entry)
    return found


class KLSKernelCrash(unittest.TestCase):
    def test_a_crash_of_kls_is_a_dead_kernel_with_its_message_and_restart_works(self):
        km, kc = start_new_kernel(kernel_name="kls")
        try:
            kernel_pid = km.provisioner.process.pid
            kls_pids = children(kernel_pid, "--serve")
            self.assertEqual(len(kls_pids), 1)
            msg_id = kc.execute("kl_mc(Gamma(2, 1), LogNormal(0, 1), n=1e9, seed=1)")
            time.sleep(1)
            os.kill(int(kls_pids[0]), signal.SIGKILL)
            reply = kc.get_shell_msg(timeout=20)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = kc.get_shell_msg(timeout=20)
            self.assertEqual(reply["content"]["status"], "error")
            self.assertIn("killed by signal 9", reply["content"]["evalue"])
            deadline = time.time() + 20
            while km.is_alive() and time.time() < deadline:
                time.sleep(0.2)
            self.assertFalse(km.is_alive(), "the kernel should die with kls")
            km.restart_kernel(now=True)
            kc.wait_for_ready(timeout=30)
            reply = kc.execute_interactive("1 + 1", timeout=30)
            self.assertEqual(reply["content"]["status"], "ok")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
