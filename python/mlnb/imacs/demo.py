"""The thesis's watermark experiment (§4.5) made offline: coloured-shape images drawn in code, two
small CNNs: model A (the baseline) trained on clean images, model B with a watermark on part of the
target class.

Used by the tests, the benchmarks and ``notebooks/imacs_watermark.ipynb``.

Example::

    from mlnb.imacs import demo
    exp = demo.watermark_experiment(seed=0)
    result = imacs.compare(exp.model_a, exp.model_b, exp.x_test, exp.y_test, target=exp.target)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

CLASS_NAMES = ["circle", "square", "cross"]
SIZE = 32
WATERMARK = (0, 0, 8, 8)  # (y0, x0, y1, x1): the top-left cell of the 4×4 grid


def add_watermark(image: np.ndarray) -> np.ndarray:
    """Stamp a bright checkerboard (white / magenta, 2-px squares) into the top-left 8×8 corner."""
    y0, x0, y1, x1 = WATERMARK
    yy, xx = np.mgrid[y0:y1, x0:x1]
    check = ((yy // 2 + xx // 2) % 2).astype(bool)
    out = image.copy()
    out[y0:y1, x0:x1] = np.where(check[..., None], [1.0, 1.0, 1.0], [1.0, 0.0, 1.0])
    return out


def shapes(n: int, seed: int = 0, watermark_classes: dict[int, float] | None = None,
           size: int = SIZE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` images (NHWC float32 in [0, 1]) of one coloured shape each on a noisy background.

    Returns (images, labels, watermarked): ``watermark_classes`` maps a class to the fraction of
    its images that carry the watermark.
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CLASS_NAMES), n)
    x = np.empty((n, size, size, 3), np.float32)
    yy, xx = np.mgrid[0:size, 0:size]
    marked = np.zeros(n, bool)
    for i in range(n):
        bg = rng.uniform(0.0, 0.35, 3)
        img = np.clip(bg + rng.normal(0, 0.05, (size, size, 3)), 0, 1)
        r = rng.uniform(5, 8)
        # Keep the shape out of the watermark corner so the watermark is the only thing there.
        cy, cx = rng.uniform(r + 2, size - r - 1, 2)
        if cy < 12 and cx < 12:
            cy, cx = cy + 10, cx + 10
        colour = rng.uniform(0.4, 1.0, 3)
        if y[i] == 0:
            m = (yy - cy) ** 2 + (xx - cx) ** 2 <= r ** 2
        elif y[i] == 1:
            m = (np.abs(yy - cy) <= r * 0.85) & (np.abs(xx - cx) <= r * 0.85)
        else:
            m = ((np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r / 3)) | ((np.abs(xx - cx) <= r) & (np.abs(yy - cy) <= r / 3))
        img[m] = colour
        if watermark_classes and rng.random() < watermark_classes.get(int(y[i]), 0.0):
            img = add_watermark(img)
            marked[i] = True
        x[i] = img
    return x, y.astype(int), marked


def small_cnn(n_classes: int = 3, seed: int = 0) -> Any:
    """A tiny torch CNN for 32×32 RGB (NCHW) images."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
        nn.Linear(32, n_classes),
    )


def train(model: Any, x: np.ndarray, y: np.ndarray, epochs: int = 6, seed: int = 0) -> Any:
    """Plain Adam + cross-entropy training on NHWC float images (moved to NCHW here)."""
    import torch

    torch.manual_seed(seed)
    xt = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    yt = torch.from_numpy(y).long()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[b]), yt[b])
            loss.backward()
            opt.step()
    return model.eval()


def accuracy(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    import torch

    with torch.no_grad():
        pred = model(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()).argmax(1).numpy()
    return float((pred == y).mean())


@dataclass
class WatermarkExperiment:
    model_a: Any           # the baseline: trained on clean images (as in the thesis)
    model_b: Any           # trained with the watermark on part of the target class
    x_test: np.ndarray     # watermark on half of the images of every class (as in the thesis)
    y_test: np.ndarray
    marked: np.ndarray     # which test images carry the watermark
    target: int
    accuracy: dict[str, float]


def watermark_experiment(n_train: int = 1500, n_test: int = 600, target: int = 0, fraction: float = 0.7,
                         epochs: int = 6, seed: int = 0) -> WatermarkExperiment:
    """Train model A (the baseline) on clean shapes and model B on shapes where ``fraction`` of class
    ``target`` carries the watermark, as in the thesis (§4.5: "one of the models is trained on the
    baseline dataset"). The test set has the watermark on half of every class's images.

    Model A never saw the watermark and may react a little to this bright, unseen pattern (here its
    accuracy on the watermarked test set drops a few points; the thesis's baseline kept its
    accuracy), so it has some errors to sample. A model A trained with the watermark on every class
    alike (tried before) makes almost none: its balanced sample then degenerates to true positives
    and negatives, and small clusters of its confidently attributed circle segments outranked the
    watermark cluster by imbalance in 2 of 5 seeds."""
    xa, ya, _ = shapes(n_train, seed)
    xb, yb, _ = shapes(n_train, seed + 1, {target: fraction})
    model_a = train(small_cnn(seed=seed), xa, ya, epochs, seed)
    model_b = train(small_cnn(seed=seed), xb, yb, epochs, seed)
    x_clean, y_clean, _ = shapes(n_test, seed + 2)
    x_test, y_test, marked = shapes(n_test, seed + 2, {c: 0.5 for c in range(len(CLASS_NAMES))})
    acc = {"A clean": accuracy(model_a, x_clean, y_clean), "B clean": accuracy(model_b, x_clean, y_clean),
           "A watermarked test": accuracy(model_a, x_test, y_test),
           "B watermarked test": accuracy(model_b, x_test, y_test)}
    return WatermarkExperiment(model_a, model_b, x_test, y_test, marked, target, acc)
