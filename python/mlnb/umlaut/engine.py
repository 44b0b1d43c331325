"""The framework-neutral driver shared by every adapter: it feeds summaries to the checks and
their findings to the :class:`~mlnb.umlaut.session.Session`."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from mlnb.umlaut.checks import CheckContext, internal_error, run_checks
from mlnb.umlaut.checks.revise import revise
from mlnb.umlaut.findings import Finding
from mlnb.umlaut.session import Session
from mlnb.umlaut.summary import ModelSummary, Probe, as_array, feature_table


class Monitor:
    """Runs static and data checks once, epoch checks after every epoch, and records the findings."""

    def __init__(self, session: Session, framework: str, location: Any = None) -> None:
        self.session = session
        self.ctx = CheckContext(
            thresholds=session.thresholds,
            input_type=session.input_type,
            output_type=session.output_type,
            framework=framework,
            history=session.history,
            location=location,
        )
        self.data_checked = False
        self.static_checked = False

    def _add(self, findings: list[Finding]) -> list[Finding]:
        return self.session.add(findings)

    def guarded(self, where: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call adapter code that gathers facts; if it raises, record an internal finding instead."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - UMLAUT must never stop training
            self._add([internal_error(where, exc, self.ctx.epoch, self.ctx.location)])
            return None

    def static(self, model: ModelSummary | None) -> list[Finding]:
        self.ctx.model = model
        self.static_checked = True
        saved, self.ctx.epoch = self.ctx.epoch, -1
        try:
            return self._add(run_checks("static", self.ctx))
        finally:
            self.ctx.epoch = saved

    def data(self, x: Any, y: Any = None, x_val: Any = None, y_val: Any = None, *,
             shuffled: bool | None = None, val_from_split: bool = False) -> list[Finding]:
        rows = self.ctx.thresholds.sample_rows
        c = self.ctx
        c.x, c.y = feature_table(x, rows), as_array(y, rows)
        c.x_val, c.y_val = feature_table(x_val, rows), as_array(y_val, rows)
        c.shuffled, c.val_from_split = shuffled, val_from_split
        if c.x is not None and np.issubdtype(c.x.dtype, np.floating):
            c.inputs_nonfinite = bool(not np.all(np.isfinite(c.x)))
        self.data_checked = True
        saved, c.epoch = c.epoch, -1
        try:
            return self._add(run_checks("data", c))
        finally:
            c.epoch = saved

    def epoch(self, epoch: int, metrics: Mapping[str, Any], probe: Probe | None = None,
              weight_change: float | None = None) -> list[Finding]:
        c = self.ctx
        c.epoch = epoch
        self.session.log_epoch(epoch, metrics)
        if probe is not None:
            c.probes.append(probe)
            del c.probes[:-20]  # the trend checks look at the last few only
        if weight_change is not None:
            c.weight_change = weight_change
        new = self._add(run_checks("epoch", c))
        self._add(revise(c, self.session.findings))
        self.session.flush()
        return new

    def note_nonfinite(self, epoch: int, batch: int | None, value: float) -> None:
        if self.ctx.nonfinite_loss is None:
            info: dict[str, Any] = {"epoch": epoch, "value": "nan" if math.isnan(value) else str(value)}
            if batch is not None:
                info["batch"] = batch
            self.ctx.nonfinite_loss = info
