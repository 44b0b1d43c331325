"""The pipeline's public stages (attribute, then cluster), re-clustering, progress, notes, and the
beyond-the-thesis summaries (location maps, "what changed"), on the trained watermark models."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from mlnb import imacs
from mlnb.imacs import demo


@pytest.fixture(scope="module")
def run(watermark):
    events = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # notes go into the result, never out as raw warnings
        result = imacs.compare(watermark.model_a, watermark.model_b, watermark.x_test, watermark.y_test,
                               target="circle", class_names=demo.CLASS_NAMES, n_per_model=40, n_clusters=5,
                               record=False, on_progress=lambda *e: events.append(e))
    return result, events


def test_progress_reports_every_stage_in_order(run):
    _, events = run
    stages = list(dict.fromkeys(stage for stage, _, _ in events))
    assert stages == list(imacs.STAGES)
    for stage in imacs.STAGES:
        seen = [(d, t) for s, d, t in events if s == stage]
        assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] > 0  # starts at 0, ends complete
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # 80 explained images (40 per model) go through pre-rank and Shapley.
    assert [t for s, _, t in events if s == "Shapley"][0] == 80


def test_recluster_equals_a_fresh_clustering_and_keeps_attributions(run):
    result, _ = run
    before = result.segments[["image", "model", "segment", "attribution"]].copy()
    for k in (3, 4, 7):
        again = result.recluster(n_clusters=k)
        fresh = imacs.cluster(result.attributions, n_clusters=k)
        assert again.attributions is result.attributions and again.embeddings is result.embeddings
        pd.testing.assert_frame_equal(again.segments, fresh.segments)
        pd.testing.assert_frame_equal(again.clusters, fresh.clusters)
        assert sorted(again.clusters["cluster"]) == list(range(k)) and again.clusters["n"].sum() == len(result.segments)
        pd.testing.assert_frame_equal(again.segments[before.columns], before)
    assert "cluster" not in result.attributions.segments  # stage 1 output is never mutated
    pd.testing.assert_frame_equal(result.segments[before.columns], before)
    same = result.recluster(n_clusters=result.n_clusters)
    pd.testing.assert_frame_equal(same.clusters, result.clusters)
    assert same.timings["embedding"] == result.timings["embedding"]  # stage 1 is not re-run
    with pytest.raises(ValueError, match="n_clusters=0 is not valid"):
        result.recluster(n_clusters=0)
    with pytest.raises(ValueError, match="only .* distinct segments"):
        result.recluster(n_clusters=100_000)


def test_notes_name_the_target_as_given(run):
    result, _ = run
    assert result.target == 0 and result.target_name == "circle"
    for note in result.notes:  # the balanced sample runs short on some cell for these models
        assert "target 0" not in note
    assert any("'circle'" in n for n in result.notes) or not result.notes


def test_location_maps_and_what_changed_point_at_the_watermark(run):
    result, _ = run
    maps = result.location_maps(size=4)
    assert maps.shape == (5, 2, 4, 4) and maps.min() >= 0 and maps.max() <= 1
    # Every segment covers exactly one 8×8 grid cell = one cell of a 4×4 map.
    for c in range(5):
        for m, col in ((0, "n_a"), (1, "n_b")):
            n = int(result.clusters.set_index("cluster").loc[c, col])
            assert maps[c, m].sum() == pytest.approx(1.0 if n else 0.0)
    top = int(result.clusters["cluster"].iloc[0])
    assert np.unravel_index(maps[top, 1].argmax(), (4, 4)) == (0, 0)  # B's watermark: top-left corner
    text = result.what_changed(top)
    assert text.startswith("B relies on this concept"), text
    assert "top-left corner" in text and "false positives" in text
    # A cluster both models weigh alike is described as such, not as a difference.
    alike = result.clusters.loc[result.clusters["imbalance"].idxmin()]
    if alike["imbalance"] < max(0.02, 0.25 * max(abs(alike["mean_a"]), abs(alike["mean_b"]))):
        assert result.what_changed(int(alike["cluster"])).startswith("Both models weigh this concept alike")


def test_stage_one_alone_and_a_failing_progress_callback(watermark):
    def broken(stage, done, total):
        raise RuntimeError("view closed")

    with pytest.warns(RuntimeWarning, match="progress callback failed"):
        att = imacs.attribute(watermark.model_a, watermark.model_b, watermark.x_test, watermark.y_test, target=0,
                              n_per_model=8, record=False, on_progress=broken)
    assert isinstance(att, imacs.Attributions) and "cluster" not in att.segments
    assert len(att.embeddings) == len(att.segments) == 2 * 8 * 5
    assert set(att.predictions.index) == set(att.segments["image"])
    with pytest.raises(ValueError, match="attributions=DataFrame is not valid"):
        imacs.cluster(att.segments)
    with pytest.raises(TypeError, match="unexpected keyword argument 'n_cluster'"):
        imacs.compare(watermark.model_a, watermark.model_b, watermark.x_test, watermark.y_test, target=0,
                      n_cluster=3)
