"""IMACS re-clustering speed: ``result.recluster(k)`` for k = 3..10 on ~1,000 segments (100 images
per model, M=5), on k-means over the 64-d PCA of the embeddings (what IMACS does) and, for
comparison, over the full 1280-d embeddings (what it did before); one torch thread.

    .venv/bin/python benchmarks/imacs_recluster.py [--n-per-model 100]

Also prints how much of the embeddings' variance the 64 axes keep, and the agreement (adjusted Rand
index) between the clusterings of the two feature sets.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch

from mlnb import imacs
from mlnb.imacs import demo
from mlnb.imacs.clustering import kmeans


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-per-model", type=int, default=100)
    args = p.parse_args()
    torch.set_num_threads(1)
    x, y, _ = demo.shapes(400, 0, {c: 0.3 for c in range(3)})
    a, b = demo.small_cnn(10, seed=0).eval(), demo.small_cnn(10, seed=1).eval()
    result = imacs.compare(a, b, x, y, target=0, n_per_model=args.n_per_model, n_clusters=5, record=False)
    att = result.attributions
    n = len(att.segments)
    t0 = time.perf_counter()
    att.__dict__.pop("_reduced", None)
    _ = att.reduced
    t_reduce = time.perf_counter() - t0
    full = att.embeddings / np.linalg.norm(att.embeddings, axis=1, keepdims=True)
    centred = full - full.mean(0)
    kept = float((att.reduced ** 2).sum() / (centred ** 2).sum())
    from sklearn.metrics import adjusted_rand_score

    print(f"{n} segments, embeddings {att.embeddings.shape[1]}-d; PCA to {att.reduced.shape[1]} axes once: "
          f"{t_reduce * 1000:.0f} ms, keeps {kept:.1%} of the variance; load average {os.getloadavg()[0]:.1f}")
    print(f"{'k':>3} {'recluster wall ms':>18} {'CPU ms':>8} {'full-dim k-means wall ms':>25} {'CPU ms':>8} {'ARI':>6}")
    for k in range(3, 11):
        t, c = time.perf_counter(), time.process_time()
        r = result.recluster(n_clusters=k)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        labels_full, _ = kmeans(full, k, 0)
        wall_f, cpu_f = time.perf_counter() - t, time.process_time() - c
        ari = adjusted_rand_score(labels_full, r.segments["cluster"])
        print(f"{k:>3} {wall * 1000:>18.0f} {cpu * 1000:>8.0f} {wall_f * 1000:>25.0f} {cpu_f * 1000:>8.0f} {ari:>6.2f}")


if __name__ == "__main__":
    main()
