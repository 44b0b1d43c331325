"""The benchmark notebook runs end to end offline (its own asserts check the watermark result)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
import nbformat  # noqa: E402 - after the skip check above

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "imacs_watermark.ipynb"


@pytest.mark.timeout(600)
def test_watermark_notebook_runs(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "watermark cluster" in text and "rank 1 by imbalance" in text and "clusters by difference" in text
    # The result displays its cluster table and an Altair chart.
    assert any("text/html" in o.get("data", {}) and "mean_b" in o["data"]["text/html"] for o in outputs)
    assert any(any("vegalite" in k for k in o.get("data", {})) or "vegaEmbed" in o.get("data", {}).get("text/html", "")
               for o in outputs)
