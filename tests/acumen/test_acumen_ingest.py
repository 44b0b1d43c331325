from __future__ import annotations

import os
import pickle
import time

import numpy as np
import pandas as pd
import pytest

from mlnb import acumen
from mlnb.acumen import ingest

from acumen_helpers import git, write


def test_ingest_reads_sources_and_skips_the_rest(vision_project):
    corpus = acumen.Corpus.from_paths([vision_project], max_file_bytes=20_000, progress=False)
    files = corpus.files.set_index("path")
    assert sorted(files.index) == ["broken_syntax.py", "demo.ipynb", "latin1_cookie.py", "models/detector.py", "train.py"]
    assert (corpus.files["project"] == "tomato-detector").all()
    # the PEP 263 cookie is honoured; a syntax error is recorded, not fatal
    assert "café" in files.loc["latin1_cookie.py", "content"]
    assert files.loc["broken_syntax.py", "syntax_error"].startswith("SyntaxError line 2")
    assert files.loc["train.py", "syntax_error"] == ""
    # notebooks: code cells only (magics kept as text, markdown dropped), and they still parse
    nb = files.loc["demo.ipynb"]
    assert nb["kind"] == "notebook" and nb["n_cells"] == 2 and nb["syntax_error"] == ""
    assert "%matplotlib inline" in nb["content"] and "markdown" not in nb["content"]
    reasons = dict(zip(corpus.skipped["path"], corpus.skipped["reason"]))
    assert reasons["nul.py"] == "binary"
    assert reasons["huge.py"] == "too large"
    assert reasons["latin1_nocookie.py"].startswith("undecodable")
    assert reasons["broken.ipynb"].startswith("broken notebook")
    assert reasons["venv/"] == reasons["myenv/"] == "virtualenv folder"
    assert reasons["node_modules/"] == "vendored folder"
    assert "weights.pth" not in reasons and not any("__pycache__" in p for p in reasons)
    summary = corpus.skipped_summary()
    assert summary["virtualenv folder"] == 2 and summary["broken notebook"] == 1
    assert corpus.projects.loc[0, "n_files"] == 5 and corpus.projects.loc[0, "n_skipped"] == len(corpus.skipped)


def test_files_carry_project_attributes(vision_project, nlp_project):
    corpus = acumen.Corpus.from_paths([vision_project, nlp_project], progress=False)
    assert list(corpus.projects["project"]) == ["tomato-detector", "sentiment"]
    for col in ("project", "path", "libraries", "datasets", "domain", "task", "arxiv", "year", "description", "library"):
        assert col in corpus.files.columns
    nlp_files = corpus.files[corpus.files["project"] == "sentiment"]
    assert all(libs == ["TensorFlow", "Keras"] or set(libs) == {"TensorFlow", "Keras"} for libs in nlp_files["libraries"])
    assert set(nlp_files["domain"]) == {"nlp"}
    train = corpus.files[(corpus.files["project"] == "tomato-detector") & (corpus.files["path"] == "train.py")].iloc[0]
    assert train["file_libraries"] == ["PyTorch", "torchvision"] and train["library"] == "several"


def test_metadata_of_projects(vision_project, nlp_project):
    corpus = acumen.Corpus.from_paths([vision_project, nlp_project], progress=False)
    vision, nlp = (corpus.projects.iloc[i] for i in range(2))
    assert vision["libraries"][0] == "PyTorch" and "torchvision" in vision["libraries"]
    assert {"CIFAR-10", "ImageNet"} <= set(vision["datasets"])
    assert "COCO" not in vision["datasets"]  # "fine-tuned from a COCO-pretrained detector": weights, not its data
    assert vision["domain"] == "vision" and vision["task"] == "object detection"
    assert vision["arxiv"] == ["https://arxiv.org/abs/1804.02767"]
    assert vision["description"].startswith("A PyTorch object detection model that finds ripe tomatoes")
    assert "[" not in vision["description"] and "YOLOv3" in vision["description"]
    assert set(nlp["libraries"]) == {"TensorFlow", "Keras"}
    assert nlp["datasets"] == ["IMDB"] and nlp["domain"] == "nlp"
    assert nlp["task"] in ("text classification", "sentiment analysis")
    assert nlp["arxiv"] == ["https://arxiv.org/abs/1408.5882"]
    assert nlp["description"].startswith("A Keras text classification model")


def test_year_from_git_history_else_file_dates(tmp_path, nlp_project):
    old = time.mktime((2015, 6, 1, 0, 0, 0, 0, 0, -1))
    for p in nlp_project.rglob("*"):
        os.utime(p, (old, old))
    repo = write(tmp_path / "repo", {"a.py": "import jax\n"})
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "init", date="2019-03-04T05:06:07+00:00")
    corpus = acumen.Corpus.from_paths([nlp_project, repo], progress=False)
    assert corpus.projects[["year", "year_source"]].values.tolist() == [[2015, "mtime"], [2019, "git"]]
    assert corpus.projects.loc[1, "libraries"] == ["JAX"]


def test_git_url_is_cloned(tmp_path, nlp_project, acumen_cache):
    """A real clone, offline: from a file:// URL."""
    git(nlp_project, "init", "-q")
    git(nlp_project, "add", ".")
    git(nlp_project, "commit", "-q", "-m", "init", date="2021-01-01T00:00:00+00:00")
    corpus = acumen.Corpus.from_paths([f"file://{nlp_project}"], progress=False)
    assert corpus.projects.loc[0, "project"] == "sentiment"
    assert corpus.projects.loc[0, "url"] == f"file://{nlp_project}"
    assert sorted(corpus.files["path"]) == ["data.py", "model.py"]
    assert corpus.projects.loc[0, "year"] == 2021
    assert (acumen_cache / "repos").is_dir()


def test_git_url_without_network_is_a_clear_error():
    with pytest.raises(acumen.IngestError, match=r"could not clone 'https://127\.0\.0\.1:9/nobody/repo\.git'.*network"):
        acumen.Corpus.from_paths(["https://127.0.0.1:9/nobody/repo.git"], progress=False)


@pytest.mark.parametrize("paths, message", [
    ([], "expected at least one project folder"),
    (["/definitely/not/here"], "'/definitely/not/here' does not exist"),
])
def test_bad_paths(paths, message):
    with pytest.raises(acumen.IngestError, match=message):
        acumen.Corpus.from_paths(paths, progress=False)


def test_a_file_is_not_a_project(vision_project):
    with pytest.raises(acumen.IngestError, match="is a file; expected a project folder"):
        acumen.Corpus.from_paths([vision_project / "train.py"], progress=False)


def test_ingest_cache_reuses_unchanged_projects(vision_project, nlp_project, monkeypatch):
    calls = []
    real = ingest._ingest_project
    monkeypatch.setattr(ingest, "_ingest_project", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    first = acumen.Corpus.from_paths([vision_project, nlp_project], progress=False)
    again = acumen.Corpus.from_paths([vision_project, nlp_project], progress=False)
    assert calls == ["tomato-detector", "sentiment"]
    pd.testing.assert_frame_equal(first.files, again.files)
    (nlp_project / "extra.py").write_text("import sklearn\n")
    changed = acumen.Corpus.from_paths([vision_project, nlp_project], progress=False)
    assert calls == ["tomato-detector", "sentiment", "sentiment"]
    assert "extra.py" in set(changed.files["path"])


def test_save_and_load(tmp_path, nlp_project):
    corpus = acumen.Corpus.from_paths([nlp_project], progress=False)
    path = corpus.save(tmp_path / "c.pkl")
    loaded = acumen.Corpus.load(path)
    pd.testing.assert_frame_equal(corpus.files, loaded.files)
    pd.testing.assert_frame_equal(corpus.projects, loaded.projects)
    sub = loaded.subset(loaded.files["path"] == "model.py")
    assert len(sub.files) == 1 and list(sub.projects["project"]) == ["sentiment"]


def test_cached_corpus_reads_contents_only_on_demand(vision_project, nlp_project, acumen_cache, monkeypatch):
    fresh = acumen.Corpus.from_paths([vision_project, nlp_project], progress=False)
    cached = acumen.Corpus.from_paths([vision_project, nlp_project], progress=False)
    # The cache holds the contents in one blob per project; the pickles are metadata only.
    blobs = sorted((acumen_cache / "corpus").glob("*.contents"))
    assert len(blobs) == 2
    for pkl in (acumen_cache / "corpus").glob("*.pkl"):
        assert b"bbox regression head" not in pkl.read_bytes() and b"import sklearn" not in pkl.read_bytes()
    assert "content" not in cached.meta.columns and not cached.contents_loaded
    reads = []
    real = ingest._ContentFile.read_all
    monkeypatch.setattr(ingest._ContentFile, "read_all", lambda self: reads.append(self.path) or real(self))
    i = int(np.flatnonzero(cached.meta["path"] == "models/detector.py")[0])
    assert "bbox regression head" in cached.content(i)  # one file, read alone
    assert reads == [] and not cached.contents_loaded
    # Embedding from cached vectors needs the hashes only, no content.
    np.testing.assert_array_equal(fresh.embed(progress=False), cached.embed(progress=False))
    assert reads == []
    # Everything, when asked for: the same as a fresh ingest, each file's own content.
    assert cached.texts == fresh.texts and cached.contents_loaded and len(reads) == 2
    pd.testing.assert_frame_equal(fresh.files, cached.files)
    assert cached.files["content"].iloc[i] == cached.content(i)


def test_old_cache_format_is_rebuilt_and_a_lost_blob_is_reread(vision_project, acumen_cache, monkeypatch):
    first = acumen.Corpus.from_paths([vision_project], progress=False)
    pkl = next((acumen_cache / "corpus").glob("*.pkl"))
    # A cache entry of the previous format (contents inside the rows, version 2 signature) is re-ingested cleanly.
    with open(pkl, "rb") as fh:
        proj = pickle.load(fh)
    old = ingest._Project(name=proj.name, root=proj.root, url=proj.url, signature="stale-v2",
                          files=[dict(f, content=t) for f, t in zip(proj.files, first.texts)], skipped=proj.skipped,
                          attributes=proj.attributes)
    with open(pkl, "wb") as fh:
        pickle.dump(old, fh)
    calls = []
    real = ingest._ingest_project
    monkeypatch.setattr(ingest, "_ingest_project", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    again = acumen.Corpus.from_paths([vision_project], progress=False)
    assert calls == ["tomato-detector"] and again.texts == first.texts
    # A missing or truncated contents blob: the project is read again, never a wrong or broken corpus.
    for blob in (acumen_cache / "corpus").glob("*.contents"):
        blob.write_bytes(blob.read_bytes()[:-5])
    third = acumen.Corpus.from_paths([vision_project], progress=False)
    assert calls == ["tomato-detector"] * 2 and third.texts == first.texts
    for blob in (acumen_cache / "corpus").glob("*.contents"):
        blob.unlink()
    fourth = acumen.Corpus.from_paths([vision_project], progress=False)
    assert calls == ["tomato-detector"] * 3 and fourth.texts == first.texts
    assert len(list((acumen_cache / "corpus").glob("*.contents"))) == 1  # no stale blobs left behind


def test_saved_corpus_of_the_previous_version_loads(tmp_path, nlp_project):
    corpus = acumen.Corpus.from_paths([nlp_project], progress=False)
    path = tmp_path / "v2.pkl"
    with open(path, "wb") as fh:  # what Corpus.save wrote before contents moved out of the cache
        pickle.dump({"version": 2, "projects": corpus.projects, "files": corpus.files, "skipped": corpus.skipped}, fh)
    loaded = acumen.Corpus.load(path)
    pd.testing.assert_frame_equal(corpus.files, loaded.files)
    assert loaded.texts == corpus.texts and loaded.content(0) == corpus.texts[0]
