"""Epoch checks: metric trends (with persistence) and probe statistics (activations, gradients)."""

from __future__ import annotations

import math

import numpy as np

from mlnb.umlaut.checks import CheckContext, Issue, check, class_labels
from mlnb.umlaut.summary import CE_KINDS, PROBABILITY_ACTIVATIONS, is_finite


def _series(ctx: CheckContext, name: str) -> list[float]:
    return [float(v) if v is not None else math.nan for v in ctx.history.get(name, [])]


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def _nan_cause(ctx: CheckContext) -> tuple[str, dict]:
    """The most likely reason for a non-finite loss, from what else is known."""
    model, t = ctx.model, ctx.thresholds
    if ctx.inputs_nonfinite:
        return "the inputs contain NaN or Inf values", {}
    if model is not None and model.lr is not None:
        from mlnb.umlaut.checks.model import lr_range

        lr_max = lr_range(model.optimizer, t)[1]
        if model.lr > lr_max or model.lr < 0:
            return f"the learning rate {model.lr:g} is out of range, so the updates overflow", {"learning_rate": model.lr}
    probes = [p for p in ctx.probes if p.grad_norm is not None]
    if probes and (not math.isfinite(probes[-1].grad_norm) or probes[-1].grad_norm > t.explode_norm):
        return "the gradients exploded", {"gradient_norm": probes[-1].grad_norm}
    if model is not None and model.loss is not None and model.loss.saturated_finite is False:
        return "the hand-written loss takes the log of a probability that reached 0 (log(0) = -inf)", {}
    if model is not None and model.loss is not None and model.loss.kind in CE_KINDS and model.loss.expects == "probabilities":
        acts = [model.output_activation(o) for o in model.output_layers()]
        if any(a not in PROBABILITY_ACTIVATIONS for a in acts if a is not None):
            return "the loss takes the log of raw (unnormalized) outputs", {"output_activations": acts}
    if ctx.x is not None and np.issubdtype(ctx.x.dtype, np.number) and ctx.x.size and float(np.nanmax(np.abs(ctx.x))) > t.norm_abs_max:
        return "large unnormalized inputs overflow the activations", {"input_max_abs": float(np.nanmax(np.abs(ctx.x)))}
    return ("a numerical overflow: a too-high learning rate, a log or division of zero in a custom loss, "
            "or exploding activations"), {}


@check("nan-loss", phase="epoch")
def nan_loss(ctx: CheckContext):
    """The training loss became NaN or Inf (seen on a batch or in the epoch mean), with the likely cause."""
    loss = _series(ctx, "loss")
    bad_epoch = next((i for i, v in enumerate(loss) if not math.isfinite(v)), None)
    info = ctx.nonfinite_loss
    if info is None and bad_epoch is None:
        return
    if bad_epoch is not None and bad_epoch != ctx.epoch and info is None:
        return  # reported at that epoch already; merging keeps one finding
    cause, extra = _nan_cause(ctx)
    where = info or {"epoch": bad_epoch, "value": loss[bad_epoch]}
    yield Issue(
        f"Loss became {where.get('value')} at epoch {where.get('epoch')}" + (f", batch {where['batch']}" if "batch" in where else ""),
        {**{k: v for k, v in where.items()}, "likely_cause": cause, "inputs_nonfinite": bool(ctx.inputs_nonfinite), **extra},
    )


def _diverging(loss: list[float], t) -> tuple[bool, float, list[float]]:
    if len(loss) < 2 or not math.isfinite(loss[-1]):
        return False, math.nan, []
    best = min(_finite(loss))
    window = loss[-(t.diverge_patience + 1):]
    if best <= 0:
        return False, best, window
    rising = len(window) == t.diverge_patience + 1 and all(b > a for a, b in zip(window, window[1:]))
    return (rising and loss[-1] > t.diverge_factor * best) or loss[-1] > t.diverge_jump * best, best, window


@check("loss-diverging", phase="epoch")
def loss_diverging(ctx: CheckContext):
    """The finite training loss rose for ``diverge_patience`` epochs in a row and ends
    ``diverge_factor`` × above its best, or jumps to ``diverge_jump`` × its best at once."""
    t = ctx.thresholds
    loss = _series(ctx, "loss")
    diverging, best, window = _diverging(loss, t)
    if diverging:
        yield Issue(
            f"Training loss is diverging: {loss[-1]:.4g} at epoch {len(loss) - 1}, best was {best:.4g}",
            {"loss": loss[-1], "best_loss": best, "recent_losses": window, "diverge_factor": t.diverge_factor},
        )


def loss_trouble(ctx: CheckContext) -> str | None:
    """How the training loss shows that training is in trouble (None when it does not): non-finite,
    diverging, or not decreasing after ``stall_epochs`` epochs."""
    t = ctx.thresholds
    loss = _series(ctx, "loss")
    if ctx.nonfinite_loss is not None or any(not math.isfinite(v) for v in loss):
        return "became NaN or Inf"
    if _diverging(loss, t)[0]:
        return "diverges"
    if len(loss) >= t.stall_epochs:
        start = max(ctx.initial_loss, loss[0]) if is_finite(ctx.initial_loss) else loss[0]
        if start > 0 and min(loss) > start * (1 - t.stall_min_rel):
            return f"did not decrease in {len(loss)} epochs"
    return None


def _nonfinite_by_updates(ctx: CheckContext) -> bool:
    """The loss was finite before training and became non-finite in the first epoch, with finite
    inputs and a loss that is numerically safe on its own: only the weight updates can have done it."""
    model, info = ctx.model, ctx.nonfinite_loss
    if model is None or model.loss is None or ctx.inputs_nonfinite or info is None or info.get("epoch") != 0:
        return False
    loss = model.loss
    if loss.saturated_finite is False:
        return False  # log(0) in a hand-written loss: unstable-loss
    if loss.kind in CE_KINDS and loss.expects == "probabilities":
        acts = [model.output_activation(o) for o in model.output_layers()]
        if any(a not in PROBABILITY_ACTIVATIONS for a in acts if a is not None):
            return False  # the log of raw outputs: missing-softmax
    return loss.kind != "other" or loss.saturated_finite is True or _linear_output(model)


def _linear_output(model) -> bool:
    """A single output without activation: a hand-written loss on it gets logits, not probabilities."""
    outs = model.output_layers()
    return len(outs) == 1 and model.output_activation(outs[0]) == "linear"


@check("lr-out-of-range", phase="epoch")
def lr_too_high_for_problem(ctx: CheckContext):
    """The learning rate is inside the optimizer's usual range but too high for this model and data:
    from its very first epoch the training loss never got below the loss before training and it
    diverged or became non-finite within ``diverge_patience + 1`` epochs. Steps that make the loss
    rise from the start are too large (the "learning rate range test" reading); a bug in the data
    shows up differently (the loss starts falling, then breaks)."""
    model, t = ctx.model, ctx.thresholds
    if model is None or model.lr is None or model.lr <= 0 or ctx.epoch > t.diverge_patience + 1:
        return
    from mlnb.umlaut.checks.model import lr_range

    if model.lr > lr_range(model.optimizer, t)[1]:
        return  # reported by the static check
    loss = _series(ctx, "loss")
    if not loss or not is_finite(ctx.initial_loss):
        return
    finite = _finite(loss)
    if not finite:
        # Non-finite from the first epoch although the loss before training was finite: the updates
        # made it so. With finite inputs and a loss that cannot produce NaN by itself (a built-in
        # loss, or a hand-written one that stays finite at saturated probabilities) the steps were too
        # large (a high rate, or a loss summed over the batch, which multiplies the step by the batch size).
        if _nonfinite_by_updates(ctx):
            yield Issue(f"Learning rate {model.lr:g} is too high for this model and data: the loss was "
                        f"{ctx.initial_loss:.4g} before training and non-finite within the first epoch",
                        {"learning_rate": model.lr, "optimizer": model.optimizer, "problem": "high for this problem",
                         "initial_loss": ctx.initial_loss, "losses": loss})
        return
    broke = ctx.nonfinite_loss is not None or len(finite) < len(loss)
    start = ctx.initial_loss
    never_better = all(v >= start * (1 - 1e-3) for v in finite)  # (1e-3: float noise of the same loss)
    rose = max(finite) > 2 * start
    exploded = finite[-1] > t.diverge_jump * start
    if start > 0 and never_better and ((broke and rose) or exploded or _diverging(loss, t)[0]):
        yield Issue(f"Learning rate {model.lr:g} is too high for this model and data: the loss rose from its first "
                    f"value {ctx.initial_loss:.4g} and " + ("became non-finite" if broke else "diverged"),
                    {"learning_rate": model.lr, "optimizer": model.optimizer, "problem": "high for this problem",
                     "initial_loss": ctx.initial_loss, "losses": loss})


@check("lr-out-of-range", phase="epoch")
def lr_too_low_for_problem(ctx: CheckContext):
    """The learning rate is inside the optimizer's usual range but too low for this model and data:
    after ``stall_epochs`` (at least 4) epochs the training loss fell in every single epoch, so the
    steps point downhill, but by less than ``FROZEN_ACC_MAX_FALL`` in all, while the training accuracy
    did not change at all (no prediction flipped). A flat loss (dead units, a constant output, a
    wrong loss) is not this; vanishing or saturated gradients, which also make tiny steps, are
    reported by their own checks instead."""
    model, t = ctx.model, ctx.thresholds
    if model is None or model.lr is None or model.lr <= 0:
        return
    from mlnb.umlaut.checks.model import lr_range

    lo, hi = lr_range(model.optimizer, t)
    if not lo <= model.lr <= hi:
        return  # reported by the static check
    loss = _series(ctx, "loss")
    n = len(loss)
    if n < max(t.stall_epochs, 4) or not all(math.isfinite(v) for v in loss) or loss[0] <= 0:
        return
    start = max(loss[0], ctx.initial_loss) if is_finite(ctx.initial_loss) else loss[0]
    steady = all(b < a - 1e-5 * abs(loss[0]) for a, b in zip(loss, loss[1:]))
    fall = 1 - loss[-1] / start
    acc = _frozen_accuracy(ctx, n)
    if not steady or fall >= FROZEN_ACC_MAX_FALL or acc is None:
        return
    if any(True for _ in vanishing_gradient(ctx)) or any(True for _ in saturated_activation(ctx)):
        return
    yield Issue(f"Learning rate {model.lr:g} is too low for this model and data: the loss fell in every epoch but only "
                f"{fall:.1%} in {n} epochs, and the training accuracy stayed at {acc:.3g}",
                {"learning_rate": model.lr, "optimizer": model.optimizer, "problem": "low for this problem",
                 "losses": loss, "accuracy": acc})


@check("loss-not-decreasing", phase="epoch")
def loss_not_decreasing(ctx: CheckContext):
    """After ``stall_epochs`` epochs the best training loss is not ``stall_min_rel`` below the first
    epoch's loss (measured from the first epoch, so a late plateau of a converged model is fine)."""
    t = ctx.thresholds
    loss = _series(ctx, "loss")
    if len(loss) < t.stall_epochs or not all(math.isfinite(v) for v in loss):
        return
    start = ctx.initial_loss if is_finite(ctx.initial_loss) else loss[0]
    start = max(start, loss[0])
    best = min(loss)
    if _diverging(loss, t)[0]:
        return  # reported as loss-diverging
    if start > 0 and best > start * (1 - t.stall_min_rel):
        yield Issue(
            f"Training loss did not decrease in {len(loss)} epochs ({start:.4g} → best {best:.4g})",
            {"initial_loss": start, "best_loss": best, "epochs": len(loss), "stall_min_rel": t.stall_min_rel},
        )
        return
    # A loss that creeps down while the training accuracy does not move at all is no progress either:
    # the model still predicts the same classes (a constant output, a far too low learning rate).
    acc = _frozen_accuracy(ctx, len(loss))
    if acc is not None and start > 0 and best > start * (1 - FROZEN_ACC_MAX_FALL):
        yield Issue(
            f"No learning in {len(loss)} epochs: training accuracy stuck at {acc:.3g} while the loss fell only "
            f"{1 - best / start:.1%} ({start:.4g} → {best:.4g})",
            {"initial_loss": start, "best_loss": best, "epochs": len(loss), "accuracy": acc,
             "stall_min_rel": t.stall_min_rel},
        )


FROZEN_ACC_MAX_FALL = 0.1  # a loss falling less than this while the accuracy is frozen is no progress


def _frozen_accuracy(ctx: CheckContext, n: int) -> float | None:
    """The training accuracy if it had exactly the same value in each of the ``n`` epochs."""
    for name in ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy"):
        values = _finite(_series(ctx, name))
        if len(values) >= n >= ctx.thresholds.stall_epochs:
            tail = values[-n:]
            return tail[0] if max(tail) - min(tail) < 1e-9 else None
    return None


# The run's fall from its first loss, in units of the window's mean epoch-to-epoch change, above which
# the swings are noise around a converged level (the loss fell from 12 to 0.3 and moves by 0.2).
OSCILLATION_PROGRESS = 10.0


@check("loss-oscillating", phase="epoch")
def loss_oscillating(ctx: CheckContext):
    """The training loss changes direction at least ``oscillation_min_flips`` times in the last
    ``oscillation_window`` epochs with large swings and no net progress."""
    t = ctx.thresholds
    loss = _series(ctx, "loss")[-t.oscillation_window:]
    if len(loss) < t.oscillation_window or not all(math.isfinite(v) for v in loss):
        return
    deltas = np.diff(loss)
    flips = int(np.sum(np.sign(deltas[1:]) * np.sign(deltas[:-1]) < 0))
    swing = float(np.mean(np.abs(deltas)) / max(np.mean(np.abs(loss)), 1e-12))
    net = (loss[0] - loss[-1]) / max(abs(loss[0]), 1e-12)
    val = [v for v in _series(ctx, "val_loss")[-t.oscillation_window:] if math.isfinite(v)]
    if len(val) >= 3 and val[-1] < val[0] and np.mean(np.diff(val) < 0) >= 2 / 3:
        return  # validation loss falls across the window: the training swings are batch noise
    run = _finite(_series(ctx, "loss"))
    start = max(run[0], ctx.initial_loss) if is_finite(ctx.initial_loss) else run[0]
    if start - float(np.mean(loss)) > OSCILLATION_PROGRESS * float(np.mean(np.abs(deltas))):
        return  # the run already fell far below where it started: swings this small are noise at its floor
    if flips >= t.oscillation_min_flips and swing > t.oscillation_rel and net < swing:
        yield Issue(
            f"Training loss oscillates ({flips} direction changes in {len(loss)} epochs)",
            {"recent_losses": loss, "direction_changes": flips, "mean_relative_swing": swing},
        )


@check("overfitting", phase="epoch")
def overfitting(ctx: CheckContext):
    """Validation loss rose for ``overfit_patience`` epochs in a row while training loss fell, and
    ends ``overfit_min_rise`` above its best (the thesis's one-epoch rule, with persistence), unless
    the training data evaluated in inference mode score as badly as the validation data (see
    :func:`_inference_gap`: a BatchNorm train/inference gap, not overfitting)."""
    t = ctx.thresholds
    loss, val = _series(ctx, "loss"), _series(ctx, "val_loss")
    n = t.overfit_patience + 1
    if len(val) < n or len(loss) < n:
        return
    lw, vw = loss[-n:], val[-n:]
    if not all(math.isfinite(v) for v in lw + vw):
        return
    val_rising = all(b > a for a, b in zip(vw, vw[1:]))
    train_falling = lw[-1] < lw[0]
    best = min(_finite(val))
    if val_rising and train_falling and vw[-1] > best * (1 + t.overfit_min_rise):
        gap = _inference_gap(ctx, n)
        if gap is not None:
            return  # the training data score as badly as the validation data in inference mode: no overfitting
        yield Issue(
            f"Possible overfitting: validation loss rose for {t.overfit_patience} epochs while training loss fell",
            {"val_losses": vw, "losses": lw, "best_val_loss": best, "overfit_patience": t.overfit_patience},
        )


def _inference_gap(ctx: CheckContext, n: int) -> float | None:
    """The loss of the training sample evaluated in inference mode if, at the latest epoch of the
    last ``n`` where it was measured, it is at least ``INFERENCE_GAP`` x that epoch's validation loss.

    Overfitting means the model fits its training data far better than new data. A model with
    BatchNorm (or dropout) whose training loss falls while the validation loss rises may instead
    behave differently in inference mode (moving statistics not yet settled): then the training data
    themselves, evaluated like the validation data, score as badly, and there is no generalization gap."""
    val = _series(ctx, "val_loss")
    epochs = [e for e in ctx.inference_loss if len(val) - n <= e < len(val)]
    if not epochs:
        return None
    e = max(epochs)
    loss = ctx.inference_loss[e]
    if math.isfinite(loss) and math.isfinite(val[e]) and val[e] > 0 and loss >= INFERENCE_GAP * val[e]:
        return loss
    return None


INFERENCE_GAP = 0.8  # inference-mode training loss / validation loss above which there is no generalization gap


def _accuracy_names(ctx: CheckContext) -> tuple[str, str] | None:
    for name in ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy"):
        if name in ctx.history and f"val_{name}" in ctx.history:
            return name, f"val_{name}"
    return None


@check("suspicious-val-accuracy", phase="epoch")
def suspicious_val_accuracy(ctx: CheckContext):
    """From epoch ``val_acc_min_epoch`` on, validation accuracy above training accuracy by more than
    ``val_acc_margin`` for ``val_acc_patience`` epochs in a row, with the validation error below
    ``val_acc_error_ratio`` of the training error (leakage or a too-easy split). Training accuracy
    is measured with dropout on and averaged over an improving epoch, so a modest lead of
    validation is normal; the error ratio tells that apart. The thesis's "above 95 %" rule is
    dropped: it flagged every good MNIST model. The training accuracy of each epoch is taken at its
    estimated end (epoch mean + half the epoch's gain): early on, when it climbs fast, the epoch mean
    lags the model that the validation data see."""
    t = ctx.thresholds
    names = _accuracy_names(ctx)
    if names is None:
        return
    acc, val = _series(ctx, names[0]), _series(ctx, names[1])
    n = t.val_acc_patience
    if len(val) < max(n, t.val_acc_min_epoch + 1) or len(acc) < n:
        return
    # The training accuracy is the mean over an epoch in which the model improved: by the epoch's end
    # it is about half that epoch's gain higher. Compare validation with that end-of-epoch estimate.
    ended = [a + max(0.0, a - acc[i - 1]) / 2 if i > 0 and math.isfinite(acc[i - 1]) else a
             for i, a in enumerate(acc)]
    pairs = list(zip(ended[-n:], val[-n:]))
    if all(
        math.isfinite(a) and math.isfinite(v) and v - a > t.val_acc_margin and 1 - v < t.val_acc_error_ratio * (1 - a)
        for a, v in pairs
    ):
        yield Issue(
            f"Validation accuracy {val[-1]:.3f} is above training accuracy {acc[-1]:.3f} for {n} epochs",
            {"accuracy": acc[-n:], "val_accuracy": val[-n:], "val_acc_margin": t.val_acc_margin,
             "val_acc_error_ratio": t.val_acc_error_ratio},
        )


@check("bad-initial-loss", phase="epoch")
def bad_initial_loss(ctx: CheckContext):
    """The cross-entropy before training is far above chance level ln(classes): the initialisation
    or the output scale is off (a probability output should start near uniform)."""
    model = ctx.model
    if ctx.epoch != 0 or not is_finite(ctx.initial_loss) or model is None or model.loss is None:
        return
    if model.loss.kind not in ("categorical_crossentropy", "sparse_categorical_crossentropy", "nll"):
        return
    outs = model.output_layers()
    classes = outs[0].units if len(outs) == 1 else None
    labels = class_labels(ctx.y)
    if (classes is None or classes < 2) and labels is not None:
        classes = int(labels.max()) + 1
    if classes is None or classes < 2:
        return
    chance = math.log(classes)
    if ctx.initial_loss > ctx.thresholds.bad_init_factor * chance:
        yield Issue(
            f"Initial loss {ctx.initial_loss:.3g} is far above chance level {chance:.3g} for {classes} classes",
            {"initial_loss": ctx.initial_loss, "chance_loss": chance, "classes": classes,
             "bad_init_factor": ctx.thresholds.bad_init_factor},
        )


@check("weights-unchanged", phase="epoch")
def weights_unchanged(ctx: CheckContext):
    """After an epoch no trainable weight moved (relative change below ``unchanged_rel``): zero
    learning rate, frozen layers, or gradients that never reach the weights."""
    if ctx.weight_change is None or ctx.epoch < 0:
        return
    if ctx.weight_change < ctx.thresholds.unchanged_rel:
        yield Issue(f"Weights did not change after {ctx.epoch + 1} epoch(s)",
                    {"max_relative_change": ctx.weight_change, "unchanged_rel": ctx.thresholds.unchanged_rel})


def _persistent(ctx: CheckContext, layer: str, attr: str, threshold: float) -> list[float] | None:
    """The last ``probe_patience`` values of ``attr`` for ``layer`` if all exceed ``threshold``."""
    n = ctx.thresholds.probe_patience
    values = [getattr(p.layers.get(layer), attr, None) for p in ctx.probes[-n:]]
    if len(values) < n or any(v is None or v <= threshold for v in values):
        return None
    return values


def _probe_layers(ctx: CheckContext) -> list[str]:
    return list(ctx.probes[-1].layers) if ctx.probes else []


def _layer_location(ctx: CheckContext, name: str):
    layer = ctx.model.layer(name) if ctx.model is not None else None
    return layer.location if layer is not None else None


def _label(ctx: CheckContext, name: str) -> str:
    layer = ctx.model.layer(name) if ctx.model is not None else None
    return layer.label if layer is not None else name


@check("dead-relu", phase="epoch")
def dead_relu(ctx: CheckContext):
    """A ReLU layer in which more than ``dead_fraction`` of the units output zero for every sample
    of the probe batch, at ``probe_patience`` probes in a row (a few dead units are normal)."""
    for name in _probe_layers(ctx):
        values = _persistent(ctx, name, "dead_fraction", ctx.thresholds.dead_fraction)
        if values:
            yield Issue(f"{values[-1]:.0%} of the ReLU units in {_label(ctx, name)} are dead",
                        {"layer": name, "dead_fractions": values, "dead_fraction": ctx.thresholds.dead_fraction},
                        subject=name, location=_layer_location(ctx, name))


@check("saturated-activation", phase="epoch")
def saturated_activation(ctx: CheckContext):
    """A hidden sigmoid/tanh layer whose outputs sit at their bounds (gradient ~0) for more than
    ``saturation_fraction`` of the values, at ``probe_patience`` probes in a row. Output layers
    are not judged: confident probabilities are supposed to be near 0 or 1."""
    outputs = set(ctx.model.outputs) if ctx.model is not None else set()
    for name in _probe_layers(ctx):
        if name in outputs:
            continue
        values = _persistent(ctx, name, "saturated_fraction", ctx.thresholds.saturation_fraction)
        if values:
            yield Issue(f"{values[-1]:.0%} of the activations of {_label(ctx, name)} are saturated",
                        {"layer": name, "saturated_fractions": values}, subject=name,
                        location=_layer_location(ctx, name))


@check("vanishing-gradient", phase="epoch")
def vanishing_gradient(ctx: CheckContext):
    """The gradient reaching the first layers is ``vanish_ratio`` × smaller than at the last layer
    (or every gradient is below ``vanish_abs``), at ``probe_patience`` probes in a row."""
    t = ctx.thresholds
    probes = [p for p in ctx.probes if p.grad_order][-t.probe_patience:]
    if len(probes) < t.probe_patience:
        return
    ratios, all_tiny = [], []
    for p in probes:
        rms = [p.layers[n].grad_rms for n in p.grad_order if n in p.layers and p.layers[n].grad_rms is not None]
        if len(rms) < 2 or not all(math.isfinite(r) for r in rms):
            return
        first, last = rms[0], rms[-1]
        all_tiny.append(max(rms) < t.vanish_abs)
        ratios.append(first / last if last > 0 else math.inf)
    first_name = probes[-1].grad_order[0]
    if all(all_tiny):
        yield Issue("Gradients vanish in every layer", {"max_gradient_rms": "< %g" % t.vanish_abs}, subject="all")
    elif all(r < t.vanish_ratio for r in ratios):
        yield Issue(f"Vanishing gradient: {_label(ctx, first_name)} gets {ratios[-1]:.2g} × the gradient of the last layer",
                    {"first_layer": first_name, "last_layer": probes[-1].grad_order[-1], "ratios": ratios,
                     "vanish_ratio": t.vanish_ratio}, subject=first_name, location=_layer_location(ctx, first_name))


@check("exploding-gradient", phase="epoch")
def exploding_gradient(ctx: CheckContext):
    """The global gradient norm of the probe batch is non-finite or above ``explode_norm``."""
    probes = [p for p in ctx.probes if p.grad_norm is not None]
    if not probes or probes[-1].epoch != ctx.epoch:
        return
    norm = probes[-1].grad_norm
    loss_broken = ctx.nonfinite_loss is not None or (probes[-1].loss is not None and not math.isfinite(probes[-1].loss))
    if (not math.isfinite(norm) and not loss_broken) or (math.isfinite(norm) and norm > ctx.thresholds.explode_norm):
        # A non-finite gradient of a non-finite loss is the nan-loss finding, not a second problem.
        worst = max(  # the layer with the largest gradient
            ((n, s.grad_rms) for n, s in probes[-1].layers.items() if s.grad_rms is not None),
                    key=lambda kv: kv[1] if math.isfinite(kv[1]) else math.inf, default=(None, None))
        yield Issue(f"Exploding gradient: global norm {norm:.3g}",
                    {"gradient_norm": norm, "explode_norm": ctx.thresholds.explode_norm, "largest_layer": worst[0]})
