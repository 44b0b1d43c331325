"""Every number a UMLAUT heuristic compares against, configurable per session.

Defaults follow the thesis (§3.5) where it gives a value and the wider literature elsewhere, tuned so
that clean programs raise nothing (the original flagged z-scored inputs, Dropout(0.5), and every
model whose validation accuracy passed 95 %).

Example
-------
>>> t = Thresholds(overfit_patience=4)
>>> t.overfit_patience
4
>>> Thresholds.coerce({"lr_max_adaptive": 0.05}).lr_max_adaptive
0.05
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping


@dataclass(frozen=True)
class Thresholds:
    # -- data ---------------------------------------------------------------------------------
    norm_abs_max: float = 20.0
    """input-not-normalized: largest 99.9th percentile of |value| (z-scoring a rare feature makes a few big values)."""
    norm_mean_max: float = 3.0
    """input-not-normalized: largest |mean| of a normalized input feature."""
    norm_std_max: float = 5.0
    """input-not-normalized: largest standard deviation of a normalized input feature."""
    overlap_max: float = 0.05
    """train-val-overlap: largest fraction of validation rows that may also appear in training."""
    imbalance_ratio: float = 0.1
    """class-imbalance: smallest allowed (rarest class count / commonest class count)."""
    unshuffled_same_label: float = 0.9
    """unshuffled-data: fraction of neighbouring samples with the same label above which the
    data are treated as sorted (shuffled data give about sum(p_k^2))."""
    sample_rows: int = 2048
    """Data checks look at this many rows at most (a sample keeps them cheap)."""
    # -- model --------------------------------------------------------------------------------
    dropout_max: float = 0.5
    """high-dropout: dropout rates above this (strictly) are flagged; 0.5 itself is standard."""
    lr_min: float = 1e-7
    """lr-out-of-range: smallest sensible learning rate (near float32 precision, thesis)."""
    lr_max_adaptive: float = 0.01
    """lr-out-of-range: largest learning rate for adaptive optimizers (Adam, RMSprop, ...; thesis)."""
    lr_max_sgd: float = 1.0
    """lr-out-of-range: largest learning rate for plain SGD (0.1 with momentum is standard)."""
    # -- training trends (epochs) ------------------------------------------------------------
    overfit_patience: int = 3
    """overfitting: consecutive epochs of rising validation loss while training loss falls."""
    overfit_min_rise: float = 0.02
    """overfitting: the validation loss must end this fraction above its best value."""
    val_acc_min_epoch: int = 2
    """suspicious-val-accuracy: first epoch (0-based) at which the check runs (thesis: third)."""
    val_acc_margin: float = 0.1
    """suspicious-val-accuracy: validation accuracy above training accuracy by more than this ..."""
    val_acc_patience: int = 3
    """suspicious-val-accuracy: ... for this many consecutive epochs ..."""
    val_acc_error_ratio: float = 0.5
    """suspicious-val-accuracy: ... with the validation error below this fraction of the training
    error (dropout and within-epoch averaging lower training accuracy a little, not this much)."""
    stall_epochs: int = 3
    """loss-not-decreasing: epochs after which the loss must have improved ..."""
    stall_min_rel: float = 0.01
    """loss-not-decreasing: ... by at least this fraction of the first epoch's loss."""
    diverge_patience: int = 3
    """loss-diverging: consecutive epochs of rising training loss ..."""
    diverge_factor: float = 1.5
    """loss-diverging: ... ending this many times above the best loss (or any loss above
    ``diverge_jump`` × best)."""
    diverge_jump: float = 10.0
    """loss-diverging: a loss this many times the best loss so far is divergence at once."""
    oscillation_window: int = 6
    """loss-oscillating: epochs looked at."""
    oscillation_min_flips: int = 4
    """loss-oscillating: direction changes of the loss within the window."""
    oscillation_rel: float = 0.05
    """loss-oscillating: mean |change| as a fraction of the mean loss."""
    bad_init_factor: float = 3.0
    """bad-initial-loss: initial cross-entropy above this × ln(classes) (chance) is suspicious."""
    # -- activations and gradients (probes on a sample batch) ------------------------------
    probe_every: int = 50
    """PyTorch: batches between two activation/gradient probes in the first epoch (its length is
    unknown yet); later epochs are probed at their first batch (one probe per epoch feeds the checks).
    Keras probes once per epoch."""
    probe_rows: int = 64
    """Rows of the sample batch used by a probe."""
    probe_patience: int = 2
    """Probe-based findings (dead ReLU, saturation, gradients) must hold at this many probes in a row."""
    probe_budget: float = 0.03
    """Keras: after the first ``probe_patience + 1`` epochs (always probed), an epoch is probed only
    while UMLAUT's per-epoch work has taken at most this fraction of the training time, so long
    runs are slowed by about that much at most."""
    dead_fraction: float = 0.7
    """dead-relu: fraction of ReLU units that output zero for every sample of the probe."""
    saturation_fraction: float = 0.6
    """saturated-activation: fraction of sigmoid/tanh outputs within 1 % of their bounds (well-initialised
    layers have almost none)."""
    vanish_ratio: float = 1e-5
    """vanishing-gradient: gradient RMS of the first layer / of the last layer below this ..."""
    vanish_abs: float = 1e-10
    """vanishing-gradient: ... or every layer's gradient RMS below this."""
    explode_norm: float = 1e3
    """exploding-gradient: global gradient norm above this (or non-finite); healthy nets are ~0.1–10."""
    unchanged_rel: float = 1e-8
    """weights-unchanged: largest relative change of any weight after an epoch below this."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"Thresholds.{f.name}={value!r} is not valid; expected a number")
            if f.type == "int" and (not isinstance(value, int) or value < 1):
                raise ValueError(f"Thresholds.{f.name}={value!r} is not valid; expected an integer >= 1")
            if value < 0:
                raise ValueError(f"Thresholds.{f.name}={value!r} is not valid; expected a value >= 0")
        for name in ("dead_fraction", "saturation_fraction", "overlap_max", "imbalance_ratio", "unshuffled_same_label",
                     "probe_budget"):
            if getattr(self, name) > 1:
                raise ValueError(f"Thresholds.{name}={getattr(self, name)!r} is not valid; expected a fraction in [0, 1]")
        if self.lr_min >= min(self.lr_max_adaptive, self.lr_max_sgd):
            raise ValueError(f"Thresholds.lr_min={self.lr_min!r} must be below lr_max_adaptive and lr_max_sgd")

    @classmethod
    def coerce(cls, value: "Thresholds | Mapping[str, Any] | None") -> "Thresholds":
        """A :class:`Thresholds` from ``None`` (defaults), a dict of overrides, or itself."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            names = {f.name for f in fields(cls)}
            unknown = sorted(set(value) - names)
            if unknown:
                raise ValueError(f"thresholds: unknown name(s) {unknown}; expected some of {sorted(names)}")
            return cls(**dict(value))
        raise TypeError(f"thresholds={value!r} is not valid; expected a Thresholds, a dict or None")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
