"""Bad input fails up front with a message naming the argument, the value and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

from mlnb import imacs


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.random((20, 16, 16, 3)).astype(np.float32), rng.integers(0, 3, 20)


def test_mismatched_counts(data, linear_callable):
    x, y = data
    with pytest.raises(ValueError, match="labels has 19 entries but images has 20"):
        imacs.compare(linear_callable(), linear_callable(), x, y[:19], target=0)


@pytest.mark.parametrize("images, message", [
    (np.zeros((20, 16, 16)), r"images has shape \(20, 16, 16\); expected NHWC.*channel axis"),
    (np.zeros((20, 3, 16, 16)), r"images has shape \(20, 3, 16, 16\); expected NHWC"),
    (np.zeros((20, 16, 16, 3), np.int64), "images has dtype int64; expected uint8"),
    (np.full((20, 16, 16, 3), 255.0), "range from 255 to 255; expected values in \\[0, 1\\]"),
])
def test_wrong_shapes_and_dtypes(images, message, linear_callable):
    with pytest.raises(ValueError, match=message):
        imacs.compare(linear_callable(), linear_callable(), images, np.zeros(20, int), target=0)


def test_bad_labels(data, linear_callable):
    x, y = data
    with pytest.raises(ValueError, match="labels has shape .* one-hot"):
        imacs.compare(linear_callable(), linear_callable(), x, np.eye(3)[y], target=0)
    with pytest.raises(ValueError, match="labels range from 0 to 7; expected class ids 0..2"):
        imacs.compare(linear_callable(), linear_callable(), x, np.where(y == 2, 7, y), target=0, n_per_model=8)


def test_target_the_models_do_not_have(data, linear_callable):
    x, y = data
    with pytest.raises(ValueError, match="target=5 is not valid; the models have 3 classes, expected an index 0..2"):
        imacs.compare(linear_callable(), linear_callable(), x, y, target=5, n_per_model=8)
    with pytest.raises(ValueError, match=r"target='dog' is not valid; .* one of \['a', 'b', 'c'\]"):
        imacs.compare(linear_callable(), linear_callable(), x, y, target="dog", n_per_model=8, class_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="no class_names were given"):
        imacs.compare(linear_callable(), linear_callable(), x, y, target="dog", n_per_model=8)


def test_models_with_different_class_counts(data, linear_callable):
    x, y = data
    with pytest.raises(ValueError, match="model_a has 3 classes and model_b has 4"):
        imacs.compare(linear_callable(3), linear_callable(4), x, y, target=0, n_per_model=8)


def test_too_few_images_and_bad_options(data, linear_callable):
    x, y = data
    a, b = linear_callable(), linear_callable(seed=1)
    with pytest.raises(ValueError, match="n_per_model=100 is not valid: only 20 images"):
        imacs.compare(a, b, x, y, target=0)
    with pytest.raises(ValueError, match="sampling='random' is not valid; expected one of 'balanced', 'all'"):
        imacs.compare(a, b, x, y, target=0, n_per_model=8, sampling="random")
    with pytest.raises(ValueError, match="segmentation='quadtree' is not valid"):
        imacs.compare(a, b, x, y, target=0, n_per_model=8, segmentation="quadtree")
    with pytest.raises(ValueError, match="top_m=17 is not valid; expected an integer >= 1 and <= 12"):
        imacs.compare(a, b, x, y, target=0, n_per_model=8, top_m=17)
    with pytest.raises(ValueError, match="n_clusters=0 is not valid"):
        imacs.compare(a, b, x, y, target=0, n_per_model=8, n_clusters=0)
    with pytest.raises(ValueError, match="prerank='ig' needs gradients but model_a is a plain callable"):
        imacs.compare(a, b, x, y, target=0, n_per_model=8, prerank="ig")
    with pytest.raises(ValueError, match="class_names has 2 names; expected 3"):
        imacs.compare(a, b, x, y, target=0, n_per_model=8, class_names=["x", "y"])


@pytest.mark.parametrize("bad, message", [
    (np.nan, "images contain 1 NaN values; expected finite values in \\[0, 1\\]"),
    (np.inf, "images contain 1 infinite values; expected finite"),
])
def test_images_with_nan_or_inf_say_so(data, bad, message, linear_callable):
    x, y = data
    x = x.copy()
    x[3, 2, 1, 0] = bad
    with pytest.raises(ValueError, match=message):
        imacs.compare(linear_callable(), linear_callable(), x, y, target=0, n_per_model=8)


@pytest.mark.parametrize("which", ["model_a", "model_b"])
def test_model_with_nan_outputs_is_an_error(data, which, linear_callable):
    x, y = data

    def nan_model(images):
        out = linear_callable()(images)
        out[0, 0] = np.nan
        return out

    models = {"model_a": linear_callable(), "model_b": linear_callable(seed=1), which: nan_model}
    with pytest.raises(ValueError, match=f"{which} returned NaN outputs .*expected finite logits"):
        imacs.compare(models["model_a"], models["model_b"], x, y, target=0, n_per_model=8)
