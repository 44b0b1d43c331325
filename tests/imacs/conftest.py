"""IMACS test set-up: one torch thread (a loaded 2-core machine), shared small fixtures."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def watermark():
    """The offline watermark experiment (two trained tiny CNNs), trained once per session."""
    from mlnb.imacs import demo

    return demo.watermark_experiment(n_train=1500, n_test=600, seed=0)


@pytest.fixture
def linear_callable():
    """Factory of gradient-free models: NHWC numpy batch → logits of a random linear map of pixel means."""

    def make(n_classes: int = 3, seed: int = 0):
        w = np.random.default_rng(seed).normal(size=(3, n_classes))

        def model(x):
            assert isinstance(x, np.ndarray) and x.ndim == 4 and x.shape[-1] == 3, "callables get NHWC arrays"
            return x.mean(axis=(1, 2)) @ w

        return model

    return make
