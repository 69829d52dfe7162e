"""A kernel spec for the kls under test (KLS_BINARY, else the debug build) and
this checkout's kernel package, in a
folder of its own put first on JUPYTER_PATH, so tests never touch an installed
spec."""

import atexit
import json
import os
import shutil
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KLS = os.environ.get("KLS_BINARY", os.path.join(ROOT, ".build", "debug", "kls"))


def install():
    folder = tempfile.mkdtemp(prefix="kls-jupyter-")
    atexit.register(shutil.rmtree, folder, True)
    spec_dir = os.path.join(folder, "kernels", "kls")
    os.makedirs(spec_dir)
    # The checkout's kernel package, whatever is installed: its own spec, pointed at it.
    package = os.path.join(ROOT, "jupyter")
    sys.path.insert(0, package)
    from kls_kernel.install import spec as kernel_spec

    spec = kernel_spec(KLS)
    spec["display_name"] = "kls (tests)"
    spec["env"]["PYTHONPATH"] = package
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump(spec, f)
    os.environ["JUPYTER_PATH"] = folder + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    os.environ["KLS_BINARY"] = KLS
    return folder


class KernelTestCase(unittest.TestCase):
    """One kls kernel (from this spec) for the test class, and cells run on it."""

    @classmethod
    def setUpClass(cls):
        from jupyter_client.manager import start_new_kernel

        cls.km, cls.kc = start_new_kernel(kernel_name="kls")

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def run_cell(self, code, timeout=30):
        """(reply content, [iopub messages]) of one cell."""
        outputs = []
        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=outputs.append)
        return reply["content"], [m for m in outputs if m["msg_type"] not in ("status", "execute_input")]
