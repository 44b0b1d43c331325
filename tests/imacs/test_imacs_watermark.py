"""End to end on really trained models: the thesis's watermark experiment (§4.5) and the
trained-vs-untrained validation check (§4.6.1), made offline with images drawn in code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from mlnb import imacs
from mlnb.imacs import demo


def watermark_rows(result, marked):
    seg = result.segments
    corner = seg["bbox"].apply(lambda b: b[0] <= demo.WATERMARK[0] and b[1] <= demo.WATERMARK[1]
                               and b[2] >= demo.WATERMARK[2] and b[3] >= demo.WATERMARK[3])
    return seg[corner & marked[seg["image"]]]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return tmp_path_factory.mktemp("store") / "mlnb-store.sqlite"


@pytest.fixture(scope="module")
def result(watermark, store_path):
    with pytest.MonkeyPatch.context() as mp:  # module-scoped, so it gets its own store
        mp.setenv("MLNB_STORE", str(store_path))
        return imacs.compare(watermark.model_a, watermark.model_b, watermark.x_test, watermark.y_test,
                             target=watermark.target, n_per_model=40, n_clusters=5,
                             class_names=demo.CLASS_NAMES, name="watermark test")


def test_models_learned_what_they_should(watermark):
    acc = watermark.accuracy
    assert acc["A clean"] > 0.9 and acc["B clean"] > 0.9
    # The watermark on other classes fools model B (it learned "watermark → target"), not model A.
    assert acc["B watermarked test"] < acc["A watermarked test"] - 0.1


def test_watermark_segments_land_in_the_top_imbalance_cluster(result, watermark):
    wm_b = watermark_rows(result, watermark.marked).query("model == 'B'")
    assert len(wm_b) >= 5
    wm_cluster = wm_b["cluster"].mode()[0]
    top = result.clusters.iloc[0]
    # Most of model B's watermark segments are in one cluster, the most imbalanced (thesis §4.5.2) ...
    assert wm_cluster == top["cluster"] and (wm_b["cluster"] == wm_cluster).mean() > 0.6
    # ... which model B attributes far more than model A, and for which it supplies most segments.
    assert top["mean_b"] > top["mean_a"] + 0.2 and top["difference"] > 0 and top["n_b"] > top["n_a"]
    # Shapley efficiency holds for every explained image: sum over the top M = f(all) − f(none).
    per_image = result.segments.groupby(["image", "model"])
    gap = per_image["attribution"].sum() - (per_image["f_all"].first() - per_image["f_none"].first())
    assert gap.abs().max() < 1e-6


def test_result_api(result, store_path):
    seg, cl = result.segments, result.clusters
    assert {"image", "model", "bbox", "attribution", "outcome", "cluster", "rank", "distance",
            "classes", "class_attributions"} <= set(seg.columns)
    assert set(seg["model"]) == {"A", "B"} and set(seg["outcome"]) <= {"TP", "FP", "TN", "FN"}
    assert (seg.groupby(["image", "model"]).size() == 5).all()  # top M = 5 per explained image
    assert list(cl.columns[:6]) == ["cluster", "n_a", "n_b", "mean_a", "mean_b", "imbalance"]
    assert cl["imbalance"].is_monotonic_decreasing and cl["n"].sum() == len(seg)
    assert result.sorted_clusters("importance")["importance"].is_monotonic_decreasing
    assert result.sorted_clusters("centrality")["centrality"].is_monotonic_increasing
    with pytest.raises(ValueError, match="by='size' is not valid"):
        result.sorted_clusters("size")
    c = int(cl["cluster"].iloc[0])
    conf = result.confusion(c)
    assert conf["A"].to_numpy().sum() == cl["n_a"].iloc[0] and conf["B"].to_numpy().sum() == cl["n_b"].iloc[0]
    with pytest.raises(ValueError, match="cluster=99 is not valid"):
        result.confusion(99)
    ranked = result.cluster_segments(c, "B")
    assert ranked["attribution"].is_monotonic_decreasing
    spec = result.chart().to_dict()
    assert "hconcat" in spec
    html = result._repr_html_()
    assert "<table" in html and "mean_b" in html
    result._ipython_display_()  # table + chart outside a notebook: must not raise
    # The run is in the store, so the sidebar lists it.
    from mlnb.store import Store

    runs = Store(store_path).runs(tool="imacs")
    assert [r["name"] for r in runs] == ["watermark test"] and runs[0]["status"] == "finished"
    assert runs[0]["id"] == result.run_id
    assert result.timings["total"] > 0 and {"prerank", "shapley", "embedding", "clustering"} <= set(result.timings)


def test_untrained_model_attributions_are_near_zero_in_every_cluster(watermark):
    """Thesis §4.6.1, with the untrained model as a gradient-free callable (occlusion pre-ranking)."""
    untrained_net = demo.small_cnn(seed=7).eval()

    def untrained(x):
        with torch.no_grad():
            return untrained_net(torch.from_numpy(x).permute(0, 3, 1, 2)).numpy()

    result = imacs.compare(untrained, watermark.model_a, watermark.x_test, watermark.y_test, target=0,
                           n_per_model=24, n_clusters=4, record=False)
    cl = result.clusters
    trained_scale = cl["mean_abs_b"].max()
    assert trained_scale > 0.02
    assert (cl["mean_abs_a"] < 0.1 * trained_scale).all(), cl[["cluster", "mean_abs_a", "mean_abs_b"]]


def test_slic_with_a_custom_embedder(watermark):
    def colour_embedder(crops):  # mean and std colour: any callable crops → (n, d) works
        return np.array([np.r_[c.reshape(-1, 3).mean(0), c.reshape(-1, 3).std(0)] for c in crops])

    watermark.model_a.train()  # compare explains it in eval mode and gives it back as it was
    result = imacs.compare(watermark.model_a, watermark.model_b, watermark.x_test[:60], watermark.y_test[:60],
                           target=0, n_per_model=12, n_clusters=3, segmentation="slic",
                           embedder=colour_embedder, sampling="balanced", record=False, top_m=4, top_k=2)
    # Short confusion-matrix cells are noted once, in the result, naming the target as given (0 here).
    assert any("only" in n and "for target 0" in n for n in result.notes)
    assert watermark.model_a.training
    watermark.model_a.eval()
    seg = result.segments
    assert all(0 <= y0 < y1 <= 32 and 0 <= x0 < x1 <= 32 for y0, x0, y1, x1 in seg["bbox"])
    assert seg.groupby(["image", "model"]).size().max() == 4
    assert all(len(c) == 2 and c[0] == 0 for c in seg["classes"])
    assert isinstance(result.clusters, pd.DataFrame) and len(result.clusters) == 3
