"""Revising earlier findings when later epochs bring evidence for or against them.

A check judges what it sees at one moment; training goes on. After every epoch :func:`revise`
looks at the findings so far together with the run's history and returns changed copies:

- a finding raised as a *warning* because its harm was unproven (unnormalized inputs of a
  regression) becomes an *error* once the loss shows the harm (it stalls, diverges or goes NaN);
- a trend finding that later epochs contradict is *withdrawn*: a loss "not decreasing" after a
  slow start that then falls, a loss "oscillating" that now falls steadily (or whose validation
  loss falls every epoch: the swings were batch noise), "overfitting" whose validation loss is back
  at its best. A withdrawn finding keeps its history, drops to a warning, says so in its title and
  carries ``context['withdrawn']`` (the reason); if the trend returns, the check raises it again.

The session merges the copies into its findings (and the store), so the change is visible where the
finding is shown.
"""

from __future__ import annotations

import copy
import math
from typing import Iterable

from mlnb.umlaut.checks import CheckContext
from mlnb.umlaut.findings import Finding

# Findings that show the training loss is in trouble.
LOSS_TROUBLE = ("nan-loss", "loss-not-decreasing", "loss-diverging")


def revise(ctx: CheckContext, findings: Iterable[Finding]) -> list[Finding]:
    """Changed copies of ``findings`` given the evidence in ``ctx`` (empty when nothing changes)."""
    findings = list(findings)
    trouble = sorted({f.key for f in findings if f.key in LOSS_TROUBLE and not f.withdrawn})
    changed = []
    for f in findings:
        if f.key == "input-not-normalized" and f.severity == "warning" and trouble:
            g = copy.copy(f)
            g.severity = "error"
            g.context = {**f.context, "raised_to_error_by": trouble, "raised_at_epoch": ctx.epoch}
            changed.append(g)
        elif f.key in CONTRADICTED and not f.withdrawn and ctx.epoch > max(f.epochs, default=-1):
            reason = CONTRADICTED[f.key](ctx)
            if reason:
                g = copy.copy(f)
                g.severity = "warning"
                g.title = f"Withdrawn at epoch {ctx.epoch}: {f.title}"
                g.context = {**f.context, "withdrawn": reason, "withdrawn_at_epoch": ctx.epoch,
                             "severity_before": f.severity}
                changed.append(g)
    return changed


def _series(ctx: CheckContext, name: str) -> list[float]:
    return [float(v) for v in ctx.history.get(name, []) if v is not None and math.isfinite(float(v))]


def _loss_fell(ctx: CheckContext) -> str | None:
    loss = _series(ctx, "loss")
    if len(loss) < 2:
        return None
    start = max(loss[0], ctx.initial_loss) if ctx.initial_loss is not None and math.isfinite(ctx.initial_loss) else loss[0]
    needed = 5 * ctx.thresholds.stall_min_rel  # clearly more than the check's own margin
    if start > 0 and min(loss) < start * (1 - needed):
        return f"the training loss fell to {min(loss):.4g} from {start:.4g}"
    return None


def _falls_steadily(values: list[float], n: int = 3) -> bool:
    tail = values[-(n + 1):]
    return len(tail) == n + 1 and all(b < a for a, b in zip(tail, tail[1:]))


def _settled(ctx: CheckContext) -> str | None:
    if _falls_steadily(_series(ctx, "loss")):
        return "the training loss fell in each of the last 3 epochs"
    if _falls_steadily(_series(ctx, "val_loss")):
        return "the validation loss fell in each of the last 3 epochs: the swings were batch noise"
    return None


def _val_recovered(ctx: CheckContext) -> str | None:
    val = _series(ctx, "val_loss")
    if len(val) >= 2 and val[-1] <= min(val[:-1]) * (1 + ctx.thresholds.overfit_min_rise / 2):
        return f"the validation loss is back at its best ({val[-1]:.4g})"
    return None


CONTRADICTED = {"loss-not-decreasing": _loss_fell, "loss-oscillating": _settled, "overfitting": _val_recovered}
