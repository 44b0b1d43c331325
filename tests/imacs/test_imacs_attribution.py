"""Exact Shapley values: the weights, and efficiency on a real model's coalitions."""

from __future__ import annotations

import itertools
from math import factorial

import numpy as np
import torch

from mlnb.imacs import attribution as attr
from mlnb.imacs.demo import shapes, small_cnn
from mlnb.imacs.models import ModelAdapter
from mlnb.imacs.segmentation import grid_segments


def brute_force_shapley(v: dict, m: int) -> np.ndarray:
    phi = np.zeros(m)
    for i in range(m):
        others = [j for j in range(m) if j != i]
        for r in range(m):
            for s in itertools.combinations(others, r):
                w = factorial(len(s)) * factorial(m - len(s) - 1) / factorial(m)
                phi[i] += w * (v[frozenset(s) | {i}] - v[frozenset(s)])
    return phi


def test_shapley_matrix_matches_definition_on_a_random_game():
    m = 4
    rng = np.random.default_rng(1)
    masks = attr.coalitions(m)
    values = rng.normal(size=len(masks))
    game = {frozenset(np.flatnonzero(row)): val for row, val in zip(masks, values)}
    np.testing.assert_allclose(attr.shapley_matrix(m) @ values, brute_force_shapley(game, m), atol=1e-12)
    assert masks[0].sum() == 0 and masks[-1].all()


def test_additive_game_gives_each_player_its_weight():
    m = 5
    weights = np.array([0.5, -1.0, 2.0, 0.0, 3.0])
    values = attr.coalitions(m) @ weights
    np.testing.assert_allclose(attr.shapley_matrix(m) @ values, weights, atol=1e-12)


def test_efficiency_on_a_cnn_for_all_top_k_classes():
    torch.manual_seed(0)
    x, _, _ = shapes(6, seed=3)
    adapter = ModelAdapter(small_cnn(seed=1).eval(), batch_size=16)
    probs = adapter.predict(x)
    labels = [grid_segments(img, 4) for img in x]
    blurred = np.stack([attr.blur(img, 4.0) for img in x])
    scores = attr.prerank(adapter, x, labels, blurred, target=0, method="ig", n_steps=8)
    tops = [np.argsort(-s)[:5] for s in scores]
    classes = [np.array([0, 1, 2])] * len(x)
    results = attr.shapley_batch(adapter, x, labels, blurred, tops, classes)
    for res, p in zip(results, probs):
        assert res.values.shape == (5, 3)
        # Efficiency: the values add up to f(all) − f(none), for every class, from the same outputs.
        np.testing.assert_allclose(res.values.sum(axis=0), res.full - res.empty, atol=1e-6)
        # f(all) is the model on the untouched image (segments outside the top M stay present).
        np.testing.assert_allclose(res.full, p[[0, 1, 2]], atol=1e-6)
        assert not np.allclose(res.full, res.empty)


def test_integrated_gradients_prerank_is_complete():
    """IG's completeness (sum of attributions ≈ f(x) − f(baseline)) checks the adapter's gradients."""
    x, _, _ = shapes(3, seed=4)
    adapter = ModelAdapter(small_cnn(seed=2).eval())
    p = adapter.predict(x)
    labels = [grid_segments(img, 4) for img in x]
    blurred = np.stack([attr.blur(img, 4.0) for img in x])
    pb = adapter.predict(blurred)
    scores = attr.prerank(adapter, x, labels, blurred, target=1, method="ig", n_steps=64)
    for s, pi, pbi in zip(scores, p, pb):
        assert s.shape == (16,)
        assert abs(s.sum() - (pi[1] - pbi[1])) < 0.1 * abs(pi[1] - pbi[1]) + 1e-4


def test_occlusion_prerank_for_gradient_free_callables(linear_callable):
    x, _, _ = shapes(2, seed=5)
    adapter = ModelAdapter(linear_callable())
    adapter.predict(x)
    labels = [grid_segments(img, 4) for img in x]
    blurred = np.stack([attr.blur(img, 4.0) for img in x])
    scores = attr.prerank(adapter, x, labels, blurred, target=0, method="occlusion")
    assert [s.shape for s in scores] == [(16,), (16,)]
    assert np.abs(scores[0]).max() > 0


def test_xrai_ranks_by_attribution_density():
    x, _, _ = shapes(2, seed=6)
    adapter = ModelAdapter(small_cnn(seed=3).eval())
    adapter.predict(x)
    blurred = np.stack([attr.blur(img, 4.0) for img in x])
    uneven = np.zeros((32, 32), np.int32)
    uneven[:, 24:] = 1  # a large region 0 and a small region 1
    ig = attr.prerank(adapter, x, [uneven] * 2, blurred, target=0, method="ig", n_steps=8)
    xrai = attr.prerank(adapter, x, [uneven] * 2, blurred, target=0, method="xrai", n_steps=8)
    for s_ig, s_xrai in zip(ig, xrai):
        np.testing.assert_allclose(s_xrai, s_ig / np.array([32 * 24, 32 * 8]), rtol=1e-6)
