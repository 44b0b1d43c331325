"""The model-adapter layer: what each framework receives, softmax only when needed, gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from mlnb.imacs.models import ModelAdapter


class NCHWOnly(nn.Module):
    """Fails unless it gets an NCHW float tensor with 3 channels."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.seen = []

    def forward(self, x):
        assert x.dtype == torch.float32 and x.shape[1] == 3, f"expected NCHW, got {tuple(x.shape)}"
        self.seen.append(tuple(x.shape))
        return self.fc(x.mean(dim=(2, 3)))


def test_torch_gets_nchw_batches_and_logits_are_softmaxed():
    net = NCHWOnly()
    x = np.random.default_rng(0).random((10, 8, 6, 3)).astype(np.float32)
    p = ModelAdapter(net, batch_size=4).predict(x)
    assert net.seen == [(4, 3, 8, 6), (4, 3, 8, 6), (2, 3, 8, 6)]
    assert p.shape == (10, 4) and np.allclose(p.sum(1), 1) and (p >= 0).all()
    with torch.no_grad():
        expected = torch.softmax(net(torch.from_numpy(x).permute(0, 3, 1, 2)), 1).numpy()
    np.testing.assert_allclose(p, expected, atol=1e-6)


def test_probabilities_pass_through_and_callables_get_nhwc():
    x = np.random.default_rng(1).random((5, 4, 4, 3)).astype(np.float32)
    probs = np.tile([0.2, 0.3, 0.5], (5, 1))
    adapter = ModelAdapter(lambda batch: probs[: len(batch)])
    np.testing.assert_allclose(adapter.predict(x), probs)
    assert not adapter.has_gradients
    with pytest.raises(TypeError, match="no gradients"):
        adapter.torch_forward()


def test_bad_model_and_bad_outputs():
    with pytest.raises(TypeError, match="model_a='int' is not a model"):
        ModelAdapter(3, name="model_a")
    with pytest.raises(ValueError, match=r"returned shape \(5,\)"):
        ModelAdapter(lambda b: np.zeros(len(b)), name="model_b").predict(np.zeros((5, 4, 4, 3), np.float32))


def test_keras_model_predicts_and_has_gradients_through_the_bridge():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(2).random((6, 8, 8, 3)).astype(np.float32)
    adapter = ModelAdapter(model, batch_size=4)
    assert adapter.has_gradients
    p = adapter.predict(x)
    np.testing.assert_allclose(p, np.asarray(model(x)), atol=1e-5)
    assert adapter._softmax is False  # outputs were already probabilities
    # Gradient through the bridge equals a finite difference.
    f = adapter.torch_forward()
    xt = torch.from_numpy(x[:1]).requires_grad_(True)
    f(xt)[0, 1].backward()
    eps = 1e-2
    bumped = x[:1].copy()
    bumped[0, 3, 3, 0] += eps
    fd = (adapter.predict(bumped)[0, 1] - p[0, 1]) / eps
    assert xt.grad[0, 3, 3, 0].item() == pytest.approx(fd, rel=0.05, abs=1e-4)
