"""IMACS validation, offline: the thesis's watermark experiment (§4.5) and trained-vs-untrained check (§4.6.1).

    .venv/bin/python benchmarks/imacs_watermark.py [--seeds 3] [--n-per-model 100]

For each seed: train model A (the baseline) on clean coloured shapes and model B on shapes where
70 % of the target class ("circle") carries a checkerboard watermark in the top-left corner, as in
the thesis; run IMACS on a test set with the watermark on half of every class's images; print the
cluster table, the rank (by imbalance, and by difference B − A) of the cluster holding most of
model B's watermark segments, its mean_a vs mean_b, and the largest imbalance among the other
clusters (the margin). Then compare an untrained CNN with the trained model A: mean |attribution|
per cluster.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
import torch

from mlnb import imacs
from mlnb.imacs import demo

pd.set_option("display.width", 200)
pd.set_option("display.max_columns", 20)


def watermark_segments(result, marked) -> pd.DataFrame:
    seg = result.segments
    y0, x0, y1, x1 = demo.WATERMARK
    covers = seg["bbox"].apply(lambda b: b[0] <= y0 and b[1] <= x0 and b[2] >= y1 and b[3] >= x1)
    return seg[covers & marked[seg["image"]]]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--n-per-model", type=int, default=100)
    p.add_argument("--clusters", type=int, default=5)
    p.add_argument("--embed-size", type=int, default=None,
                   help="EfficientNet-Lite0 input size (default: chosen from the crop size; 224 = the original)")
    p.add_argument("--no-untrained", action="store_true", help="skip the trained-vs-untrained check")
    args = p.parse_args()
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # short-cell notes are printed from result.notes instead
    summary = []
    for seed in range(args.seeds):
        t0 = time.perf_counter()
        exp = demo.watermark_experiment(seed=seed)
        t_train = time.perf_counter() - t0
        r = imacs.compare(exp.model_a, exp.model_b, exp.x_test, exp.y_test, target=exp.target,
                          n_per_model=args.n_per_model, n_clusters=args.clusters, class_names=demo.CLASS_NAMES,
                          record=False, random_state=seed, embed_size=args.embed_size)
        wm_b = watermark_segments(r, exp.marked).query("model == 'B'")
        wm_cluster = int(wm_b["cluster"].mode()[0])
        rank = int(np.flatnonzero(r.clusters["cluster"].to_numpy() == wm_cluster)[0]) + 1
        row = r.clusters.set_index("cluster").loc[wm_cluster]
        by_diff = r.clusters.sort_values("difference", ascending=False)["cluster"].tolist().index(wm_cluster) + 1
        runner_up = r.clusters.loc[r.clusters["cluster"] != wm_cluster, "imbalance"].max()
        print(f"\n=== seed {seed}: accuracies {', '.join(f'{k} {v:.3f}' for k, v in exp.accuracy.items())}; "
              f"train {t_train:.0f} s, IMACS {r.timings['total']:.1f} s wall / {r.cpu_times['total']:.1f} s CPU "
              f"(embedding {r.timings['embedding']:.1f} s wall at {r.config.get('embed_size')} px; "
              f"load average {os.getloadavg()[0]:.1f})")
        for n in r.notes:
            print("  note:", n)
        print(r.clusters[["cluster", "n_a", "n_b", "mean_a", "mean_b", "imbalance", "importance", "std_a", "std_b"]]
              .round(4).to_string(index=False))
        print(f"watermark cluster {wm_cluster}: rank {rank} of {len(r.clusters)} by imbalance; "
              f"holds {(wm_b['cluster'] == wm_cluster).mean():.0%} of B's {len(wm_b)} watermark segments; "
              f"mean_a {row['mean_a']:.4f} vs mean_b {row['mean_b']:.4f}; rank {by_diff} by difference (B − A); "
              f"largest imbalance of the other clusters {runner_up:.4f}")
        print("confusion matrices of the watermark cluster (segments):")
        print(r.confusion(wm_cluster).to_string())
        summary.append({"seed": seed, "rank": rank, "rank_by_difference": by_diff, "share_of_B_watermark_segments": (wm_b["cluster"] == wm_cluster).mean(),
                        "mean_a": row["mean_a"], "mean_b": row["mean_b"], "n_a": row["n_a"], "n_b": row["n_b"],
                        "imbalance": row["imbalance"], "next_imbalance": runner_up,
                        "imacs_wall_s": r.timings["total"], "embedding_wall_s": r.timings["embedding"],
                        "B_acc_watermarked": exp.accuracy["B watermarked test"],
                        "A_acc_watermarked": exp.accuracy["A watermarked test"]})

        if seed == 0 and not args.no_untrained:
            untrained_net = demo.small_cnn(seed=99).eval()
            u = imacs.compare(untrained_net, exp.model_a, exp.x_test, exp.y_test, target=exp.target,
                              n_per_model=args.n_per_model, n_clusters=args.clusters, record=False)
            print("\n=== trained-vs-untrained check (A = untrained CNN, B = trained model A)")
            print(u.clusters[["cluster", "n_a", "n_b", "mean_abs_a", "mean_abs_b", "mean_a", "mean_b"]]
                  .round(4).to_string(index=False))
            ratio = u.clusters["mean_abs_a"] / u.clusters["mean_abs_b"].replace(0, np.nan)
            print(f"untrained mean |attribution| per cluster: max {u.clusters['mean_abs_a'].max():.4f}; "
                  f"trained: max {u.clusters['mean_abs_b'].max():.4f}; "
                  f"ratio untrained/trained per cluster: max {ratio.max():.3f}, median {ratio.median():.3f}")
    s = pd.DataFrame(summary)
    print("\n=== summary over seeds")
    print(s.round(4).to_string(index=False))
    print(f"watermark cluster ranked first by imbalance in {(s['rank'] == 1).sum()} of {len(s)} seeds, "
          f"first by difference (B − A) in {(s['rank_by_difference'] == 1).sum()} of {len(s)}; "
          f"mean_b > mean_a in {(s['mean_b'] > s['mean_a']).sum()} of {len(s)}")


if __name__ == "__main__":
    main()
