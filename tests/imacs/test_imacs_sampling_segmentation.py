"""Sampling strategies (balanced counts, short-cell notes) and grid/SLIC segmentation."""

from __future__ import annotations

import numpy as np
import pytest

from mlnb.imacs.sampling import outcomes, sample
from mlnb.imacs.segmentation import bboxes, grid_segments, segment


def fake_predictions(n_per_cell: dict, target: int = 1, n_classes: int = 3):
    """Probabilities and labels that produce exactly the given TP/FP/TN/FN counts."""
    probs, labels = [], []
    for cell, n in n_per_cell.items():
        for _ in range(n):
            pred = target if cell in ("TP", "FP") else (target + 1) % n_classes
            actual = target if cell in ("TP", "FN") else (target + 2) % n_classes
            p = np.full(n_classes, 0.1)
            p[pred] = 0.8
            probs.append(p / p.sum())
            labels.append(actual)
    return np.array(probs), np.array(labels)


def test_balanced_sample_has_equal_cells():
    probs, labels = fake_predictions({"TP": 30, "FP": 30, "TN": 30, "FN": 30})
    s = sample(probs, probs, labels, 1, 40, "balanced")
    cells = outcomes(probs[s.indices], labels[s.indices], 1)
    assert {c: int((cells == c).sum()) for c in ("TP", "FP", "TN", "FN")} == {"TP": 10, "FP": 10, "TN": 10, "FN": 10}
    assert s.notes == []
    assert len(set(s.indices)) == 40


def test_short_cell_is_reported_and_filled():
    probs, labels = fake_predictions({"TP": 30, "FP": 3, "TN": 30, "FN": 30})
    s = sample(probs, probs, labels, 1, 40, "balanced", model_name="B")
    cells = outcomes(probs[s.indices], labels[s.indices], 1)
    assert (cells == "FP").sum() == 3
    assert len(s.indices) == 40
    assert any("only 3 FP" in n and "model B" in n for n in s.notes)
    assert any("not balanced" in n for n in s.notes)


def test_false_positives_and_disagreement():
    probs, labels = fake_predictions({"TP": 5, "FP": 4, "TN": 5, "FN": 5})
    fp = sample(probs, probs, labels, 1, 10, "false-positives")
    assert len(fp.indices) == 4 and (outcomes(probs[fp.indices], labels[fp.indices], 1) == "FP").all()
    assert "only 4 false positive" in fp.notes[0]
    other = np.roll(probs, 1, axis=1)  # the other model always predicts another class
    dis = sample(probs, other, labels, 1, 5, "confident-disagreement")
    assert len(dis.indices) == 5
    assert (probs[dis.indices].argmax(1) != other[dis.indices].argmax(1)).all()
    same = sample(probs, probs, labels, 1, 5, "confident-disagreement")
    assert len(same.indices) == 0 and "disagree" in same.notes[0]


def test_grid_segments_and_bboxes():
    lab = grid_segments(np.zeros((32, 48, 3)), 4)
    assert lab.shape == (32, 48) and lab.min() == 0 and lab.max() == 15
    assert (np.bincount(lab.ravel()) == 8 * 12).all()
    boxes = bboxes(lab)
    assert boxes[0] == (0, 0, 8, 12) and boxes[15] == (24, 36, 32, 48)
    odd = grid_segments(np.zeros((30, 30, 1)), 4)  # sizes that do not divide evenly still tile
    assert odd.max() == 15 and len(np.unique(odd)) == 16


def test_slic_segments():
    from skimage.data import chelsea
    from skimage.transform import resize

    img = resize(chelsea(), (64, 96), anti_aliasing=True).astype(np.float32)
    lab = segment(img, "slic", n_segments=16)
    assert lab.shape == (64, 96)
    k = lab.max() + 1
    assert 6 <= k <= 32 and set(np.unique(lab)) == set(range(k))
    assert all(y1 > y0 and x1 > x0 for y0, x0, y1, x1 in bboxes(lab))
    with pytest.raises(ValueError, match="segmentation='voronoi'"):
        segment(img, "voronoi")
