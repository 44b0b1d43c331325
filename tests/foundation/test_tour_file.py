"""notebooks/tour.ipynb opens clean in JupyterLab and its set-up cell keeps TensorFlow quiet.

JupyterLab marks a notebook modified when the kernel's ``language_info`` or kernelspec differs from
the notebook's metadata (it compares them deeply), so the tour carries exactly what its kernel says.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

TOUR = Path(__file__).resolve().parents[2] / "notebooks" / "tour.ipynb"


def test_tour_metadata_is_what_the_kernel_reports():
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import start_new_kernel

    nb = nbformat.read(TOUR, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (nbformat.current_nbformat, nbformat.current_nbformat_minor)
    assert all(cell.get("id") for cell in nb.cells)
    spec = KernelSpecManager().get_kernel_spec(nb.metadata.kernelspec.name)
    assert dict(nb.metadata.kernelspec) == {"name": "python3", "display_name": spec.display_name,
                                            "language": spec.language}
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        info = kc.kernel_info(reply=True, timeout=60)["content"]["language_info"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert nb.metadata.language_info == info


@pytest.mark.slow
def test_setup_cell_silences_tensorflow_before_it_loads():
    pytest.importorskip("tensorflow")
    nb = nbformat.read(TOUR, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "import keras" in c.source)
    lines = cell.source.splitlines()
    setup = "\n".join(lines[: next(i for i, line in enumerate(lines) if line.startswith("import keras")) + 1])
    assert "TF_CPP_MIN_LOG_LEVEL" in setup
    # Even when the environment asks for every log line (an inherited TF_CPP_MIN_LOG_LEVEL=0).
    proc = subprocess.run([sys.executable, "-c", setup + "\nkeras.ops.add(1, 2)"], capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "cpu_feature_guard" not in proc.stderr and "absl::InitializeLog" not in proc.stderr, proc.stderr
