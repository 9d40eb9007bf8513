"""The walkthrough notebook (issue 8): it runs headless from top to bottom, draws its pictures and
shows its tables, and its two files (the .py source and the paired .ipynb) say the same thing.

The kernel is this interpreter (the project's .venv), given by a kernel spec written to a temporary
folder, so that a `python3` kernel installed elsewhere on the machine is never picked up.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCE = NOTEBOOKS / "walkthrough.py"
PAIRED = NOTEBOOKS / "walkthrough.ipynb"
KERNEL_NAME = "pipeline-venv"
#: Pictures the notebook draws: the page, the page with its grid, the cell crops of one row, the
#: flagged cells, the responsibility matrix. Tables: OCR cells, repairs, flags, clean table, changes.
MIN_PICTURES = 5
MIN_TABLES = 5


def code_sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def test_ipynb_is_paired_with_py_and_has_no_outputs():
    source = jupytext.read(SOURCE)
    paired = jupytext.read(PAIRED)
    assert code_sources(paired) == code_sources(source), (
        "walkthrough.ipynb and walkthrough.py differ: run `jupytext --sync notebooks/walkthrough.py`"
    )
    raw = json.loads(PAIRED.read_text(encoding="utf-8"))
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, "commit the .ipynb without outputs"


def _kernel_manager(tmp_path: Path) -> AsyncKernelManager:
    """A kernel manager that starts an IPython kernel on this very interpreter."""
    spec_dir = tmp_path / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pipeline .venv",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    return AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs,
                              connection_file=str(tmp_path / "connection.json"))


def _outputs_with(cell: nbformat.NotebookNode, mime: str) -> int:
    return sum(1 for out in cell.get("outputs", ()) if mime in out.get("data", {}))


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    tmp_path = tmp_path_factory.mktemp("notebook")
    nb = jupytext.read(SOURCE)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the inline backend draws PNGs
    env["IPYTHONDIR"] = str(tmp_path / "ipython")
    client = NotebookClient(nb, timeout=300, kernel_name=KERNEL_NAME, km=_kernel_manager(tmp_path),
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(env=env)  # raises CellExecutionError on the first cell that fails
    return nb


def test_notebook_runs_and_shows_every_picture_and_table(executed):
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    for cell in code:
        errors = [out for out in cell.get("outputs", ()) if out.get("output_type") == "error"]
        assert not errors, cell.source
    pictures = [cell for cell in code if "picture" in cell.metadata.get("tags", ())]
    tables = [cell for cell in code if "dataframe" in cell.metadata.get("tags", ())]
    for cell in pictures:
        assert _outputs_with(cell, "image/png") >= 1, f"no picture from:\n{cell.source}"
    for cell in tables:
        assert _outputs_with(cell, "text/html") >= 1, f"no DataFrame from:\n{cell.source}"
    assert sum(_outputs_with(cell, "image/png") for cell in code) >= MIN_PICTURES
    assert sum(_outputs_with(cell, "text/html") for cell in code) >= MIN_TABLES
    assert len(pictures) >= MIN_PICTURES and len(tables) >= 4


def test_notebook_text_outputs(executed):
    """What the notebook prints is what the walkthrough says: the diff finds the two edits."""
    text = "".join(
        out.get("text", "") for cell in executed.cells if cell.cell_type == "code"
        for out in cell.get("outputs", ()) if out.get("output_type") == "stream"
    )
    assert "5 pages" in text
    assert "agency_added    牵头单位: + 公安青浦分局" in text
    assert "agency_removed  配合单位: − 公安青浦分局" in text
    assert "[-100-]{+150+}" in text
    assert "3 changes in 2 items: text_changed 1, agency_added 1, agency_removed 1." in text
