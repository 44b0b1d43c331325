"""k-means over both models' segment embeddings, and the per-cluster summary (thesis §4.5.2)."""

from __future__ import annotations

import numpy as np
import pandas as pd


N_COMPONENTS = 64


def reduce(embeddings: np.ndarray, n_components: int = N_COMPONENTS) -> np.ndarray:
    """L2-normalised embeddings projected on their top ``n_components`` principal axes.

    Done once per set of attributions (see :attr:`mlnb.imacs.result.Attributions.reduced`), so
    k-means for each k runs on (n, 64) instead of (n, 1280): re-clustering 1,000 segments takes
    tens of milliseconds instead of seconds. Distances between points are kept up to the variance
    of the dropped axes (printed by benchmarks/imacs_recluster.py).
    """
    x = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    if x.shape[1] <= n_components or x.shape[0] <= n_components:
        return x
    from sklearn.utils.extmath import randomized_svd

    centred = x - x.mean(axis=0)
    # Randomised SVD (fixed seed: the same inputs always give the same axes): ~10x faster than a full one.
    _, _, vt = randomized_svd(centred, n_components, n_iter=4, random_state=0)
    return centred @ vt.T


def kmeans(embeddings: np.ndarray, n_clusters: int, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Cluster ids and each point's distance to its centroid (of already normalised/reduced features,
    see :func:`reduce`)."""
    from sklearn.cluster import KMeans

    x = np.asarray(embeddings, dtype=np.float64)
    km = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state).fit(x)
    dist = np.linalg.norm(x - km.cluster_centers_[km.labels_], axis=1)
    return km.labels_.astype(int), dist


def summarize(segments: pd.DataFrame, n_clusters: int) -> pd.DataFrame:
    """One row per cluster: composition, importance, coherence and imbalance; largest imbalance first.

    - composition: ``n_a``, ``n_b`` (segments from each model's sample), ``n``
    - importance: ``mean_a``, ``mean_b`` (mean attribution; 0 when a model has no segment in the
      cluster — none of its top segments looks like this), ``importance`` = max of the two
    - coherence: ``std_a``, ``std_b`` and ``mean_abs_a``, ``mean_abs_b`` of the attributions
    - ``difference`` = mean_b − mean_a, ``imbalance`` = |difference|
    - ``centrality``: mean distance of the cluster's segments to its centroid (smaller is tighter)
    """
    rows = []
    for c in range(n_clusters):
        seg = segments[segments["cluster"] == c]
        row: dict = {"cluster": c}
        for model in ("A", "B"):
            a = seg.loc[seg["model"] == model, "attribution"].to_numpy(float)
            s = model.lower()
            row[f"n_{s}"] = len(a)
            row[f"mean_{s}"] = float(a.mean()) if len(a) else 0.0
            row[f"std_{s}"] = float(a.std()) if len(a) else 0.0
            row[f"mean_abs_{s}"] = float(np.abs(a).mean()) if len(a) else 0.0
        row["n"] = row["n_a"] + row["n_b"]
        row["difference"] = row["mean_b"] - row["mean_a"]
        row["imbalance"] = abs(row["difference"])
        row["importance"] = max(row["mean_a"], row["mean_b"])
        row["centrality"] = float(seg["distance"].mean()) if len(seg) else np.nan
        rows.append(row)
    cols = ["cluster", "n_a", "n_b", "mean_a", "mean_b", "imbalance", "difference", "importance",
            "n", "std_a", "std_b", "mean_abs_a", "mean_abs_b", "centrality"]
    table = pd.DataFrame(rows, columns=cols)
    return table.sort_values("imbalance", ascending=False, kind="stable").reset_index(drop=True)
