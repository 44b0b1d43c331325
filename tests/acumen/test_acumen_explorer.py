from __future__ import annotations

import numpy as np
import pytest
from acumen_helpers import write

from mlnb import acumen

TORCH = "import torch\nimport torch.nn as nn\n\nclass Net{i}(nn.Module):\n    def forward(self, x):\n        return torch.relu(self.conv{i}(x))\n"
KERAS = "from tensorflow import keras\n\ndef build_{i}():\n    model = keras.Sequential([keras.layers.Dense({i})])\n    model.compile('adam', 'mse')\n    return model\n"
SK = "from sklearn.ensemble import RandomForestClassifier\n\ndef fit_{i}(X, y):\n    return RandomForestClassifier(n_estimators={i}).fit(X, y)\n"


@pytest.fixture(scope="module")
def explorer(tmp_path_factory):
    import os

    os.environ["MLNB_CACHE"] = str(tmp_path_factory.mktemp("cache"))  # module-scoped: the autouse fixture is per test
    root = tmp_path_factory.mktemp("projects")
    paths = []
    for name, template in (("torch-proj", TORCH), ("keras-proj", KERAS), ("sk-proj", SK)):
        paths.append(write(root / name, {f"m{i}.py": template.format(i=i) for i in range(1, 16)}))
    corpus = acumen.Corpus.from_paths(paths, progress=False)
    emb = corpus.embed("tfidf", progress=False)
    ex = acumen.Explorer(corpus, embeddings=emb, n_neighbors=5)
    ex.wait()
    return ex


def test_explorer_state_and_layouts(explorer):
    ex = explorer
    assert len(ex.indices) == 45 and ex.layout.method == "umap" and ex.filters[0].description == "all files"
    full = ex.layout
    sub = ex.filter("library != 'scikit-learn'")
    assert len(ex.indices) == 30 and sub.method == "umap-subset" and sub.parent is full
    assert set(ex.table["project"]) == {"torch-proj", "keras-proj"}
    deeper = ex.filter(lambda t: t["project"] == "torch-proj")
    assert len(deeper) == 15
    assert ex.undo() is sub  # the cached layout object: instant, identical
    assert ex.undo() is full
    with pytest.raises(ValueError, match="undo: no filter step to undo"):
        ex.undo()


def test_select_label_and_colour(explorer):
    ex = explorer
    torch_rows = np.flatnonzero(ex.corpus.files["project"] == "torch-proj")
    ex.select(torch_rows[:5])
    col = ex.label("mySearch", value="TorchNets")
    assert (col.iloc[torch_rows[:5]] == "TorchNets").all() and col.isna().sum() == 40
    ex.color = "mySearch"
    assert "mySearch" in ex.table.columns
    spec = ex.chart().to_dict()
    assert spec["encoding"]["color"]["title"] == "mySearch"
    assert len(next(iter(spec["datasets"].values()))) == 45
    with pytest.raises(ValueError, match="color='nope' is not valid"):
        ex.color = "nope"
    with pytest.raises(ValueError, match="name='project' is not valid; expected a new column name"):
        ex.label("project")


def test_n_neighbors_control(explorer):
    ex = explorer
    layout = ex.set_neighbors(10)
    assert layout.n_neighbors == 10 and ex.layout is layout
    ex.set_neighbors(5)
    with pytest.raises(ValueError, match="n_neighbors: expected an int from 2 to 200, got 0"):
        ex.set_neighbors(0)


def test_bad_filters(explorer):
    ex = explorer
    with pytest.raises(ValueError, match=r"where: cannot evaluate 'no_such_column == 1' on the table .*columns are project, path"):
        ex.filter("no_such_column == 1")
    with pytest.raises(ValueError, match="a layout needs at least 3"):
        ex.filter("project == 'none'")
    with pytest.raises(ValueError, match="where: a mask needs 45 .* got shape"):
        ex.filter(np.ones(7, bool))


def test_display(explorer, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    explorer._ipython_display_()
    assert [type(o).__name__ for o in shown] == ["AcumenExplorerWidget"]  # displaying an Explorer shows the widget
    data, _ = shown[0]._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "3 projects" in data["text/html"] and "<table>" in data["text/html"]  # the static fallback
    assert "altair" not in type(shown[0]).__module__


def test_explorer_rejects_mismatched_embeddings(explorer):
    with pytest.raises(ValueError, match=r"embeddings: expected shape \(45, d\)"):
        acumen.Explorer(explorer.corpus, embeddings=np.zeros((3, 4)))
