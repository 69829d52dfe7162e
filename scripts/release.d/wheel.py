#!/usr/bin/env python3
"""Packs a staged kls installation into a wheel (PEP 427), with nothing but the
standard library: the Jupyter kernel package at the top, and under
kls-VERSION.data/ the launcher (scripts → the environment's bin/) and the rest
(data → the environment's prefix: lib/kls/, share/jupyter/kernels/kls/, the man
page, completions and docs). pip keeps each file's executable bit.

    wheel.py STAGE KERNEL_PACKAGE VERSION PLATFORM_TAG OUT_DIR

STAGE holds bin/kls and share/, lib/ as they are installed under a prefix.
Prints the wheel's path.
"""
import base64
import hashlib
import os
import stat
import sys
import zipfile

SUMMARY = "kls, the shell for KL divergence by experiment, and its Jupyter kernel"

DESCRIPTION = """\
kls is an interactive shell for understanding KL divergence: a small expression
language over tensors and probability distributions, with analytic and Monte
Carlo KL, honest uncertainty, diagnostics and plots. This wheel carries the kls
program itself (built with the Swift runtime inside: no Swift toolchain needed)
and its Jupyter kernel: after `pip install`, `kls` is on the environment's PATH
and `jupyter kernelspec list` shows "kls".
"""


def digest(data):
    raw = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def metadata(version):
    return (
        "Metadata-Version: 2.1\n"
        "Name: kls\n"
        f"Version: {version}\n"
        f"Summary: {SUMMARY}\n"
        "Requires-Python: >=3.9\n"
        "Requires-Dist: ipykernel>=6\n"
        "Requires-Dist: ipywidgets>=8\n"
        "Description-Content-Type: text/markdown\n"
        "\n" + DESCRIPTION
    )


def wheel_file(tag):
    return f"Wheel-Version: 1.0\nGenerator: kls scripts/release\nRoot-Is-Purelib: false\nTag: {tag}\n"


class Wheel:
    """A wheel being written: each entry's hash goes into RECORD."""

    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        self.records = []

    def add(self, name, data, executable=False):
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        mode = 0o755 if executable else 0o644
        info.external_attr = (stat.S_IFREG | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data, compresslevel=6)
        self.records.append(f"{name},{digest(data)},{len(data)}")

    def add_tree(self, folder, prefix):
        for parent, dirs, files in os.walk(folder):
            dirs.sort()
            for file in sorted(files):
                path = os.path.join(parent, file)
                if "__pycache__" in path:
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                name = prefix + os.path.relpath(path, folder).replace(os.sep, "/")
                self.add(name, data, executable=bool(os.stat(path).st_mode & 0o111))

    def close(self, record_name):
        self.records.append(f"{record_name},,")
        self.zip.writestr(zipfile.ZipInfo(record_name, date_time=(2026, 1, 1, 0, 0, 0)), "\n".join(self.records) + "\n")
        self.zip.close()


def main():
    stage, kernel, version, platform, out = sys.argv[1:6]
    tag = f"py3-none-{platform}"
    path = os.path.join(out, f"kls-{version}-{tag}.whl")
    data = f"kls-{version}.data/"
    info = f"kls-{version}.dist-info/"
    wheel = Wheel(path)
    wheel.add_tree(kernel, "kls_kernel/")
    wheel.add_tree(os.path.join(stage, "bin"), data + "scripts/")
    for part in ("lib", "share"):
        wheel.add_tree(os.path.join(stage, part), data + "data/" + part + "/")
    wheel.add(info + "METADATA", metadata(version).encode())
    wheel.add(info + "WHEEL", wheel_file(tag).encode())
    wheel.add(info + "top_level.txt", b"kls_kernel\n")
    wheel.close(info + "RECORD")
    print(path)


if __name__ == "__main__":
    main()
