"""A ``%%umlaut`` cell fails exactly as the same cell without the magic would.

In plain IPython, in a real ipykernel (nbclient, as Run All does) and under ``jupyter nbconvert
--execute``: the same exception, the traceback named after the cell's own prompt number, the next
cells not run, interrupts propagated, and the UMLAUT session closed as failed/interrupted with the
epochs it ran.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from IPython.core.interactiveshell import InteractiveShell

nbformat = pytest.importorskip("nbformat")


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    assert sh.run_cell("%load_ext mlnb").success
    yield sh
    sh.run_cell("%unload_ext mlnb")


def _shown(shell, code):
    """Run ``code`` as a stored cell; return its result and every traceback IPython displayed."""
    shown = []
    shell._showtraceback = lambda etype, value, stb: shown.append((etype.__name__, "\n".join(stb)))
    try:
        return shell.run_cell(code, store_history=True), shown
    finally:
        del shell._showtraceback


@pytest.mark.parametrize(
    "body, ename",
    [("y = 2\n1/0", "ZeroDivisionError"), ("raise KeyboardInterrupt", "KeyboardInterrupt"),
     ("def f(:\n  pass", "SyntaxError"), ("import no_such_module_xyz", "ModuleNotFoundError")],
)
def test_failing_body_fails_the_cell_like_plain_code(shell, body, ename):
    plain, plain_shown = _shown(shell, "# %%umlaut\n" + body)  # the same cell, the magic commented out
    magic, magic_shown = _shown(shell, "%%umlaut\n" + body)
    assert not plain.success and not magic.success
    assert type(magic.error_before_exec or magic.error_in_exec).__name__ == ename
    assert len(magic_shown) == 1 and magic_shown[0][0] == ename  # shown once, under the same name
    text = magic_shown[0][1]
    assert f"In[{magic.execution_count}]" in text and f"In[{magic.execution_count + 1}]" not in text
    assert "magics.py" not in text and "run_cell_magic" not in text  # no mlnb frames
    # the same lines as without the magic, apart from the cell number
    assert text.replace(f"In[{magic.execution_count}]", "N") == plain_shown[0][1].replace(f"In[{plain.execution_count}]", "N")


def test_passing_body_shows_its_value_under_the_cells_number(shell, capsys):
    result = shell.run_cell("%%umlaut\nz = 40\nz + 2", store_history=True)
    assert result.success
    assert f"Out[{result.execution_count}]: 42" in capsys.readouterr().out
    assert shell.user_ns["z"] == 40


SETUP = (
    "import os, signal, time, numpy as np, keras\n"
    "x = np.random.default_rng(0).normal(size=(64, 4)).astype('float32'); y = (x[:, 0] > 0).astype('int64')\n"
    "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation='softmax')])\n"
    "model.compile('adam', 'sparse_categorical_crossentropy')\n"
    "class Stop(keras.callbacks.Callback):\n"
    "    def __init__(self, how): super().__init__(); self.how = how\n"
    "    def on_epoch_begin(self, epoch, logs=None):\n"
    "        if epoch == 2 and self.how == 'raise': raise RuntimeError('boom at epoch 2')\n"
    "        if epoch == 2 and self.how == 'interrupt':\n"
    "            os.kill(os.getpid(), signal.SIGINT)  # what the stop button does\n"
    "            time.sleep(5)"
)


@pytest.mark.slow
def test_real_kernel_fails_the_cell_and_keeps_the_session(tmp_path):
    """One kernel: a %%umlaut fit that raises, then one interrupted, each as the kernel reports it."""
    pytest.importorskip("nbclient")
    pytest.importorskip("keras")
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from mlnb.store import Store, default_path

    cases = [("raise", "RuntimeError", "failed"), ("interrupt", "KeyboardInterrupt", "interrupted")]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in ["%load_ext mlnb", SETUP] + [
        f"%%umlaut --name {how}\nmodel.fit(x, y, epochs=5, verbose=0, callbacks=[Stop({how!r})])" for how, _, _ in cases]]
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        client.execute_cell(nb.cells[0], 0)
        client.execute_cell(nb.cells[1], 1)
        for index, (_, ename, _) in enumerate(cases, start=2):
            with pytest.raises(CellExecutionError) as info:  # what stops Run All and nbconvert
                client.execute_cell(nb.cells[index], index)
            assert info.value.ename == ename
            cell = nb.cells[index]
            (out,) = [o for o in cell.outputs if o.output_type == "error"]  # shown once
            tb = "\n".join(out.traceback)
            assert out.ename == ename and f"In[{cell.execution_count}]" in tb and "magics.py" not in tb
    runs = {r["name"]: r for r in Store(default_path()).runs(tool="umlaut")}
    for how, _, status in cases:
        assert runs[how]["status"] == status
        assert runs[how]["latest_epoch"] == 1  # epochs 0 and 1 ran and are kept


def _plain(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_run_all_stops_at_the_failed_cell(tmp_path):
    pytest.importorskip("nbclient")
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in
                ["%load_ext mlnb", "%%umlaut\nvalue = 1\nraise ValueError('bad body')", "after = 1"]]
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as info:
        client.execute()
    assert info.value.ename == "ValueError"
    (out,) = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert f"Cell In[{nb.cells[1].execution_count}], line 3" in _plain("\n".join(out.traceback))
    assert nb.cells[2].get("execution_count") is None


def test_nbconvert_execute_fails(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%load_ext mlnb"), nbformat.v4.new_code_cell("%%umlaut\nraise ValueError('bad body')"),
                nbformat.v4.new_code_cell("print('after')")]
    path = tmp_path / "fails.ipynb"
    nbformat.write(nb, path)
    proc = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           "--output", "out.ipynb", str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode != 0
    assert "ValueError" in proc.stderr and "bad body" in proc.stderr
