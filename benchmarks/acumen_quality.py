"""ACUMEN embedding quality: do files with the same role land near each other, from their content alone?

    .venv/bin/python benchmarks/acumen_quality.py [--per-role 80] [--k 5]

Files of the installed `transformers` library with a known role (modeling_*, configuration_*, tokenization_*,
image_processing_*), a balanced random sample per role. Each embedder sees only file contents (never paths). Metric:
leave-one-out k-nearest-neighbour role accuracy (cosine), majority vote; chance is 1/4 on the balanced sample.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import sysconfig
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
DATA = Path(__file__).resolve().parent / "_data"
ROLES = ("modeling", "configuration", "tokenization", "image_processing")


def role_of(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    for role in ROLES:
        if re.match(rf"{role}_\w+\.py$", name):
            return role
    return None


def knn_accuracy(x, labels, k: int) -> float:
    import numpy as np

    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    sim = x @ x.T
    np.fill_diagonal(sim, -np.inf)
    nn = np.argsort(-sim, axis=1)[:, :k]
    votes = [Counter(labels[row]).most_common(1)[0][0] for row in nn]
    return float(np.mean(np.array(votes) == labels))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-role", type=int, default=80)
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args()
    import numpy as np
    import torch

    torch.set_num_threads(1)
    os.environ.setdefault("MLNB_CACHE", str(DATA / "cache"))
    from mlnb.acumen.embed import embed

    import pandas as pd

    root = Path(sysconfig.get_paths()["purelib"]) / "transformers"
    rows = [(str(p.relative_to(root)), role_of(p.name), p.read_text(encoding="utf-8"))
            for p in sorted(root.rglob("*.py")) if role_of(p.name)]
    files = pd.DataFrame(rows, columns=["path", "role", "content"])
    print("files per role in transformers:", dict(files["role"].value_counts()))
    rng = np.random.default_rng(0)
    picked = np.concatenate([rng.choice(np.flatnonzero(files["role"] == r), min(args.per_role, (files["role"] == r).sum()),
                                        replace=False) for r in ROLES])
    sample = files.iloc[np.sort(picked)]
    texts, labels = sample["content"].tolist(), sample["role"].to_numpy()
    print(f"sample: {len(texts)} files ({args.per_role} per role); leave-one-out {args.k}-NN and 1-NN, cosine\n")
    runs = [("tfidf (TF-IDF + LSA, fitted on the sample)", "tfidf", {}),
            ("minilm (all-MiniLM-L6-v2, mean of 256-token chunks)", "minilm", {}),
            ("minilm + CodeT5 recipe (function mean, file max)", "minilm", {"pooling": "function-max"})]
    print(f"{'embedder':<54} {'dim':>4} {f'{args.k}-NN acc':>9} {'1-NN acc':>9} {'seconds':>8}")
    for name, model, opts in runs:
        t = time.perf_counter()
        x = embed(texts, model, progress=False, cache=True, **opts)
        secs = time.perf_counter() - t
        print(f"{name:<54} {x.shape[1]:>4} {knn_accuracy(x, labels, args.k):>9.3f} {knn_accuracy(x, labels, 1):>9.3f} {secs:>8.1f}")
    print(f"{'chance (balanced sample)':<54} {'':>4} {1 / len(ROLES):>9.3f}")
    print("(seconds include vector-cache reads when the benchmark ran before; delete benchmarks/_data/cache to re-time)")


if __name__ == "__main__":
    sys.exit(main())
