"""The tour notebook runs offline, end to end, and shows what the README promises."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbclient
import nbformat
import pytest

TOUR = Path(__file__).resolve().parents[1] / "notebooks" / "tour.ipynb"


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif out["output_type"] in ("execute_result", "display_data"):
            parts.append(out["data"].get("text/plain", ""))
            parts.append(out["data"].get("text/html", ""))
    return "\n".join(parts)


@pytest.mark.slow
def test_tour_runs_offline_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    nb_path = tmp_path / "tour.ipynb"
    shutil.copy(TOUR, nb_path)
    nb = nbformat.read(nb_path, as_version=4)
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=900, resources={"metadata": {"path": str(tmp_path)}}).execute()
    cells = {c.source.splitlines()[0]: c for c in nb.cells if c.cell_type == "code"}

    buggy = _text(cells["%%umlaut --input image --output classification --name digits-buggy"])
    for key in ("input-not-normalized", "missing-activation", "missing-softmax"):
        assert f"] {key}:" in buggy, key
    fixed = _text(cells["%%umlaut --input image --output classification --name digits-fixed"])
    assert "UMLAUT [" not in fixed  # the fixed program raises nothing

    assert "double-activation" in _text(cells["import torch"])
    listing = _text(cells["%umlaut list"])
    assert "digits-buggy" in listing and "digits-fixed" in listing

    projects = _text(cells["import os, sklearn"])
    assert "cluster" in projects and "scikit-learn" in projects
    imacs = _text(cells["%imacs exp.model_a exp.model_b exp.x_test exp.y_test --target 0 --clusters 5 --per-model 40"])
    assert "imbalance" in imacs
