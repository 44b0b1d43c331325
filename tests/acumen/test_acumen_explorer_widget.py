"""The Explorer as an observable engine (filters, undo/redo, column searches, paging, labels that persist, similar
files, search, regions) and the widget that mirrors it (state and request/response messages, both ways)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from acumen_helpers import write

from mlnb import acumen

TORCH = "import torch\nimport torch.nn as nn\n\nclass Net{i}(nn.Module):\n    def forward(self, x):\n        return torch.relu(self.conv{i}(x))\n"
KERAS = "from tensorflow import keras\n\ndef build_{i}():\n    model = keras.Sequential([keras.layers.Dense({i})])\n    model.compile('adam', 'mse')\n    return model\n"
SK = "from sklearn.ensemble import RandomForestClassifier\n\ndef fit_{i}(X, y):\n    return RandomForestClassifier(n_estimators={i}).fit(X, y)\n"


@pytest.fixture(scope="module")
def corpus_and_emb(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    os.environ["MLNB_CACHE"] = str(cache)
    root = tmp_path_factory.mktemp("projects")
    paths = []
    for name, template in (("torch-proj", TORCH), ("keras-proj", KERAS), ("sk-proj", SK)):
        files = {f"m{i}.py": template.format(i=i) for i in range(1, 13)}
        files.update({f"tests/test_{i}.py": template.format(i=i + 50) + "\ndef test():\n    assert True\n" for i in range(3)})
        paths.append(write(root / name, files))
    corpus = acumen.Corpus.from_paths(paths, progress=False)
    return corpus, corpus.embed("tfidf", progress=False), cache


@pytest.fixture
def ex(corpus_and_emb, monkeypatch):
    corpus, emb, cache = corpus_and_emb
    monkeypatch.setenv("MLNB_CACHE", str(cache))
    explorer = acumen.Explorer(corpus, embeddings=emb, n_neighbors=5, persist_labels=False)
    explorer.wait()
    return explorer


def test_column_search_filters_undo_redo_and_events(ex):
    events = []
    ex.observe(lambda e, p: events.append((e, p)))
    full = ex.layout
    no_tests = ex.filter({"column": "path", "excludes": "TEST"})  # case-insensitive by default
    assert len(ex.indices) == 36 and not ex.table["path"].str.contains("test").any()
    assert ex.filters[-1].description == "path does not contain 'TEST'"
    assert no_tests.method == "umap-subset" and no_tests.parent is full
    torch_only = ex.filter([{"column": "project", "contains": "torch"}, {"column": "path", "contains": r"m1\d", "regex": True}])
    assert set(ex.table["path"]) == {"m10.py", "m11.py", "m12.py"} and len(torch_only) == 3
    assert ex.undo() is no_tests and ex.undo() is full  # cached layouts: the very same objects, instantly
    assert [s.description for s in ex.redo_steps][0].startswith("path does not contain")
    assert ex.redo() is no_tests
    assert ex.go(2) is torch_only and ex.go(0) is full
    names = [e for e, _ in events]
    assert {"filters", "layout"} <= set(names)
    last_filters = [p for e, p in events if e == "filters"][-1]
    assert last_filters["position"] == 0 and len(last_filters["steps"]) == 3
    ex.filter({"column": "project", "contains": "keras"})  # a new step forgets the redo branch
    assert len(ex.redo_steps) == 0 and len(ex.filters) == 2
    with pytest.raises(ValueError, match="redo: no undone filter step"):
        ex.redo()
    with pytest.raises(ValueError, match="step=9 is not valid"):
        ex.go(9)
    with pytest.raises(ValueError, match=r"pattern='\(' is not a valid regular expression"):
        ex.filter({"column": "path", "contains": "(", "regex": True})
    with pytest.raises(ValueError, match="column='nope' is not valid"):
        ex.filter({"column": "nope", "contains": "x"})


def test_match_agrees_with_pandas(ex):
    paths = ex.corpus.files["path"]
    for pat in ("test", "M1", "_", ".py", "zzz", "s/t"):
        expected = paths.str.contains(pat, case=False, regex=False).to_numpy()
        assert np.array_equal(ex.match("path", pat), expected), pat
    libs = ex.corpus.files["file_libraries"].map(", ".join)
    assert np.array_equal(ex.match("file_libraries", "torch"), libs.str.contains("torch", case=False).to_numpy())
    assert np.array_equal(ex.match("path", "^m1", regex=True), paths.str.contains("^m1").to_numpy())


def test_selection_modes_export_and_paging(ex):
    events = []
    ex.observe(lambda e, p: events.append(e), "selection")
    torch_rows = np.flatnonzero(ex.corpus.files["project"] == "torch-proj")
    ex.select(torch_rows[:5])
    ex.select(torch_rows[5:8], mode="add")
    ex.select(torch_rows[:2], mode="remove")
    assert list(ex.selection) == list(torch_rows[2:8]) and events == ["selection"] * 3
    assert list(ex.rows) == list(ex.selection)  # a lasso filters the table
    df = ex.export(content=True)
    assert list(df.index) == list(ex.selection) and "class Net" in df["content"].iloc[0]
    ex.select([])
    assert len(ex.rows) == 45
    ex.sort_by("path", ascending=False)
    page = ex.page(0, 10)
    assert len(page) == 10 and list(page["path"]) == sorted(ex.table["path"], reverse=True)[:10]
    assert list(ex.page(40, 100).index) == list(ex.rows[40:])
    assert ex.position(int(ex.rows[7])) == 7
    ex.sort_by("n_lines")
    assert ex.page(0, 45)["n_lines"].is_monotonic_increasing
    ex.sort_by(None)
    assert list(ex.page(0, 3).index) == [0, 1, 2]
    with pytest.raises(ValueError, match="mode='xor' is not valid"):
        ex.select([1], mode="xor")


def test_labels_persist_for_the_same_projects(corpus_and_emb, monkeypatch):
    corpus, emb, cache = corpus_and_emb
    monkeypatch.setenv("MLNB_CACHE", str(cache))
    ex = acumen.Explorer(corpus, embeddings=emb, n_neighbors=5)
    seen = []
    ex.observe(lambda e, p: seen.append(p["columns"]), "labels")
    sk = np.flatnonzero(corpus.files["project"] == "sk-proj")
    ex.select(sk[:4])
    ex.label("interesting", value="forest")
    ex.label("interesting", sk[:1], value="first")  # re-label one
    assert seen[-1] == ["interesting"] and ex.labels_path().is_file()
    assert str(ex.labels_path()).startswith(str(cache))
    ex.color = "interesting"
    enc = ex.colors()
    assert enc["kind"] == "categorical" and set(enc["categories"]) == {"(none)", "forest", "first"}
    # a new kernel opening the same projects: a new Corpus and Explorer get the labels back
    again = acumen.Corpus.from_paths(sorted(set(corpus.projects["root"])), progress=False)
    ex2 = acumen.Explorer(again, embeddings=emb, n_neighbors=5, projection=ex.projection)
    lab = ex2.labels["interesting"]
    keyed = dict(zip(again.files["project"] + "/" + again.files["path"], lab))
    orig = dict(zip(corpus.files["project"] + "/" + corpus.files["path"], ex.labels["interesting"]))
    assert keyed == orig and (lab == "forest").sum() == 3
    ex2.filter({"column": "interesting", "contains": "forest"}, wait=False)
    assert len(ex2.indices) == 3  # filter by a label
    ex2.drop_label("interesting")
    ex3 = acumen.Explorer(again, embeddings=emb, n_neighbors=5, projection=ex.projection)
    assert ex3.labels == {}
    with pytest.raises(ValueError, match="value=\\[1\\] is not valid"):
        ex3.label("x", [0, 1, 2], value=[1])


def test_similar_search_regions(ex):
    torch_file = int(np.flatnonzero(ex.corpus.files["project"] == "torch-proj")[0])
    near = ex.similar(torch_file, k=5)
    assert len(near) == 5 and torch_file not in near.index and near["distance"].is_monotonic_increasing
    assert (near["project"] == "torch-proj").sum() >= 4
    assert set(ex.highlight) == set(near.index)
    hits = ex.search("RandomForestClassifier")
    assert set(ex.corpus.files["project"].iloc[hits]) == {"sk-proj"} and len(hits) == 15
    assert len(ex.search("randomforest", regex=False)) == 15 and len(ex.search("Random.orest", regex=True)) == 15
    regions = ex.regions(3)
    assert len(regions) == 3 and regions["n"].sum() == 45
    templates = {"torch-proj": TORCH, "keras-proj": KERAS, "sk-proj": SK}
    assign = acumen.explorer._kmeans(ex.layout.coords.astype(float), 3)
    for r in regions.itertuples():  # each region's keywords come from the code of the files in it
        members = ex.layout.indices[assign == r.region]
        major = ex.corpus.files["project"].iloc[members].mode()[0]
        assert r.keywords and all(k in templates[major].lower() for k in r.keywords), (major, r.keywords)


def test_async_filter_shows_preview_then_layout(ex):
    layouts = []
    ex.observe(lambda e, p: layouts.append(p["final"]), "layout")
    progress = []
    ex.observe(lambda e, p: progress.append(p["stage"]), "progress")
    preview = ex.filter({"column": "project", "excludes": "keras"}, wait=False)
    assert preview.method in ("preview", "umap-subset") and len(preview) == 30
    final = ex.wait(timeout=120)
    assert final.method == "umap-subset"
    if preview.method == "preview":  # the preview is exactly where the re-projection starts
        assert np.allclose(preview.coords, acumen.projection._scale(final.parent.positions(final.indices)))
    deadline = __import__("time").time() + 10
    while True not in layouts and __import__("time").time() < deadline:
        __import__("time").sleep(0.05)
    assert True in layouts and "layout" in progress


# ---------------------------------------------------------------------------------------------- the widget
def _until(condition, timeout=10.0):
    import time

    end = time.time() + timeout
    while not condition() and time.time() < end:
        time.sleep(0.02)


class Wire:
    """Calls the widget's commands as the front end's requests do (the kit's command handlers)."""

    def __init__(self, widget):
        self.widget = widget

    def __call__(self, command, **kwargs):
        handlers = type(self.widget)._anywidget_commands
        if command not in handlers:
            raise ValueError(f"command={command!r} is not valid")
        reply, _buffers = handlers[command](self.widget, kwargs, [])
        if not reply["ok"]:
            raise ValueError(reply["error"])
        return reply["value"]


def test_widget_mirrors_explorer_both_ways(ex):
    from mlnb.widgets.acumen_explorer import AcumenExplorerWidget

    w = ex.view()
    assert isinstance(w, AcumenExplorerWidget)
    call = Wire(w)
    assert w.points.shape == (45, 2) and w.points.dtype == np.float32 and len(w.point_index) == 45
    assert w.color_info["column"] == "library" and len(w.color_values) == 45
    state = w.get_state()
    assert isinstance(state["points"]["buffer"], memoryview)  # coordinates travel as a binary buffer
    # Python -> view
    ex.select(np.arange(6))
    assert list(w.selection) == list(range(6)) and w.n_rows == 6
    # view -> Python (a lasso)
    assert call("select", indices=[1, 2, 3]) == 3 and list(ex.selection) == [1, 2, 3]
    page = call("page", start=0, stop=50)
    assert [r["index"] for r in page["rows"]] == [1, 2, 3] and page["columns"][:2] == ["project", "path"]
    call("select", indices=[])
    # a table search becomes a filter step; undo restores the same layout
    before = w.points.copy()
    call("filter", where={"column": "path", "excludes": "test"})
    assert w.steps[-1] == "path does not contain 'test'" and w.position == 1 and w.n_rows == 36
    ex.wait(timeout=120)
    _until(lambda: w.layout_info["final"])  # the layout event comes from the projection's thread
    assert len(w.points) == 36 and w.layout_info["final"]
    call("undo")
    assert w.position == 0 and np.array_equal(w.points, before)
    call("redo")
    assert w.position == 1
    call("go", step=0)
    # labels from the view
    call("select", indices=[0, 1])
    call("label", name="mine", value="yes")
    assert w.label_columns == ["mine"] and "mine" in w.display_columns and list(ex.labels["mine"][:2]) == ["yes", "yes"]
    call("set_color", column="mine")
    assert w.color == "mine" and w.color_info["categories"][:2] in (["(none)", "yes"], ["yes", "(none)"])
    assert call("select_category", category="yes") == 2
    prev = call("preview", index=3)
    assert prev["path"] and "content" in prev and 3 in set(w.visited)
    assert call("tooltip", index=3)["path"] == prev["path"]
    assert len(call("similar", index=3, k=4)) == 4 and len(w.highlight) == 4
    call("sort_by", column="path", ascending=True)
    assert w.sort == {"column": "path", "ascending": True}
    with pytest.raises(ValueError, match="color='nope' is not valid"):
        call("set_color", column="nope")
    with pytest.raises(ValueError, match="command='__init__' is not valid"):
        call("__init__")
    html = w._static_html()
    assert "<table>" in html and "ACUMEN" in html
    w.close()


def test_static_html_escapes_user_strings(tmp_path, corpus_and_emb, monkeypatch):
    monkeypatch.setenv("MLNB_CACHE", str(tmp_path))
    root = write(tmp_path / "<b>proj", {f"<i>m{i}</i>.py": f"x = '<script>alert({i})</script>'\n" for i in range(4)})
    corpus = acumen.Corpus.from_paths([root], progress=False)
    ex = acumen.Explorer(corpus, embeddings=np.random.default_rng(0).normal(size=(4, 8)), n_neighbors=2)
    html = ex.view()._static_html()
    assert "<b>proj" not in html.replace("<b>ACUMEN</b>", "") and "&lt;b&gt;proj" in html and "<i>m" not in html
    assert ex.preview(0)["content"].startswith("x = '<script>")  # raw text: the view shows it escaped


def test_preview_explains_metadata_and_hides_raw_evidence(ex):
    # evidence/confidence are nested dicts: never a table column, colour or project_info text; "why" lines instead
    assert not {"evidence", "confidence", "content"} & set(ex.columns + ex.display_columns)
    torch_file = int(np.flatnonzero(ex.corpus.files["project"] == "torch-proj")[0])
    prev = ex.preview(torch_file)
    assert "evidence" not in prev["project_info"] and "confidence" not in prev["project_info"]
    why = {(w["field"], w["value"]): w["why"] for w in prev["why"]}
    assert ("libraries", "PyTorch") in why
    # the strongest evidence of PyTorch is an import line of one of the project's files, as readable text
    assert "line 1: import torch" in why[("libraries", "PyTorch")] and "{" not in why[("libraries", "PyTorch")]
    sk_file = int(np.flatnonzero(ex.corpus.files["project"] == "sk-proj")[0])
    assert all(w["value"] != "PyTorch" for w in ex.preview(sk_file)["why"])


def test_cached_corpus_shows_and_pages_without_reading_contents(corpus_and_emb, monkeypatch):
    """A corpus from the ingest cache reads no file content for the first view; a preview reads its one file; the
    first full-text search reads them all, once; results are those of the freshly ingested corpus."""
    from mlnb.acumen import ingest

    corpus, emb, cache = corpus_and_emb
    monkeypatch.setenv("MLNB_CACHE", str(cache))
    reads = []
    real = ingest._ContentFile.read_all
    monkeypatch.setattr(ingest._ContentFile, "read_all", lambda self: reads.append(self.path) or real(self))
    cached = acumen.Corpus.from_paths(sorted(set(corpus.projects["root"])), progress=False)
    ex = acumen.Explorer(cached, embeddings=cached.embed("tfidf", progress=False), n_neighbors=5, persist_labels=False)
    w = ex.view()
    call = Wire(w)
    state = w.get_state()
    page = call("page", start=0, stop=50)
    assert state["layout_info"]["n"] == 45 and len(page["rows"]) == 45 and "content" not in page["columns"]
    w._repr_mimebundle_()  # the static fallback too
    assert reads == [] and not cached.contents_loaded
    text_of = dict(zip(corpus.files["project"] + "/" + corpus.files["path"], corpus.texts))
    expected = [text_of[k] for k in cached.meta["project"] + "/" + cached.meta["path"]]
    i = int(np.flatnonzero(cached.meta["path"] == "m7.py")[0])
    shown = call("preview", index=i)
    assert shown["content"] == expected[i] and "7" in shown["content"] and shown["path"] == "m7.py"
    assert reads == []
    assert call("search", text="RandomForestClassifier") == 15 and len(reads) == 3
    assert set(cached.meta["project"].iloc[ex.highlight]) == {"sk-proj"}
    assert call("search", text="keras.Sequential") == 15 and len(reads) == 3  # read once, kept
    assert call("preview", index=i)["content"] == expected[i]
    assert ex.export(content=True)["content"].tolist() == expected
    assert len(ex.regions(3)) == 3


def test_first_view_of_a_cached_corpus_needs_no_pandas(corpus_and_emb, tmp_path):
    """A fresh process showing a cached corpus (scatter, colours, first table page, static fallback, a code preview)
    imports neither pandas (1-4 s with pyarrow) nor scipy; the DataFrame API is still there, built on first use."""
    import subprocess
    import sys

    corpus, _emb, _cache = corpus_and_emb
    roots = sorted(set(corpus.projects["root"]))
    again = acumen.Corpus.from_paths(roots, progress=False)
    acumen.Explorer(again, embeddings=again.embed("tfidf", progress=False), n_neighbors=5, persist_labels=False).wait()
    code = f"""
import sys
from mlnb import acumen
from mlnb.widgets.acumen_explorer import AcumenExplorerWidget
corpus = acumen.Corpus.from_paths({roots!r}, progress=False)
ex = acumen.Explorer(corpus, embeddings=corpus.embed("tfidf", progress=False), n_neighbors=5, persist_labels=False)
w = ex.view()
state = w.get_state()
w._repr_mimebundle_()
page = AcumenExplorerWidget._anywidget_commands["page"](w, {{"start": 0, "stop": 10}}, [])[0]["value"]
shown = AcumenExplorerWidget._anywidget_commands["preview"](w, {{"index": 3}}, [])[0]["value"]
assert shown["content"] == corpus.content(3) and shown["project_info"]["project"] == shown["project"], shown
print("PANDAS", "pandas" in sys.modules, "SCIPY", "scipy" in sys.modules, state["layout_info"]["method"],
      len(page["rows"]), page["rows"][0]["cells"][:2])
t = ex.table
print("AFTER", "pandas" in sys.modules, len(t), list(t.columns[:2]), len(corpus.files.columns) == len(t.columns) + 1)
"""
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ),  # this test's cache, now filled
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    first, after = out.stdout.strip().splitlines()[-2:]
    assert first.startswith("PANDAS False SCIPY False umap 10 ["), first
    assert after == "AFTER True 45 ['project', 'path'] True", after


def test_full_text_search_of_long_rows_agrees_with_python():
    """File contents (long rows) are searched with bytes.find row by row; case-insensitive search lowercases non-ASCII
    rows as str.lower does, ASCII ones on the bytes."""
    from mlnb.acumen.explorer import _TextColumn

    rows = ["x" * 300 + "Straße ÉCOLE import Torch", "y" * 300 + "import torch\n", "z" * 300, "École" + "w" * 300,
            "ß" * 200 + "TORCH 🙂", "", "import torch" * 30]
    col = _TextColumn(rows)
    assert col._long()
    for pattern in ["torch", "TORCH", "import torch", "école", "ÉCOLE", "straße", "w" * 5, "z" * 301, "🙂", "y\nimport"]:
        for case in (False, True):
            expected = [pattern in r if case else pattern.lower() in r.lower() for r in rows]
            assert col.hits(pattern, False, case).tolist() == expected, (pattern, case)


def test_region_identifiers_match_the_identifier_pattern():
    import re

    from mlnb.acumen.explorer import _identifiers

    text = "def getHidden_2(self): 9abc x_1 ab __init__ caféteria αβγ_xyz\u00a0tail 12345 _x9"
    expected = {w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]{2,}", text)}
    assert _identifiers(text) == expected and "abc" in expected and "caf" in expected
