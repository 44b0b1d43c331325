"""Segment attributions: a cheap pre-ranking of all segments, then exact Shapley values over the top M.

A segment is "absent" when its pixels are replaced by a Gaussian-blurred copy of the image, both in
the pre-ranking baseline and in the Shapley coalitions, so both stages agree on what removal means.
Segments outside the top M stay present in every coalition: the Shapley values measure the top
segments' contributions in the context of the rest of the image.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial
from typing import Any, Callable

import numpy as np

from mlnb.imacs.models import ModelAdapter

PRERANK_METHODS = ("ig", "xrai", "occlusion")


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of an HWC image over its spatial axes (scipy)."""
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(image, sigma=(sigma, sigma, 0), mode="nearest").astype(np.float32)


def segment_sums(pixel_scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Sum of an (H, W) score map inside each segment of a label map."""
    return np.bincount(labels.ravel(), weights=pixel_scores.ravel(), minlength=int(labels.max()) + 1)


def prerank(
    adapter: ModelAdapter,
    images: np.ndarray,
    labels: list[np.ndarray],
    blurred: np.ndarray,
    target: int,
    method: str = "ig",
    n_steps: int = 16,
    on_progress: Callable[[int], Any] | None = None,
) -> list[np.ndarray]:
    """Per-segment pre-ranking scores for the target class, one array per image.

    'ig' sums Captum Integrated Gradients (blurred image as baseline) inside each segment; 'xrai'
    ranks regions by their IG density (sum / area), as XRAI does; 'occlusion' (the gradient-free
    fallback) is the drop in the target probability when a single segment is blurred.
    """
    if method in ("ig", "xrai"):
        import torch
        from captum.attr import IntegratedGradients

        ig = IntegratedGradients(adapter.torch_forward())
        scores = []
        # A few images per call: IG expands each into n_steps inputs, chunked by the adapter's batch size.
        step = max(1, adapter.batch_size // max(n_steps, 1))
        for i in range(0, len(images), step):
            x = torch.from_numpy(np.ascontiguousarray(images[i:i + step], dtype=np.float32))
            b = torch.from_numpy(np.ascontiguousarray(blurred[i:i + step], dtype=np.float32))
            attr = ig.attribute(x, baselines=b, target=int(target), n_steps=n_steps,
                                internal_batch_size=adapter.batch_size)
            pix = attr.detach().sum(dim=-1).numpy()
            for j, lab in enumerate(labels[i:i + step]):
                s = segment_sums(pix[j], lab)
                scores.append(s / np.bincount(lab.ravel()) if method == "xrai" else s)
            if on_progress:
                on_progress(len(x))
        return scores
    if method == "occlusion":
        scores = []
        for img, lab, blr in zip(images, labels, blurred):
            n = int(lab.max()) + 1
            batch = np.repeat(img[None], n + 1, axis=0)
            for k in range(n):
                batch[k + 1][lab == k] = blr[lab == k]
            p = adapter.predict(batch)[:, target]
            scores.append(p[0] - p[1:])
            if on_progress:
                on_progress(1)
        return scores
    raise ValueError(f"prerank={method!r} is not valid; expected one of {PRERANK_METHODS}")


def coalitions(m: int) -> np.ndarray:
    """All 2^m coalitions as a boolean (2^m, m) matrix; row s has player i iff bit i of s is set."""
    s = np.arange(2 ** m)
    return ((s[:, None] >> np.arange(m)[None, :]) & 1).astype(bool)


def shapley_matrix(m: int) -> np.ndarray:
    """W (m, 2^m) with Shapley values = W @ v for v the value of every coalition (in :func:`coalitions` order).

    φ_i = Σ_{S ∌ i} |S|!(m-|S|-1)!/m! · (v(S ∪ {i}) − v(S)), so coalition T gets weight
    +w(|T|-1) for each i in T and −w(|T|) for each i not in T.
    """
    masks = coalitions(m)
    size = masks.sum(axis=1)
    w = np.array([factorial(k) * factorial(m - k - 1) / factorial(m) for k in range(m)] + [0.0])
    plus = w[np.maximum(size - 1, 0)][None, :]
    minus = w[size][None, :]
    return np.where(masks.T, plus, -minus)


@dataclass
class ShapleyResult:
    """Exact Shapley values of the top segments of one image for several classes."""

    segments: np.ndarray      # (M,) segment ids, best pre-ranked first
    classes: np.ndarray       # (k,) class ids the values are for
    values: np.ndarray        # (M, k) Shapley values (change in probability)
    full: np.ndarray          # (k,) f(all top segments present) = f(image)
    empty: np.ndarray         # (k,) f(all top segments blurred)


def shapley_batch(
    adapter: ModelAdapter,
    images: np.ndarray,
    labels: list[np.ndarray],
    blurred: np.ndarray,
    top_segments: list[np.ndarray],
    classes: list[np.ndarray],
    on_progress: Callable[[int], Any] | None = None,
) -> list[ShapleyResult]:
    """Exact Shapley values over each image's top segments, for each image's classes.

    All 2^M coalitions of an image go through the model in one batch (chunked by the adapter's
    batch size), and every class's values come from those same outputs.
    """
    results = []
    m_max = max((len(t) for t in top_segments), default=0)
    # Images per predict call: enough to amortise call overhead for small models, while the
    # coalition images of one call stay under ~256 MB.
    composites = min(1024, 2 ** 26 // max(int(np.prod(images.shape[1:])), 1))
    per_call = max(1, composites // 2 ** max(m_max, 1))
    for start in range(0, len(images), per_call):
        chunk = range(start, min(start + per_call, len(images)))
        batches, sizes = [], []
        for i in chunk:
            masks = coalitions(len(top_segments[i]))
            seg_pixels = np.stack([labels[i] == s for s in top_segments[i]])  # (M, H, W)
            # Pixels of segments outside the coalition come from the blurred image.
            absent = np.einsum("cm,mhw->chw", (~masks).astype(np.uint8), seg_pixels.astype(np.uint8)) > 0
            batches.append(np.where(absent[..., None], blurred[i][None], images[i][None]).astype(np.float32))
            sizes.append(len(masks))
        probs = adapter.predict(np.concatenate(batches))
        offset = 0
        for i, n in zip(chunk, sizes):
            v = probs[offset:offset + n][:, classes[i]]  # (2^M, k)
            offset += n
            w = shapley_matrix(len(top_segments[i]))
            results.append(ShapleyResult(np.asarray(top_segments[i]), np.asarray(classes[i]), w @ v, v[-1], v[0]))
        if on_progress:
            on_progress(len(chunk))
    return results
