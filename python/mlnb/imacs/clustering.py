"""k-means over both models' segment embeddings, and the per-cluster summary (thesis §4.5.2)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def kmeans(embeddings: np.ndarray, n_clusters: int, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Cluster ids and each point's distance to its centroid (embeddings L2-normalised first)."""
    from sklearn.cluster import KMeans

    x = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
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
