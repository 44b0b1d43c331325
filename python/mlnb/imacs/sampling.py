"""Which images each model is explained on (thesis §4.4 "Data Sampling", §4.5.4)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SAMPLINGS = ("balanced", "all", "false-positives", "confident-disagreement")
OUTCOMES = ("TP", "FP", "TN", "FN")


def outcomes(probs: np.ndarray, labels: np.ndarray, target: int) -> np.ndarray:
    """'TP'/'FP'/'TN'/'FN' per image for the one-vs-rest question "is this the target class?"."""
    pred = probs.argmax(axis=1) == target
    actual = labels == target
    return np.where(pred, np.where(actual, "TP", "FP"), np.where(actual, "FN", "TN"))


@dataclass
class Sample:
    """Indices (into the images) sampled for one model, with notes on cells that ran short."""

    indices: np.ndarray
    notes: list[str] = field(default_factory=list)


def sample(
    probs: np.ndarray,
    other_probs: np.ndarray,
    labels: np.ndarray,
    target: int,
    n: int,
    strategy: str = "balanced",
    rng: np.random.Generator | None = None,
    model_name: str = "A",
    target_name: str | None = None,
) -> Sample:
    """Sample up to ``n`` image indices for one model.

    ``target_name`` is how notes name the target (e.g. "'circle'"; default: the class index).

    - 'balanced': n/4 each of TP, FP, TN, FN; a short cell is noted and the remainder is filled from
      the other cells so the sample keeps its size where the data allows.
    - 'all': n images uniformly at random.
    - 'false-positives': this model's false positives only.
    - 'confident-disagreement': images where the two models' predicted classes differ, most confident
      (largest gap in target probability) first.

    Example::

        s = sample(probs_a, probs_b, labels, target=3, n=100)
        s.indices, s.notes
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    # Notes name the target as the user gave it ('circle', not 0).
    shown = target_name if target_name is not None else str(target)
    n_images = len(labels)
    notes: list[str] = []
    if strategy == "all":
        return Sample(np.sort(rng.choice(n_images, size=min(n, n_images), replace=False)), notes)
    cells = outcomes(probs, labels, target)
    if strategy == "balanced":
        quota = {c: n // 4 + (1 if i < n % 4 else 0) for i, c in enumerate(OUTCOMES)}
        chosen: list[np.ndarray] = []
        left: list[np.ndarray] = []
        for c in OUTCOMES:
            pool = rng.permutation(np.flatnonzero(cells == c))
            if len(pool) < quota[c]:
                notes.append(f"model {model_name}: only {len(pool)} {c} image(s) for target {shown}, "
                             f"wanted {quota[c]}")
            chosen.append(pool[:quota[c]])
            left.append(pool[quota[c]:])
        picked = np.concatenate(chosen)
        short = n - len(picked)
        if short > 0:
            spare = rng.permutation(np.concatenate(left))
            picked = np.concatenate([picked, spare[:short]])
            notes.append(f"model {model_name}: filled {min(short, len(spare))} of {short} missing image(s) "
                         "from the other cells; the confusion matrix is not balanced")
        return Sample(np.sort(picked.astype(int)), notes)
    if strategy == "false-positives":
        pool = np.flatnonzero(cells == "FP")
        if len(pool) < n:
            notes.append(f"model {model_name}: only {len(pool)} false positive(s) for target {shown}, wanted {n}")
        return Sample(np.sort(rng.permutation(pool)[:n]), notes)
    if strategy == "confident-disagreement":
        disagree = np.flatnonzero(probs.argmax(axis=1) != other_probs.argmax(axis=1))
        gap = np.abs(probs[disagree, target] - other_probs[disagree, target])
        pool = disagree[np.argsort(-gap, kind="stable")]
        if len(pool) < n:
            notes.append(f"model {model_name}: only {len(pool)} image(s) where the models disagree, wanted {n}")
        return Sample(np.sort(pool[:n]), notes)
    raise ValueError(f"sampling={strategy!r} is not valid; expected one of {SAMPLINGS}")
