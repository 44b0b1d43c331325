"""ACUMEN explorer, kernel side: numbers from one run (not a timed test).

1. Table queries over 1,000,000 files (a synthetic corpus of paths, projects and libraries; no layout needed):
   "does not contain" on ``path`` (the first query builds the column's search buffer; later queries reuse it),
   a regex search, a sort, and a page of 50 rows of the sorted table — what the widget asks for as it scrolls.
   Compared with pandas' ``str.contains`` on the same column.
2. First scatter in a fresh process: a subprocess opens an already-cached corpus (``--files`` files, TF-IDF
   embeddings cached), builds the Explorer and the widget state; prints the seconds to the first widget state and
   whether Altair or umap were imported on that path (they must not be).

    PYTHONPATH=python python benchmarks/acumen_explorer.py [--rows 1000000] [--files 16000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _fake_corpus(n: int):
    from mlnb.acumen.ingest import Corpus

    rng = np.random.default_rng(0)
    proj = rng.integers(0, 5000, n)
    kind = rng.integers(0, 4, n)
    paths = [f"src/module_{i % 997}/{'tests/test_' if k == 0 else 'models/net_' if k == 1 else 'data/load_' if k == 2 else 'train_'}{i}.py"
             for i, k in enumerate(kind)]
    libs = np.array(["PyTorch", "TensorFlow", "scikit-learn", "none", "several"])[rng.integers(0, 5, n)]
    files = pd.DataFrame({"project": [f"project-{p}" for p in proj], "path": paths, "library": libs,
                          "n_lines": rng.integers(1, 2000, n), "content": ""})
    projects = pd.DataFrame({"project": [f"project-{p}" for p in range(5000)], "root": ""})
    return Corpus(projects, files, pd.DataFrame(columns=["project", "path", "reason", "bytes"]))


def table_queries(n: int) -> None:
    from mlnb.acumen.explorer import Explorer, _TextColumn
    from mlnb.acumen.projection import Projection

    corpus = _fake_corpus(n)
    emb = np.random.default_rng(1).normal(size=(n, 2)).astype(np.float32)
    proj = Projection(emb, n_neighbors=15, warm_up=False)
    proj._worker.submit = lambda *a, **k: _Done()  # no UMAP of a million random points: only the table is measured
    proj.pca()  # the preview layout a filter step starts from (computed once when the explorer first shows)
    # The first query on a column builds its search buffer: measured on its own, without the background build.
    t = time.perf_counter()
    cold = ~_TextColumn(corpus.files["path"]).hits("test", False, False)
    t_cold = time.perf_counter() - t
    t = time.perf_counter()
    ex = Explorer(corpus, embeddings=emb, projection=proj, persist_labels=False)  # starts the background build
    t_open = time.perf_counter() - t
    time.sleep(1.0)  # a user looks at the scatter for a second before typing a filter
    t = time.perf_counter()
    first = ~ex.match("path", "test")
    t_first = time.perf_counter() - t
    times = []
    for pat in ("test", "models/", "load_4", "net_99"):
        t = time.perf_counter()
        mask = ~ex.match("path", pat)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    ref = ~corpus.files["path"].str.contains("test", case=False, regex=False).to_numpy()
    t_pandas = time.perf_counter() - t
    assert np.array_equal(first, ref) and np.array_equal(cold, ref)
    # The whole "does not contain" filter as the widget runs it: search, new step, its preview layout, the table.
    steps = []
    for pat in ("test", "models/", "load_4"):
        t = time.perf_counter()
        ex.filter({"column": "path", "excludes": pat}, wait=False)
        _ = ex.rows, ex.layout
        steps.append(time.perf_counter() - t)
        ex.undo()
    t = time.perf_counter()
    ex.match("path", r"net_\d+7\.py", regex=True)
    t_regex = time.perf_counter() - t
    t = time.perf_counter()
    ex.sort_by("path", ascending=False)
    rows = ex.rows
    t_sort = time.perf_counter() - t
    t = time.perf_counter()
    for start in range(0, 50 * 20, 50):
        ex.page(start + n // 2, start + n // 2 + 50)
    t_page = (time.perf_counter() - t) / 20
    print(f"table over {n:,} files (load: {os.getloadavg()[0]:.2f}):")
    print(f"  'does not contain' on path: {t_cold * 1000:.0f} ms building the column's search buffer with the query; "
          f"opening an Explorer {t_open * 1000:.0f} ms (it builds that buffer in the background); first query 1 s later "
          f"{t_first * 1000:.0f} ms, then median {np.median(times) * 1000:.0f} ms (max {max(times) * 1000:.0f} ms); "
          f"pandas str.contains {t_pandas * 1000:.0f} ms; {int(mask.sum()):,} files kept by the last")
    print(f"  Explorer.filter({{'column': 'path', 'excludes': ...}}) end to end (search, step, preview layout, table "
          f"rows): {', '.join(f'{x * 1000:.0f}' for x in steps)} ms")
    print(f"  regex on path: {t_regex * 1000:.0f} ms; sort by path: {t_sort * 1000:.0f} ms ({len(rows):,} rows); "
          f"one 50-row page of the sorted table: {t_page * 1000:.1f} ms")


class _Done:
    def add_done_callback(self, fn):
        pass

    def result(self, timeout=None):
        raise RuntimeError("not computed in this benchmark")

    def done(self):
        return False


FRESH = textwrap.dedent("""
    import sys, time
    t0 = time.perf_counter()
    from mlnb import acumen
    corpus = acumen.Corpus.from_paths(sorted(ROOTS), progress=False)
    emb = corpus.embed("tfidf", progress=False)
    t_emb = time.perf_counter() - t0
    ex = acumen.Explorer(corpus, embeddings=emb)
    w = ex.view()
    state = w.get_state()
    t = time.perf_counter() - t0
    print(f"RESULT {t:.2f} {t_emb:.2f} {len(corpus.files)} {state['layout_info']['method']} "
          f"{'altair' in sys.modules} {'umap' in sys.modules}")
""")


def first_scatter(n_files: int) -> None:
    import random

    tmp = Path(tempfile.mkdtemp(prefix="acumen-bench-"))
    env = dict(os.environ, MLNB_CACHE=str(tmp / "cache"))
    words = ["model", "layer", "train", "loss", "batch", "optimizer", "dataset", "image", "token", "encoder", "conv",
             "dense", "dropout", "metric", "score", "epoch", "tensor", "predict", "feature", "label"]
    roots = []
    r = random.Random(0)
    per = 80
    for p in range(max(1, n_files // per)):
        root = tmp / "projects" / f"proj{p}"
        (root / "pkg").mkdir(parents=True)
        lib = r.choice(["import torch", "from tensorflow import keras", "import sklearn", "import numpy as np"])
        for i in range(per):
            body = "\n".join(f"def {r.choice(words)}_{j}(x):\n    return x.{r.choice(words)}() * {j}" for j in range(6))
            (root / "pkg" / f"m{i}.py").write_text(f"{lib}\n\n{body}\n")
        roots.append(str(root))
    code = f"ROOTS = {roots!r}\n" + FRESH
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)  # ingest + embed: cache
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    total, t_emb, n, method, altair, umap = out.split("RESULT ")[1].split()
    print(f"first scatter in a fresh process, cached corpus of {int(n):,} files: widget state ready in {total} s "
          f"({t_emb} s of it opening the cached corpus and embeddings); layout shown first: {method}; "
          f"altair imported: {altair}; umap imported: {umap}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--files", type=int, default=16_000)
    args = ap.parse_args()
    table_queries(args.rows)
    first_scatter(args.files)


if __name__ == "__main__":
    main()
