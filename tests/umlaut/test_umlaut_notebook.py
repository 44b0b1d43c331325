"""UMLAUT in a real ipykernel (executed by nbclient): findings point at the notebook's cells."""

from __future__ import annotations

import json

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("keras")

pytestmark = pytest.mark.slow

CELLS = [
    "%load_ext mlnb",
    "import numpy as np, keras\nfrom sklearn.datasets import load_digits\nd = load_digits()\n"
    "x, y = d.images[:300, :, :, None], d.target[:300]",
    "model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),\n"
    "    keras.layers.Dense(32, name='hidden'),\n"
    "    keras.layers.Dense(10, activation='softmax')])\n"
    "model.compile('adam', 'sparse_categorical_crossentropy')",
    "%%umlaut --input image --name nbrun\nmodel.fit(x * 16, y, epochs=1, verbose=0)",
    "import json\nfrom mlnb.umlaut import api\nprint(json.dumps([f.to_dict() for f in api.sessions[-1].findings], default=str))",
    # Issue 11: with the extension loaded, a custom layer without __init__ and every way of saving
    # must keep working (the layer recorder once broke them all with KeyError: 'args').
    "class Twice(keras.layers.Layer):\n    def call(self, x):\n        return 2 * x",
    "m2 = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), Twice(),\n"
    "    keras.layers.Dense(10, activation='softmax')])\nm2.compile('adam', 'sparse_categorical_crossentropy')",
    "%%umlaut --name saving\n"
    "m2.fit(x / 16, y, epochs=1, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint('ck.keras')])",
    "m2.save('m2.keras'); m2.save_weights('m2.weights.h5')\n"
    "back = keras.saving.load_model('m2.keras', custom_objects={'Twice': Twice})\n"
    "from mlnb.umlaut.locate import creation_location\n"
    "print('saved', back.count_params() == m2.count_params(), creation_location(m2.layers[1]).cell_id)",
]


def test_findings_carry_notebook_cell_ids(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    path = tmp_path / "train.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # what Jupyter Server tells a notebook's kernel
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[4].outputs if o.get("name") == "stdout")
    findings = {f["key"]: f for f in json.loads(text.strip().splitlines()[-1])}
    layer = findings["missing-activation"]["location"]
    assert layer["cell_id"] == nb.cells[2].id and layer["line"] == 2
    data = findings["input-not-normalized"]["location"]
    assert data["cell_id"] == nb.cells[3].id and data["line"] == 2  # the fit line below %%umlaut
    inline = "".join(o.get("text", "") for o in nb.cells[3].outputs)
    assert "UMLAUT [error] missing-activation" in inline
    saved = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    assert saved.split() == ["saved", "True", nb.cells[6].id]
    assert (tmp_path / "ck.keras").exists() and (tmp_path / "m2.weights.h5").exists()
    assert not any(o.get("output_type") == "error" for cell in nb.cells for o in cell.outputs)
