"""imacs.compare end to end on two small Keras models (Keras on its TensorFlow backend): IG pre-ranking
through the TensorFlow→torch gradient bridge, exact Shapley values, the packaged embedder, k-means."""

from __future__ import annotations

import numpy as np
import pytest

from mlnb import imacs


def patches(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """16×16 noise images; class 1 ("patch") has a white patch in the top-left 4×4 grid cell, class 0 none."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.3, (n, 16, 16, 3)).astype(np.float32)
    y = rng.integers(0, 2, n)
    x[y == 1, :4, :4] = 1.0
    return x, y


def test_compare_two_keras_models_end_to_end():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    x_train, y_train = patches(128, 0)

    def small_model(softmax: bool):
        model = keras.Sequential([
            keras.Input((16, 16, 3)), keras.layers.Conv2D(4, 3, strides=2, activation="relu"),
            keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax" if softmax else None)])
        model.compile(keras.optimizers.Adam(1e-2),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=not softmax))
        model.fit(x_train, y_train, epochs=20, batch_size=32, verbose=0)
        return model

    model_a, model_b = small_model(softmax=False), small_model(softmax=True)  # logits / probabilities
    x, y = patches(40, 1)
    result = imacs.compare(model_a, model_b, x, y, target=1, n_per_model=12, sampling="all", top_m=3,
                           top_k=2, n_clusters=3, class_names=["noise", "patch"], record=False)
    seg, cl = result.segments, result.clusters
    assert set(seg["model"]) == {"A", "B"} and (seg.groupby(["image", "model"]).size() == 3).all()
    assert len(cl) == 3 and cl["n"].sum() == len(seg) and cl["imbalance"].is_monotonic_decreasing
    # Shapley efficiency for every explained image: sum over the top M = f(all) − f(none).
    per_image = seg.groupby(["image", "model"])
    gap = per_image["attribution"].sum() - (per_image["f_all"].first() - per_image["f_none"].first())
    assert gap.abs().max() < 1e-6
    # Both models learned the task; on the target class's images each gives the top-left patch
    # (grid segment 0) its largest attribution.
    tp = seg[seg["outcome"] == "TP"]
    assert tp["image"].nunique() >= 4
    best = tp.loc[tp.groupby(["image", "model"])["attribution"].idxmax()]
    assert (best["segment"] == 0).all(), best[["image", "model", "segment", "attribution"]]
    assert best["attribution"].min() > 0.2
