"""The registry of UMLAUT checks and the runner that calls them.

Adding a check = one function here (in the module of its phase) + one catalog entry::

    @check("high-dropout", phase="static")
    def high_dropout(ctx: CheckContext):
        \"\"\"Dropout layers whose rate is above ``dropout_max``.\"\"\"
        for layer in ctx.model.layers:
            if layer.rate is not None and layer.rate > ctx.thresholds.dropout_max:
                yield Issue(f"Dropout rate {layer.rate} in {layer.name}", {"rate": layer.rate},
                            subject=layer.name, location=layer.location)

A check reads a :class:`CheckContext` (framework-neutral summaries built by the adapters) and
yields :class:`Issue` s; the runner turns them into :class:`~mlnb.umlaut.findings.Finding` s with
the catalog's key and severity. Phases: ``static`` (model, loss, optimizer; once before
training), ``data`` (inputs, labels, validation split; once), ``epoch`` (metric trends and probe
statistics; after every epoch). Cheap per-batch work (NaN loss, sampled probes) is done by the
adapters, which hand the results to the ``epoch`` checks. A check that raises becomes an
``internal-check-error`` finding; training goes on.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from mlnb.umlaut.config import Thresholds
from mlnb.umlaut.findings import Finding, severity_of
from mlnb.umlaut.summary import ModelSummary, Probe

PHASES = ("static", "data", "epoch")


@dataclass
class Issue:
    """What a check yields: the specific title, the triggering values, and what it is about."""

    title: str
    context: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    location: Any = None  # default: the training call's location
    severity: str | None = None  # default: the catalog's; a check lowers it when the evidence is weaker


@dataclass
class CheckContext:
    """Everything the checks may read. Unknown things are None; checks skip what they cannot judge."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    input_type: str | None = None  # 'image' | 'text' | 'tabular'
    output_type: str | None = None  # 'classification' | 'regression'
    framework: str = "keras"
    model: ModelSummary | None = None
    # data (numpy samples)
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    shuffled: bool | None = None  # does the training loop shuffle the training data each epoch?
    val_from_split: bool = False  # validation data cut off the end of the training arrays (Keras validation_split)
    # training
    epoch: int = -1
    history: dict[str, list[float]] = field(default_factory=dict)  # metric -> value per epoch
    probes: list[Probe] = field(default_factory=list)
    initial_loss: float | None = None  # loss on the first batch before any update
    nonfinite_loss: dict[str, Any] | None = None  # first non-finite batch loss seen: {"epoch", "batch", "value"}
    inputs_nonfinite: bool | None = None
    weight_change: float | None = None  # largest relative weight change since training began
    # epoch -> loss of the training sample evaluated in inference mode (BatchNorm moving statistics,
    # no dropout), as the validation data are; filled by adapters that can measure it (Keras)
    inference_loss: dict[int, float] = field(default_factory=dict)
    location: Any = None  # the fit call / training loop

    # -- derived facts shared by several checks -------------------------------------------------
    def task(self) -> str | None:
        """'classification' | 'regression' | None: the user's hint, else inferred from the loss/labels."""
        if self.output_type is not None:
            return self.output_type
        from mlnb.umlaut.summary import CE_KINDS, REGRESSION_LOSSES

        loss = self.model.loss if self.model is not None else None
        if loss is not None and loss.kind in CE_KINDS:
            return "classification"
        if loss is not None and loss.kind in REGRESSION_LOSSES:
            return "regression"
        return None

    def labels(self) -> np.ndarray | None:
        """Integer class labels of ``y`` (one-hot decoded), or None when ``y`` is not class labels."""
        return class_labels(self.y)


def class_labels(y: np.ndarray | None) -> np.ndarray | None:
    if y is None or y.size == 0:
        return None
    if y.ndim >= 2 and y.shape[-1] > 1:
        if np.issubdtype(y.dtype, np.number) and np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=-1) == 1):
            return y.reshape(-1, y.shape[-1]).argmax(axis=-1)
        return None
    flat = y.reshape(-1) if y.ndim <= 1 or y.shape[-1] == 1 else None
    if flat is None:
        return None
    if np.issubdtype(flat.dtype, np.integer) or np.issubdtype(flat.dtype, np.bool_):
        return flat.astype(np.int64)
    if np.issubdtype(flat.dtype, np.floating) and np.all(np.isfinite(flat)) and np.all(flat == np.round(flat)) and len(np.unique(flat)) <= 1000:
        return flat.astype(np.int64)
    return None


@dataclass(frozen=True)
class Check:
    key: str
    phase: str
    fn: Callable[[CheckContext], Iterable[Issue] | None]

    @property
    def name(self) -> str:
        return self.fn.__name__


REGISTRY: list[Check] = []


def check(key: str, phase: str) -> Callable:
    """Register ``fn`` as the check that raises ``key`` in ``phase`` (see the module docstring)."""
    if phase not in PHASES:
        raise ValueError(f"phase={phase!r} is not valid; expected one of {', '.join(PHASES)}")

    def register(fn: Callable) -> Callable:
        REGISTRY.append(Check(key, phase, fn))
        return fn

    return register


def run_checks(phase: str, ctx: CheckContext, keys: Iterable[str] | None = None) -> list[Finding]:
    """Run every check of ``phase`` on ``ctx``; a check that raises yields an internal finding."""
    wanted = set(keys) if keys is not None else None
    findings: list[Finding] = []
    for chk in REGISTRY:
        if chk.phase != phase or (wanted is not None and chk.key not in wanted):
            continue
        try:
            for issue in chk.fn(ctx) or ():
                findings.append(
                    Finding(
                        key=chk.key,
                        severity=issue.severity or severity_of(chk.key),
                        title=issue.title,
                        epochs=[ctx.epoch],
                        context=issue.context,
                        location=issue.location if issue.location is not None else ctx.location,
                        subject=issue.subject,
                    )
                )
        except Exception as exc:  # noqa: BLE001 - a broken check must never stop training
            findings.append(internal_error(chk.name, exc, ctx.epoch, ctx.location))
    return findings


def internal_error(where: str, exc: BaseException, epoch: int, location: Any = None) -> Finding:
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return Finding(
        key="internal-check-error",
        severity=severity_of("internal-check-error"),
        title=f"Check {where} failed: {type(exc).__name__}: {exc}"[:200],
        epochs=[epoch],
        context={"check": where, "error": f"{type(exc).__name__}: {exc}", "traceback": "".join(tb[-3:])},
        location=location,
        subject=where,
    )


# Registration happens on import of the phase modules.
from mlnb.umlaut.checks import data, model, training  # noqa: E402,F401

__all__ = ["Check", "CheckContext", "Issue", "REGISTRY", "check", "run_checks", "internal_error", "class_labels"]
