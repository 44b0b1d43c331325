"""%%umlaut / %umlaut in a real IPython shell: instrumentation, cell locations, list and show."""

from __future__ import annotations

import pytest

pytest.importorskip("keras")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

pytestmark = pytest.mark.slow

SETUP = """\
import numpy as np, keras
from sklearn.datasets import load_digits
d = load_digits()
x, y = d.images[:300, :, :, None] / 16.0, d.target[:300]
"""

MODEL = """\
model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
    keras.layers.Dense(32, name="hidden"),
    keras.layers.Dense(10, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
"""


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    ok = sh.run_cell("%load_ext mlnb")
    assert ok.success, ok.error_in_exec
    yield sh
    sh.run_cell("%umlaut off")
    sh.run_cell("%unload_ext mlnb")


def run(shell, code):
    result = shell.run_cell(code, store_history=True)
    if not result.success:
        raise AssertionError(f"cell failed: {result.error_before_exec or result.error_in_exec}")
    return result


def test_cell_magic_instruments_fit_and_points_at_cells(shell, capsys):
    from mlnb.umlaut import api

    run(shell, SETUP)
    model_cell = run(shell, MODEL).execution_count
    before = len(api.sessions)
    run(shell, "%%umlaut --input image --output classification --name magic\n"
               "model.fit(x * 255, y, epochs=2, verbose=0, validation_split=0.2)")
    (session,) = api.sessions[before:]
    assert session.name.startswith("magic")
    (f,) = [f for f in session.findings if f.key == "missing-activation"]
    assert f.subject == "hidden"
    assert f.location.execution_count == model_cell and f.location.line == 2  # the Dense(32) line
    out = capsys.readouterr().out
    assert "missing-activation" in out  # the inline one-liner
    # data/training findings point at the fit line of the %%umlaut cell (line 2 of that cell)
    # (plain IPython names the nested body cell by a count the registry does not map yet, so the
    # cell number may be missing here; in ipykernel the name is a hash: see test_notebook.py)
    training = [f for f in session.findings if f.key in ("input-not-normalized", "bad-initial-loss")]
    assert training and all(f.location.line == 2 and "model.fit" in f.location.code for f in training)

    table = run(shell, "%umlaut list").result
    assert session.name in set(table["name"])
    shown = run(shell, f"%umlaut show {session.name}").result
    assert "missing-activation" in repr(shown) and "hidden" in shown._repr_html_()


def test_line_magic_on_off(shell):
    from mlnb.umlaut import api

    run(shell, SETUP)
    run(shell, MODEL)
    run(shell, "%umlaut on --output classification")
    before = len(api.sessions)
    run(shell, "model.fit(x, y, epochs=1, verbose=0)")
    assert len(api.sessions) == before + 1
    run(shell, "%umlaut off")
    run(shell, "model.fit(x, y, epochs=1, verbose=0)")
    assert len(api.sessions) == before + 1
    bad = shell.run_cell("%umlaut show no-such-session")
    assert not bad.success


def test_interrupted_fit_ends_the_session_as_interrupted(shell):
    from mlnb.store import default_store

    run(shell, SETUP)
    run(shell, MODEL)
    run(shell, "from mlnb import umlaut\n"
               "class Stop(keras.callbacks.Callback):\n"
               "    def on_epoch_end(self, epoch, logs=None):\n"
               "        raise KeyboardInterrupt\n"
               "cb = umlaut.UmlautCallback(echo=False, name='stopped')")
    result = shell.run_cell("model.fit(x, y, epochs=3, verbose=0, callbacks=[cb, Stop()])", store_history=True)
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    (stopped,) = [r for r in default_store().runs(tool="umlaut") if r["name"] == "stopped"]
    assert stopped["status"] == "interrupted" and stopped["latest_epoch"] == 0


def test_layers_built_before_umlaut_was_imported_are_found_in_the_cell_sources(shell):
    from mlnb.umlaut.locate import creation_location

    cell = run(shell, "layers = [\n    dict(kind='Dense(8)'),\n    'keras.layers.Dense(4, name=\"head\")',\n]").execution_count
    # objects the constructor hook never saw: found by explicit name, else by the n-th `Dense(` call
    by_name = creation_location(object(), name="head", type_name="Dense")
    assert by_name.execution_count == cell and by_name.line == 3
    second = creation_location(object(), name="dense_7", type_name="Dense", ordinal=1)
    assert second.execution_count == cell and second.line == 3


def test_a_cell_with_nothing_to_watch_says_so_in_one_line(shell, capsys):
    from mlnb.umlaut.api import NOTHING_TO_WATCH

    run(shell, "from sklearn.linear_model import LogisticRegression\nfrom sklearn.datasets import load_iris\n"
               "X, Y = load_iris(return_X_y=True)")
    capsys.readouterr()
    run(shell, "%%umlaut\nclf = LogisticRegression(max_iter=200).fit(X, Y)")
    assert [line for line in capsys.readouterr().out.splitlines() if line.startswith("UMLAUT")] == [NOTHING_TO_WATCH]


def test_cell_magic_watches_a_plain_pytorch_loop_without_code_changes(shell, capsys):
    pytest.importorskip("torch")
    from mlnb.umlaut import session as session_module

    before = len(session_module.STARTED)
    run(shell, "%%umlaut --name plainloop\n"
               "import torch\n"
               "from torch.utils.data import DataLoader, TensorDataset\n"
               "torch.manual_seed(0)\n"
               "x, t = torch.randn(256, 8) * 300, torch.randint(0, 3, (256,))\n"
               "net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))\n"
               "opt = torch.optim.Adam(net.parameters(), lr=1e-3)\n"
               "loader = DataLoader(TensorDataset(x, t), batch_size=32, shuffle=True)\n"
               "for epoch in range(3):\n"
               "    for xb, yb in loader:\n"
               "        opt.zero_grad()\n"
               "        loss = torch.nn.functional.cross_entropy(net(xb), yb)\n"
               "        loss.backward()\n"
               "        opt.step()\n")
    (session,) = session_module.STARTED[before:]
    assert session.name.startswith("plainloop") and session.status == "finished"
    assert len(session.history["loss"]) == 3  # one epoch per pass over the DataLoader
    assert {f.key for f in session.findings} == {"input-not-normalized"}  # x * 300
    assert "nothing to watch" not in capsys.readouterr().out
    assert 0 < session.hook_seconds < 60  # the watching wrappers count in UMLAUT's clock
    import torch

    assert torch.Tensor.backward.__module__ == "torch._tensor"  # the cell's hooks are undone
