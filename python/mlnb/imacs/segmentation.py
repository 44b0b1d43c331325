"""Split images into segments: an n×n grid (the thesis's default) or SLIC superpixels."""

from __future__ import annotations

import numpy as np


def grid_segments(image: np.ndarray, n: int = 4) -> np.ndarray:
    """Label map (H, W) of an n×n grid, labels 0..n²-1 in row-major order.

    Example::

        labels = grid_segments(np.zeros((32, 32, 3)), n=4)   # labels[0, 0] == 0, labels[31, 31] == 15
    """
    h, w = image.shape[:2]
    rows = np.minimum(np.arange(h) * n // h, n - 1)
    cols = np.minimum(np.arange(w) * n // w, n - 1)
    return (rows[:, None] * n + cols[None, :]).astype(np.int32)


def slic_segments(image: np.ndarray, n_segments: int = 16, compactness: float = 10.0) -> np.ndarray:
    """Label map (H, W) of SLIC superpixels (scikit-image), labels 0..k-1 (k close to n_segments)."""
    from skimage.segmentation import slic

    channel_axis = -1 if image.ndim == 3 and image.shape[-1] > 1 else None
    img = image[..., 0] if channel_axis is None and image.ndim == 3 else image
    labels = slic(img, n_segments=n_segments, compactness=compactness, start_label=0,
                  channel_axis=channel_axis)
    # Relabel to 0..k-1 without gaps (slic may skip labels).
    _, labels = np.unique(labels, return_inverse=True)
    return labels.reshape(image.shape[:2]).astype(np.int32)


def segment(image: np.ndarray, method: str = "grid", grid_size: int = 4, n_segments: int = 16) -> np.ndarray:
    """Label map of one HWC image by ``method`` ('grid' or 'slic')."""
    if method == "grid":
        return grid_segments(image, grid_size)
    if method == "slic":
        return slic_segments(image, n_segments)
    raise ValueError(f"segmentation={method!r} is not valid; expected 'grid' or 'slic'")


def bboxes(labels: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding box (y0, x0, y1, x1), end-exclusive, of each label 0..max in a label map."""
    out = []
    for k in range(int(labels.max()) + 1):
        ys, xs = np.nonzero(labels == k)
        out.append((int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1))
    return out
