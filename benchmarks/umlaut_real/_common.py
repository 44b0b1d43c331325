"""Shared set-up for the real-program suite: seeded frameworks on one thread and offline data of the
shape and range of the datasets the original programs load (MNIST, IMDB, FordA, ...).

Every program module in this folder defines::

    KIND = "clean" | "buggy"
    SOURCE = "<repo/path@commit or Stack Overflow question id>"
    BUG = "<the benchmark's bug in one line>"   # "" for clean programs
    NAMES = ("<catalog key that names the bug>", ...)   # () for clean programs
    def main(umlaut: bool = True) -> list   # the session's findings ([] without UMLAUT)

and attaches UMLAUT the way a user would: an ``UmlautCallback`` in ``model.fit``, a ``TorchMonitor``
in the training loop, an ``UmlautTrainerCallback`` in a ``transformers.Trainer``.
"""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_KERAS_READY = False


def keras(seed: int = 0):
    """``import keras`` with one TensorFlow thread, every generator seeded."""
    global _KERAS_READY
    import keras as k

    if not _KERAS_READY:
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # TF already initialised: keep its setting
            pass
        _KERAS_READY = True
    k.utils.set_random_seed(seed)
    return k


def torch(seed: int = 0):
    import torch as t

    t.set_num_threads(1)
    t.manual_seed(seed)
    return t


def callback(model=None, **kwargs):
    """The three lines of the thesis: ``UmlautCallback(model)`` in ``fit``'s callbacks (quiet here)."""
    from mlnb import umlaut

    return umlaut.UmlautCallback(model, echo=False, **kwargs)


def monitor(model, **kwargs):
    from mlnb import umlaut

    return umlaut.TorchMonitor(model, echo=False, **kwargs)


_DIGITS = None


def mnist_like(n: int = 1200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-shaped data offline: scikit-learn's 8x8 digits (1797 images, 0..16) upscaled 3x to
    24x24, padded to 28x28 and scaled to uint8 0..255. Returns (n, 28, 28) uint8 and int labels."""
    global _DIGITS
    if _DIGITS is None:
        from sklearn.datasets import load_digits

        x, y = load_digits(return_X_y=True)
        img = np.kron(x.reshape(-1, 8, 8), np.ones((3, 3)))
        img = np.pad(img, ((0, 0), (2, 2), (2, 2)))
        _DIGITS = np.round(img * 255 / 16).astype("uint8"), y.astype("int64")
    x, y = _DIGITS
    order = np.random.default_rng(seed).permutation(len(x))[:n]
    return x[order], y[order]


def reviews(n: int, length: int = 100, vocab: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """IMDB-like token ids (already vectorized, 0 = padding) and 0/1 sentiment labels: common words
    follow a Zipf law; positive reviews use more of a set of 'positive' words, negative of another."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    ranks = np.arange(3, vocab)
    p = 1.0 / ranks
    p /= p.sum()
    x = rng.choice(ranks, size=(n, length), p=p)
    pos, neg = np.arange(100, 130), np.arange(130, 160)
    for i in range(n):
        k = rng.integers(3, 10)
        where = rng.choice(length, k, replace=False)
        x[i, where] = rng.choice(pos if y[i] else neg, k)
        cut = rng.integers(length // 2, length + 1)  # reviews of different lengths, padded
        x[i, cut:] = 0
    return x.astype("int64"), y.astype("int64")


def series(n: int, length: int = 128, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """FordA-like univariate series (z-normalized per series like the UCR archive) and labels -1/1."""
    rng = np.random.default_rng(seed)
    y = rng.choice([-1, 1], n)
    t = np.linspace(0, 1, length)
    freq = np.where(y > 0, 9.0, 6.0)[:, None] + rng.normal(0, 0.7, (n, 1))
    x = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.3, (n, 1))) + rng.normal(0, 0.8, (n, length))
    x = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)
    return x.astype("float32"), y


def two_class_images(n: int, size: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Cats-vs-dogs-shaped RGB uint8 images made in code: class 1 has a bright ring, class 0 a bar."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    rows, cols = np.mgrid[0:size, 0:size]
    x = rng.normal(100, 30, (n, size, size, 3))
    for i in range(n):
        r, c = rng.integers(8, size - 8, 2)
        if y[i]:
            d = np.hypot(rows - r, cols - c)
            mask = (d > 3) & (d < 6)
        else:
            mask = (np.abs(rows - r) <= 2) & (np.abs(cols - c) <= 7)
        x[i][mask] = rng.uniform(180, 255, 3)
    return np.clip(x, 0, 255).astype("uint8"), y.astype("int64")


def ten_class_images(n: int, size: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10-shaped RGB uint8 images (n, size, size, 3) and labels 0..9 made in code: each class
    is a shape (bar, ring, square, cross, ...) in a class-tinted colour at a random place on a noisy
    background, so that a small CNN learns it in a few epochs."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    rows, cols = np.mgrid[0:size, 0:size]
    tints = rng.uniform(120, 255, (10, 3))
    x = rng.normal(90, 35, (n, size, size, 3))
    for i in range(n):
        r, c = rng.integers(9, size - 9, 2)
        dr, dc, d = np.abs(rows - r), np.abs(cols - c), np.hypot(rows - r, cols - c)
        k = y[i]
        mask = [(dr <= 2) & (dc <= 7), (d > 3) & (d < 6), (dr <= 5) & (dc <= 5), ((dr <= 1) | (dc <= 1)) & (d < 8),
                (dc <= 2) & (dr <= 7), d < 4, (np.abs(dr - dc) <= 1) & (d < 8), (dr <= 1) & (dc <= 8) | (d < 2),
                ((dr == 5) | (dc == 5)) & (dr <= 5) & (dc <= 5), (rows - r > -6) & (rows - r < 6) & (cols - c > -1)
                & (cols - c < 8)][k]
        x[i][mask] = tints[k] + rng.normal(0, 10, 3)
    return np.clip(x, 0, 255).astype("uint8"), y.astype("int64")
