"""The release as a user meets it (docs/install.md): the wheel installed into a
fresh venv with no Swift toolchain on the PATH (kls runs, the Jupyter kernel is
registered and runs a lesson notebook), the launcher's choice of kernels, the
completions and the man page, the .tar.gz unpacked, and the .deb installed
where dpkg can (as root).

KLS_DIST names the folder scripts/release wrote (default dist/). The lessons and
end-to-end scripts run against each build of the installed kls in scripts/test
(swift test with KLS_BINARY and KLS_CPU); this file checks the packaging.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIST = os.environ.get("KLS_DIST", os.path.join(ROOT, "dist"))
# What the wheel's builds may need of the system: libraries every Linux with glibc has.
ALLOWED_LIBRARIES = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2"}
SYSTEM_PATH = "/usr/bin:/bin"


def one(pattern):
    found = glob.glob(os.path.join(DIST, pattern))
    assert len(found) == 1, f"expected one {pattern} in {DIST}, found {found}"
    return found[0]


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def venv():
    """A fresh venv (no system packages) with Jupyter's client side from PyPI, then
    the wheel with --no-index: kls itself needs nothing from the network."""
    folder = tempfile.mkdtemp(prefix="kls-wheel-")
    path = os.path.join(folder, "venv")
    subprocess.run([sys.executable, "-m", "venv", path], check=True)
    pip = [os.path.join(path, "bin", "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["ipykernel", "ipywidgets", "nbclient", "nbformat", "jupyter_client"], check=True)
    subprocess.run(pip + ["--no-index", "--no-deps", one("kls-*.whl")], check=True)
    yield path
    shutil.rmtree(folder, ignore_errors=True)


def user_env(venv, **extra):
    """A user's shell after `source venv/bin/activate`, and no Swift anywhere on it."""
    env = {"PATH": os.path.join(venv, "bin") + ":" + SYSTEM_PATH, "HOME": os.path.dirname(venv),
           "LANG": "C.UTF-8", "VIRTUAL_ENV": venv}
    env.update(extra)
    return env


def test_no_swift_toolchain_on_the_users_path(venv):
    assert shutil.which("swift", path=user_env(venv)["PATH"]) is None
    assert shutil.which("swiftc", path=user_env(venv)["PATH"]) is None


def test_the_wheel_puts_kls_on_the_path(venv):
    env = user_env(venv)
    assert shutil.which("kls", path=env["PATH"]) == os.path.join(venv, "bin", "kls")
    result = run(["kls", "-e", "kl(Normal(0, 1), Normal(1, 2))"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0.443147"
    version = run(["kls", "--version"], env).stdout
    assert version.startswith("0.3.0 (commit ") and "kernels: " in version


def test_the_wheel_is_tagged_for_the_glibc_it_needs():
    wheel = os.path.basename(one("kls-*.whl"))
    tag = wheel[:-len(".whl")].split("-")[-1]
    assert tag.startswith("manylinux_2_") and tag.endswith("_x86_64") or tag.endswith("_aarch64")
    glibc_minor = int(tag.split("_")[2])
    with tempfile.TemporaryDirectory() as folder:
        with zipfile.ZipFile(one("kls-*.whl")) as archive:
            binaries = [n for n in archive.namelist() if n.endswith("/scripts/kls") or "/lib/kls/kls-" in n]
            assert len(binaries) >= 2
            for name in binaries:
                archive.extract(name, folder)
        newest = 0
        for name in binaries:
            path = os.path.join(folder, name)
            symbols = run(["objdump", "-T", path], os.environ).stdout
            needed = {int(minor) for minor in re.findall(r"GLIBC_2\.([0-9]+)", symbols)}
            assert needed and max(needed) <= glibc_minor, name
            newest = max(newest, max(needed))
            dynamic = run(["readelf", "-d", path], os.environ).stdout
            libraries = {line.split("[")[1].split("]")[0] for line in dynamic.splitlines() if "(NEEDED)" in line}
            assert libraries <= ALLOWED_LIBRARIES, f"{name} needs {libraries - ALLOWED_LIBRARIES}"
        assert newest == glibc_minor, "the tag should name the newest glibc the programs need, no newer"


def test_the_wheel_registers_the_kernel(venv):
    result = run(["jupyter-kernelspec", "list", "--json"], user_env(venv))
    assert result.returncode == 0, result.stderr
    specs = json.loads(result.stdout)["kernelspecs"]
    assert "kls" in specs
    assert specs["kls"]["resource_dir"].startswith(venv)
    assert specs["kls"]["spec"]["language"] == "kls"


NOTEBOOK_RUN = """
import json, sys
import nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="kls", allow_errors=False).execute()
outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
print(json.dumps({"types": [o.output_type for o in outputs],
                  "svg": sum("image/svg+xml" in o.get("data", {}) for o in outputs),
                  "results": [o["data"]["text/plain"] for o in outputs if o.output_type == "execute_result"]}))
"""


@pytest.mark.parametrize("name", ["estimators.ipynb", "vae-negative-kl.ipynb"])
def test_a_lesson_notebook_runs_through_the_installed_kernel(venv, name):
    notebook = os.path.join(ROOT, "examples", name)
    # From the examples' folder, as Jupyter opened there would; no KLS_BINARY, no JUPYTER_PATH.
    result = run(["python", "-c", NOTEBOOK_RUN, notebook], user_env(venv), cwd=os.path.join(ROOT))
    assert result.returncode == 0, result.stderr[-3000:]
    ran = json.loads(result.stdout)
    assert "error" not in ran["types"]
    assert ran["svg"] > 0 and ran["results"]


@pytest.mark.parametrize("width", ["avx512", "avx2", "baseline"])
def test_the_launcher_runs_each_build_by_hand(venv, width):
    supported = run(["kls", "--version"], user_env(venv)).stdout
    result = run(["kls", "--version"], user_env(venv, KLS_CPU=width))
    if width == "avx512" and "avx512" not in supported:
        assert result.returncode == 2 and "this CPU cannot run" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"kernels: {width})")
    same = run(["kls", "--seed", "3", "-e", "kl_mc(Normal(0, 1), Normal(1, 2), n=100000).value"],
               user_env(venv, KLS_CPU=width))
    assert same.returncode == 0, same.stderr
    assert abs(float(same.stdout) - 0.443147) < 0.02


def test_the_launcher_picks_the_widest_build_this_cpu_runs(venv):
    flags = open("/proc/cpuinfo").read()
    if " avx512f " in flags and " avx512vl " in flags:
        expected = "avx512"
    else:
        expected = "avx2" if " avx2 " in flags else "baseline"
    assert run(["kls", "--version"], user_env(venv)).stdout.strip().endswith(f"kernels: {expected})")


def test_the_launcher_refuses_an_unknown_choice(venv):
    result = run(["kls", "-e", "1"], user_env(venv, KLS_CPU="sse9"))
    assert result.returncode == 2
    assert result.stderr == "kls: KLS_CPU=sse9: expected avx512, avx2 or baseline\n"


def test_bash_completes_the_options(venv):
    script = os.path.join(venv, "share", "bash-completion", "completions", "kls")
    probe = f"""
source {script}
COMP_WORDS=(kls --se); COMP_CWORD=1; COMP_LINE="kls --se"; COMP_POINT=${{#COMP_LINE}}
$(complete -p kls | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p') kls --se kls
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = run(["bash", "-c", probe], user_env(venv))
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"--seed", "--serve"}


@pytest.mark.parametrize("shell,path,option", [("zsh", "share/zsh/site-functions/_kls", "'--{}["),
                                               ("fish", "share/fish/vendor_completions.d/kls.fish", "-l '{}'")])
def test_zsh_and_fish_completions_are_installed(venv, shell, path, option):
    script = os.path.join(venv, path)
    text = open(script).read()
    for name in ("seed", "serve", "precision", "check"):
        assert option.format(name) in text, name
    if shutil.which(shell):
        assert run([shell, "-n", script], os.environ).returncode == 0


def test_the_man_page_lists_every_option_of_help(venv):
    page = open(os.path.join(venv, "share", "man", "man1", "kls.1")).read()
    helptext = run(["kls", "--help"], user_env(venv)).stdout
    options = {word.rstrip(",") for word in helptext.split() if word.startswith("--") and len(word) > 3}
    assert options, helptext
    for option in options:
        assert f"Fl {option[1:]}" in page, option
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "ENVIRONMENT", "FILES", "EXAMPLES"):
        assert f".Sh {section}" in page
    assert "subcommand" not in page
    if shutil.which("man"):
        page_path = os.path.join(venv, "share", "man", "man1", "kls.1")
        shown = run(["man", "-l", page_path], dict(os.environ, MANPAGER="cat"))
        assert "KLS_MAX_MEMORY" in shown.stdout


def test_the_tarball_runs_where_it_is_unpacked():
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(one("kls-*.tar.gz")) as archive:
            archive.extractall(folder, filter="tar") if sys.version_info >= (3, 12) else archive.extractall(folder)
        (top,) = os.listdir(folder)
        kls = os.path.join(folder, top, "bin", "kls")
        result = run([kls, "-e", "sum([1, 2, 3])"], {"PATH": SYSTEM_PATH})
        assert result.returncode == 0 and result.stdout == "6\n", result.stderr
        assert os.path.isfile(os.path.join(folder, top, "share", "doc", "kls", "examples", "tour.kls"))
        assert os.path.isfile(os.path.join(folder, top, "share", "man", "man1", "kls.1"))


def test_the_deb_holds_what_policy_expects():
    deb = one("kls_*.deb")
    listing = run(["dpkg-deb", "-c", deb], os.environ).stdout
    for path in ("./usr/bin/kls", "./usr/lib/kls/kls-baseline", "./usr/share/man/man1/kls.1.gz",
                 "./usr/share/bash-completion/completions/kls", "./usr/share/doc/kls/changelog.gz",
                 "./usr/share/doc/kls/examples/tour.kls"):
        assert path in listing
    control = run(["dpkg-deb", "-f", deb], os.environ).stdout
    assert "Package: kls" in control and "Version: 0.3.0" in control and "Depends: libc6 (>= 2." in control


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("dpkg") is None, reason="installing a .deb needs root and dpkg")
def test_the_deb_installs_runs_and_removes():
    deb = one("kls_*.deb")
    if os.path.exists("/usr/bin/kls"):
        pytest.skip("/usr/bin/kls already exists: not overwriting it")
    installed = run(["dpkg", "-i", deb], os.environ)
    try:
        assert installed.returncode == 0, installed.stderr
        result = run(["/usr/bin/kls", "-e", "kl(Normal(0, 1), Normal(1, 2))"], {"PATH": SYSTEM_PATH})
        assert result.stdout.strip() == "0.443147", result.stderr
        assert os.path.isfile("/usr/share/man/man1/kls.1.gz")
        check = run(["/usr/bin/kls", "--check", "/usr/share/doc/kls/examples/gaussian-kl.kls"], {"PATH": SYSTEM_PATH},
                    cwd="/usr/share/doc/kls")
        assert check.returncode == 0 and check.stdout.endswith(" passed, 0 failed\n"), check.stdout
    finally:
        removed = run(["dpkg", "--purge", "kls"], os.environ)
    assert removed.returncode == 0, removed.stderr
    assert not os.path.exists("/usr/bin/kls") and not os.path.exists("/usr/lib/kls")
