"""Data checks: inputs, labels and the train/validation split (run once, on arrays or first batches)."""

from __future__ import annotations

import numpy as np

from mlnb.umlaut.checks import CheckContext, Issue, check, class_labels

CHANNEL_SIZES = (1, 3, 4)


def _is_text(ctx: CheckContext) -> bool:
    """Token ids are not features to normalize: the user says text, or integer input feeds an Embedding.
    A multi-input model's inputs arrive as one table (token ids next to 0/1 tags, as float): if
    every value is a whole number and the model embeds its inputs, the table is ids, not measurements."""
    if ctx.input_type == "text":
        return True
    x = ctx.x
    first = ctx.model.layers[0] if ctx.model is not None and ctx.model.layers else None
    integer = x is not None and np.issubdtype(x.dtype, np.integer)
    embeds = ctx.model is not None and any(layer.kind == "embedding" for layer in ctx.model.layers[:3])
    if integer and (embeds or (first is not None and first.kind == "embedding")):
        return True
    if x is not None and x.ndim == 2 and ctx.model is not None and np.issubdtype(x.dtype, np.floating) \
            and any(layer.kind == "embedding" for layer in ctx.model.layers):
        finite = x[np.isfinite(x)]
        return bool(finite.size and np.all(finite == np.round(finite)))
    return False


def normalization_problem(ctx: CheckContext) -> tuple[str, dict] | None:
    """(title, context) when the inputs are far from a common small scale, else None (shared by the
    data check and its regression variant, which waits for evidence from the loss)."""
    x, t = ctx.x, ctx.thresholds
    if x is None or not np.issubdtype(x.dtype, np.number) or x.size == 0 or _is_text(ctx):
        return None
    if ctx.model is not None and any(layer.kind == "preprocess" for layer in ctx.model.layers[:4]):
        return None  # the model rescales/normalizes its inputs itself (Rescaling, Normalization)
    finite = x[np.isfinite(x)] if np.issubdtype(x.dtype, np.floating) else x
    if finite.size == 0:
        return None
    image = ctx.input_type == "image" or x.ndim >= 3
    mean, std = _feature_stats(np.where(np.isfinite(x), x, 0) if np.issubdtype(x.dtype, np.floating) else x, image)
    lo, hi = float(finite.min()), float(finite.max())
    worst_mean, worst_std = float(np.abs(mean).max()), float(std.max())
    # A robust bound: z-scoring a nearly constant feature makes a few large values, which is fine.
    high = float(np.quantile(np.abs(finite.astype(np.float64)), 0.999))
    reasons = []
    if high > t.norm_abs_max:
        reasons.append(f"values reach {high:g}")
    if worst_mean > t.norm_mean_max:
        reasons.append(f"a feature mean is {worst_mean:.3g}")
    if worst_std > t.norm_std_max:
        reasons.append(f"a feature std is {worst_std:.3g}")
    if not reasons:
        return None
    return f"Input data not normalized (range {lo:g} to {hi:g})", {
        "min": lo, "max": hi, "max_abs_mean": worst_mean, "max_std": worst_std, "dtype": str(x.dtype),
        "reasons": reasons, "norm_abs_max": t.norm_abs_max, "norm_mean_max": t.norm_mean_max,
        "norm_std_max": t.norm_std_max}


def _feature_stats(x: np.ndarray, image: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and std; images share statistics per channel, so they are pooled."""
    x = x.astype(np.float64, copy=False)
    if image or x.ndim > 2:
        return np.array([x.mean()]), np.array([x.std()])
    x2 = x.reshape(len(x), -1)
    return x2.mean(axis=0), x2.std(axis=0)


@check("input-not-normalized", phase="data")
def input_not_normalized(ctx: CheckContext):
    """Inputs far from a common small scale: |values| above ``norm_abs_max`` (99.9th percentile), a feature mean
    above ``norm_mean_max`` or a feature std above ``norm_std_max``. z-scored and [0, 1] / [-1, 1]
    data pass (the thesis's fixed [-1, 1] rule called z-scores "not normalized"). Classification on
    raw pixels or features is the classic bug: an error at once. A regression on unscaled features
    (polynomial terms, raw units) often converges anyway (the official PyTorch regression example
    does): it is judged by :func:`input_not_normalized_regression` once the loss shows harm."""
    if ctx.task() == "regression":
        return
    problem = normalization_problem(ctx)
    if problem is not None:
        yield Issue(*problem)


@check("input-not-normalized", phase="epoch")
def input_not_normalized_regression(ctx: CheckContext):
    """Regression on unnormalized inputs, reported when the training loss shows the harm: it became
    non-finite, diverges, or did not decrease in ``stall_epochs`` epochs."""
    if ctx.task() != "regression" or ctx.epoch < 0:
        return
    from mlnb.umlaut.checks.training import loss_trouble

    trouble = loss_trouble(ctx)
    if trouble is None:
        return
    problem = normalization_problem(ctx)
    if problem is not None:
        title, context = problem
        yield Issue(f"{title}, and the loss {trouble}", {**context, "loss_trouble": trouble})


@check("nonfinite-input", phase="data")
def nonfinite_input(ctx: CheckContext):
    """The sampled training (or validation) inputs contain NaN or Inf values. The loss may stay
    finite for a while (the rows were not reached yet, a mask or a NaN-ignoring metric hides them),
    but every update computed from such a row is NaN."""
    found = []
    for name, x in (("training", ctx.x), ("validation", ctx.x_val)):
        if x is not None and x.size and np.issubdtype(x.dtype, np.floating):
            bad = ~np.isfinite(x.reshape(len(x), -1))
            if bad.any():
                found.append((name, int(bad.any(axis=1).sum()), int(len(x)), int(np.isnan(x).sum()), int(np.isinf(x).sum())))
    if found:
        name, rows, total, nans, infs = found[0]
        yield Issue(f"{rows} of {total} sampled {name} rows contain NaN or Inf",
                    {"data": [f[0] for f in found], "rows_with_nonfinite": rows, "rows_sampled": total,
                     "nan_values": nans, "inf_values": infs})


BOUNDED_OUTPUTS = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0),
                   "softsign": (-1.0, 1.0), "relu": (0.0, np.inf), "softplus": (0.0, np.inf)}


@check("wrong-loss-for-task", phase="data")
def bounded_output_for_targets(ctx: CheckContext):
    """A regression whose output activation cannot reach the targets: a sigmoid/tanh output (range
    (0, 1) / (-1, 1)) for targets outside that range, or a ReLU output for negative targets, in more
    than 5 % of the sampled rows. The model can only approach the bound: the loss stays high."""
    model, y = ctx.model, ctx.y
    if model is None or model.loss is None or y is None or y.size == 0 or not np.issubdtype(y.dtype, np.number):
        return
    from mlnb.umlaut.summary import REGRESSION_LOSSES

    if model.loss.kind not in REGRESSION_LOSSES and ctx.output_type != "regression":
        return
    outs = model.output_layers()
    if len(outs) != 1:
        return
    act = model.output_activation(outs[0])
    if act not in BOUNDED_OUTPUTS or (act == "softmax" and model.output_units(outs[0]) == 1):
        return  # a one-unit softmax is reported by missing-softmax
    lo, hi = BOUNDED_OUTPUTS[act]
    values = y.astype(np.float64).reshape(-1)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return
    outside = float(np.mean((values < lo - 1e-6) | (values > hi + 1e-6)))
    if outside > 0.05:
        yield Issue(f"{act} output of {outs[0].label} ranges over [{lo:g}, {hi:g}] but {outside:.0%} of the "
                    f"targets ({float(values.min()):g}..{float(values.max()):g}) lie outside it",
                    {"output_layer": outs[0].name, "output_activation": act, "output_range": [lo, hi],
                     "target_min": float(values.min()), "target_max": float(values.max()),
                     "fraction_outside": outside, "loss": model.loss.name},
                    subject=f"output-range:{outs[0].name}", location=outs[0].location)


@check("image-shape", phase="data")
def image_shape(ctx: CheckContext):
    """Image batches whose channel axis is on the wrong side for the framework (Keras expects
    NHWC, PyTorch NCHW), or image inputs without a channel axis for a conv model. Non-square images are fine."""
    x = ctx.x
    if x is None:
        return
    has_conv = ctx.model is not None and any(l.kind == "conv" for l in ctx.model.layers)
    if ctx.input_type != "image" and not (has_conv and x.ndim == 4):
        return
    if x.ndim == 4:
        first, last = x.shape[1], x.shape[-1]
        if ctx.framework == "torch":
            wrong = first not in CHANNEL_SIZES and last in CHANNEL_SIZES
            expected, got = "NCHW (batch, channels, height, width)", "NHWC"
        else:
            wrong = last not in CHANNEL_SIZES and first in CHANNEL_SIZES
            expected, got = "NHWC (batch, height, width, channels)", "NCHW"
        if wrong:
            yield Issue(
                f"Image batch of shape {tuple(x.shape)} looks {got}; {ctx.framework} expects {expected}",
                {"shape": list(x.shape), "expected_layout": expected.split()[0], "framework": ctx.framework},
            )
    elif ctx.input_type == "image" and x.ndim not in (2, 3) and has_conv:
        yield Issue(f"Image input of shape {tuple(x.shape)} has no channel axis",
                    {"shape": list(x.shape), "expected_ndim": 4})
    elif ctx.input_type == "image" and x.ndim == 3 and has_conv and ctx.framework == "keras":
        if any(l.type_name in ("Conv2D", "SeparableConv2D", "DepthwiseConv2D") for l in ctx.model.layers):
            yield Issue(f"Image input of shape {tuple(x.shape)} has no channel axis for Conv2D",
                        {"shape": list(x.shape), "expected_ndim": 4})


@check("constant-input", phase="data")
def constant_input(ctx: CheckContext):
    """Every sample is identical (all features constant): the model cannot learn anything from x."""
    x = ctx.x
    if x is None or len(x) < 2 or not np.issubdtype(x.dtype, np.number):
        return
    flat = x.reshape(len(x), -1)
    if np.all(flat == flat[0]):
        yield Issue(f"All {len(x)} sampled inputs are identical", {"rows": int(len(x)), "value": float(flat.flat[0])})


def _row_hashes(x: np.ndarray) -> set[int]:
    flat = np.ascontiguousarray(x.reshape(len(x), -1))
    return {hash(row.tobytes()) for row in flat}


@check("train-val-overlap", phase="data")
def train_val_overlap(ctx: CheckContext):
    """Validation rows that also occur (exactly) in the training rows: leakage inflates validation metrics."""
    if ctx.x is None or ctx.x_val is None or len(ctx.x_val) == 0:
        return
    if ctx.x.shape[1:] != ctx.x_val.shape[1:]:
        return
    train = _row_hashes(ctx.x)
    val = np.ascontiguousarray(ctx.x_val.reshape(len(ctx.x_val), -1))
    if np.all(val == val[0]):
        return  # constant data: reported by constant-input, not as leakage
    shared = sum(hash(row.tobytes()) in train for row in val)
    fraction = shared / len(val)
    if fraction > ctx.thresholds.overlap_max:
        # In a small discrete input space (boards, short codes, few binary features) the training
        # rows repeat among themselves as much: the overlap is inherent, not a leak. A warning.
        repeats = 1 - len(train) / len(ctx.x)
        inherent = repeats >= fraction / 2
        yield Issue(
            f"{fraction:.0%} of validation samples also appear in the training data"
            + (f" (training rows repeat among themselves too: {repeats:.0%})" if inherent else ""),
            {"shared": int(shared), "validation_rows": int(len(val)), "train_rows_compared": int(len(ctx.x)),
             "fraction": fraction, "overlap_max": ctx.thresholds.overlap_max, "train_repeats": repeats},
            severity="warning" if inherent else None,
        )


@check("unshuffled-data", phase="data")
def unshuffled_data(ctx: CheckContext):
    """Training labels sorted by class where order matters: the loop does not shuffle (tf.data
    without shuffle, DataLoader(shuffle=False)), or Keras's validation_split takes the last rows."""
    labels = class_labels(ctx.y)
    if labels is None or len(labels) < 20 or ctx.task() == "regression":
        return
    if ctx.shuffled and not ctx.val_from_split:
        return  # Keras shuffles NumPy training data each epoch; order does not matter
    counts = np.bincount(labels - labels.min())
    p = counts[counts > 0] / len(labels)
    outs = ctx.model.output_layers() if ctx.model is not None else []
    units = outs[0].units if len(outs) == 1 and outs[0].units else 0
    if len(p) == 1 and units > 1 and len(labels) >= 100 and ctx.shuffled is not True:
        yield Issue(f"The first {len(labels)} training samples all have label {int(labels[0])}",
                    {"rows": int(len(labels)), "label": int(labels[0]), "output_units": int(units)})
        return
    if len(p) < 2:
        return
    val = class_labels(ctx.y_val) if ctx.val_from_split and ctx.y_val is not None else None
    if val is not None and len(val) >= 10 and len(np.unique(val)) == 1:
        # validation_split takes the last rows: on data sorted by label the validation set is one
        # class, so every validation metric measures that class only. Training is misjudged: an error.
        yield Issue(f"validation_split took the last rows: every validation label is {int(val[0])}",
                    {"validation_split": True, "validation_classes": [int(val[0])], "training_classes": int(len(p)),
                     "validation_rows": int(len(val))}, severity="error")
        return
    same = float(np.mean(labels[1:] == labels[:-1]))
    expected = float(np.sum(p**2))
    if same >= ctx.thresholds.unshuffled_same_label and expected < 0.75:
        context = {"same_label_neighbours": same, "expected_if_shuffled": expected, "classes": int(len(p))}
        if ctx.val_from_split:
            context["validation_split"] = True
            if ctx.y_val is not None and (val := class_labels(ctx.y_val)) is not None:
                context["validation_classes"] = sorted(int(c) for c in np.unique(val))
        yield Issue(f"Training data sorted by label ({same:.0%} of neighbours share a label)", context)


@check("class-imbalance", phase="data")
def class_imbalance(ctx: CheckContext):
    """The rarest class has fewer than ``imbalance_ratio`` × the samples of the commonest class."""
    if ctx.task() == "regression":
        return
    labels = class_labels(ctx.y)
    if labels is None or len(labels) < 20:
        return
    values, counts = np.unique(labels, return_counts=True)
    outs = ctx.model.output_layers() if ctx.model is not None else []
    units = outs[0].units if len(outs) == 1 and outs[0].units else 0
    if len(values) == 1 and len(labels) >= 100 and (units > 1 or ctx.task() == "classification") and ctx.shuffled:
        # Every sampled label is one class (and the data are shuffled, so not a sorted prefix): the
        # model can only learn to output that class. Training is broken: an error.
        yield Issue(f"All {len(labels)} sampled labels are class {int(values[0])}",
                    {"counts": {int(values[0]): int(counts[0])}, "output_units": int(units) or None},
                    severity="error")
        return
    if len(values) < 2 or len(values) > 1000:
        return
    ratio = counts.min() / counts.max()
    if ratio < ctx.thresholds.imbalance_ratio:
        yield Issue(
            f"Class {values[counts.argmin()]} has {counts.min()} samples, class {values[counts.argmax()]} has {counts.max()}",
            {"counts": {int(v): int(c) for v, c in zip(values, counts)}, "ratio": float(ratio),
             "imbalance_ratio": ctx.thresholds.imbalance_ratio},
        )


@check("label-encoding-mismatch", phase="data")
def label_encoding_mismatch(ctx: CheckContext):
    """Labels encoded differently from what the loss expects: integer labels for
    categorical cross-entropy, one-hot labels for sparse categorical cross-entropy, or class ids
    beyond the number of output units."""
    model, y = ctx.model, ctx.y
    if model is None or model.loss is None or y is None or y.size == 0:
        return
    kind = model.loss.kind
    outs = model.output_layers()
    units = outs[0].units if len(outs) == 1 else None
    one_hot = y.ndim >= 2 and y.shape[-1] > 1
    labels = class_labels(y)
    context = {"loss": model.loss.name, "label_shape": list(y.shape), "label_dtype": str(y.dtype), "output_units": units}
    flat = y.reshape(-1) if not one_hot else None
    if kind in ("sparse_categorical_crossentropy", "nll") and flat is not None and labels is None \
            and np.issubdtype(flat.dtype, np.floating) and np.all(np.isfinite(flat)):
        # e.g. y / 255 or a regression target given to a classification loss: not class ids
        yield Issue(f"Labels are not class ids: {model.loss.name} gets values {float(flat.min()):g}..{float(flat.max()):g}",
                    {**context, "label_min": float(flat.min()), "label_max": float(flat.max()),
                     "expected": "integer class ids"})
        return
    if kind == "categorical_crossentropy" and not one_hot and labels is not None and (units or 0) > 1:
        yield Issue(f"Integer labels with {model.loss.name}, which expects one-hot labels", {**context, "expected": "one-hot"})
    elif kind == "sparse_categorical_crossentropy" and one_hot and labels is not None:
        yield Issue(f"One-hot labels with {model.loss.name}, which expects integer class ids", {**context, "expected": "integer ids"})
    elif kind in ("sparse_categorical_crossentropy", "nll") and labels is not None and units and units > 1:
        if labels.max() >= units or labels.min() < 0:
            yield Issue(f"Class ids {int(labels.min())}..{int(labels.max())} do not fit {units} output units",
                        {**context, "label_min": int(labels.min()), "label_max": int(labels.max())})
    elif kind == "binary_crossentropy" and labels is not None and units == 1 and (labels.max() > 1 or labels.min() < 0):
        yield Issue(f"Binary cross-entropy with labels {int(labels.min())}..{int(labels.max())} (expects 0/1)",
                    {**context, "label_min": int(labels.min()), "label_max": int(labels.max())})
