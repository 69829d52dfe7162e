"""`python -m kls_kernel.install [--prefix P | --user | --sys-prefix] [--kls PATH]`:
writes the kernel spec (kernel.json and the logo-free resources) so that Jupyter
lists "kls". The spec records the Python that runs the kernel and, with --kls,
the kls binary it starts (else `kls` on the PATH, or $KLS_BINARY)."""

import argparse
import json
import os
import sys
import tempfile

from jupyter_client.kernelspec import KernelSpecManager


def spec(kls):
    """The kernel.json contents."""
    env = {"KLS_BINARY": os.path.abspath(kls)} if kls else {}
    return {
        "argv": [sys.executable, "-m", "kls_kernel", "-f", "{connection_file}"],
        "display_name": "kls",
        "language": "kls",
        "interrupt_mode": "signal",
        "env": env,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="Install the kls Jupyter kernel spec.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="into the user's Jupyter folder")
    where.add_argument("--sys-prefix", action="store_true", help="into this Python's prefix (a venv)")
    where.add_argument("--prefix", help="into PREFIX/share/jupyter/kernels")
    parser.add_argument("--kls", help="the kls binary the kernel runs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "kernel.json"), "w") as f:
            json.dump(spec(args.kls), f, indent=2)
        prefix = sys.prefix if args.sys_prefix else args.prefix
        path = KernelSpecManager().install_kernel_spec(folder, "kls", user=args.user, prefix=prefix)
    print(f"installed the kls kernel spec in {path}")


if __name__ == "__main__":
    main()
