"""The lesson notebooks in examples/ run headless under the kls kernel
(nbclient) without an error, with their pictures inline; and they are
committed without outputs."""

import glob
import os

import nbformat
import pytest
from nbclient import NotebookClient

import kernelspec

kernelspec.install()
NOTEBOOKS = sorted(glob.glob(os.path.join(kernelspec.ROOT, "examples", "*.ipynb")))


def outputs(notebook, output_type=None):
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
            if output_type is None or o.output_type == output_type]


def test_there_are_lessons():
    assert {os.path.basename(p) for p in NOTEBOOKS} >= {"vae-negative-kl.ipynb", "estimators.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "kls"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "clear the outputs before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_runs_without_error_with_pictures_inline(path):
    notebook = nbformat.read(path, as_version=4)
    # Raises CellExecutionError, naming the cell, on any error.
    NotebookClient(notebook, timeout=600, kernel_name="kls", allow_errors=False).execute()
    pictures = [o for o in outputs(notebook, "display_data") if "image/svg+xml" in o.data]
    assert pictures, "no inline SVG"
    for picture in pictures:
        assert "<svg" in picture.data["image/svg+xml"] and picture.data["text/plain"]
    assert outputs(notebook, "execute_result")


def test_the_vae_lesson_shows_the_negative_estimate_and_its_warning():
    path = os.path.join(kernelspec.ROOT, "examples", "vae-negative-kl.ipynb")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="kls").execute()
    results = [o.data["text/plain"] for o in outputs(notebook, "execute_result")]
    assert any(r.startswith("-0.86") for r in results)
    warnings = "".join(o.text for o in outputs(notebook, "stream") if o.name == "stderr")
    assert "warning: kl_mc: the k1 estimate is negative" in warnings
    assert any(r.startswith("FAILED: std is 0.0098") for r in results)


def test_the_explorer_has_sliders_with_its_pictures_below_them():
    path = os.path.join(kernelspec.ROOT, "examples", "explore.ipynb")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="kls", allow_errors=False).execute()
    # nbclient keeps the widgets' state in the notebook, as JupyterLab saves it.
    state = notebook.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    sliders = {m["state"]["description"]: m["state"] for m in state.values() if m["model_name"] == "FloatSliderModel"}
    assert set(sliders) == {"mu", "sigma", "mx", "my", "s"}
    assert (sliders["mu"]["min"], sliders["mu"]["max"], sliders["mu"]["value"]) == (-4, 4, 1)
    pictures = [
        o["data"]["image/svg+xml"]
        for m in state.values()
        if m["model_name"] == "OutputModel"
        for o in m["state"].get("outputs", [])
        if "image/svg+xml" in o.get("data", {})
    ]
    assert len(pictures) == 3  # p and q with the rug, the two divergences, the contours
    assert 'class="rug"' in pictures[0] and 'class="mark"' in pictures[0]
    assert 'class="point"' in pictures[1]
    views = [o for o in outputs(notebook, "display_data") if "application/vnd.jupyter.widget-view+json" in o.data]
    assert len(views) == 2
