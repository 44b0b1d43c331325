"""Static checks: model structure, loss and optimizer (run once, before training)."""

from __future__ import annotations

from mlnb.umlaut.checks import CheckContext, Issue, check
from mlnb.umlaut.summary import CE_KINDS, LINEAR_KINDS, PROBABILITY_ACTIVATIONS, REGRESSION_LOSSES

ADAPTIVE_OPTIMIZERS = ("adam", "adamw", "adamax", "nadam", "rmsprop", "adagrad", "adadelta", "adafactor", "lion", "ftrl",
                       "lamb", "radam", "sparseadam", "lbfgs", "rprop", "asgd")
# How far each optimizer's usual learning rates sit from Adam's (1e-3 default, ``lr_max_adaptive``
# above): Adadelta is run at 1.0 (its paper, the PyTorch MNIST example), Adagrad at 0.01-0.1,
# Rprop at 0.01, L-BFGS at 1. SGD and its relatives use ``lr_max_sgd``.
LR_SCALE = {"adadelta": 1000.0, "adagrad": 10.0, "rprop": 10.0, "lbfgs": 1000.0, "adafactor": 10.0, "asgd": 100.0}
SGD_LIKE = ("sgd", "sgdw", "momentum", "nesterov", "lars")
LR_ERROR_FACTOR = 10.0  # a learning rate this many times above the range is an error, closer a warning


def lr_range(optimizer: str | None, t) -> tuple[float, float]:
    """(smallest, largest) sensible learning rate for ``optimizer`` (a class name) under ``t``."""
    opt = (optimizer or "").lower()
    if opt in SGD_LIKE or (opt not in ADAPTIVE_OPTIMIZERS and opt not in LR_SCALE and opt):
        return t.lr_min, t.lr_max_sgd
    if not opt:
        return t.lr_min, t.lr_max_adaptive
    return t.lr_min, t.lr_max_adaptive * LR_SCALE.get(opt, 1.0)


# f(f(x)) == f(x) for these, and relu leaves the outputs of the non-negative ones unchanged.
IDEMPOTENT = ("relu", "relu6", "hardtanh")
SQUASHING = ("tanh", "sigmoid", "softsign", "hard_sigmoid", "hardsigmoid", "hardtanh")
# Activations that cut off part of the real line: on logits they destroy the scores a softmax needs.
CLIPPING_ACTIVATIONS = ("relu", "relu6", "elu", "selu", "softplus", "exponential")
NONNEGATIVE_ACTIVATIONS = ("relu", "relu6", "sigmoid", "softmax", "softplus", "hard_sigmoid", "hardsigmoid", "exponential")


@check("missing-activation", phase="static")
def missing_activation(ctx: CheckContext):
    """Two linear layers (Dense/Linear/Conv) in a row with no non-linearity between them collapse
    into one linear map. Needs the real dataflow (``graph_known``); dropout/flatten in between
    keep the composition linear, so they are looked through."""
    model = ctx.model
    if model is None or not model.graph_known:
        return
    for layer in model.layers:
        if layer.kind not in LINEAR_KINDS:
            continue
        before = model.through_pass_layers(model.producer(layer))
        if before is None or before.kind not in LINEAR_KINDS or before.is_nonlinear:
            continue
        yield Issue(
            f"Missing activation after {before.label}",
            {"layer": before.name, "layer_type": before.type_name, "activation": before.activation or "linear",
             "next_layer": layer.name, "next_layer_type": layer.type_name},
            subject=before.name,
            location=before.location,
        )


@check("double-activation", phase="static")
def double_activation(ctx: CheckContext):
    """An activation applied to the output of another activation (e.g. Dense(softmax) followed by
    Activation('softmax')), or a probability output fed to a loss that applies its own
    softmax/sigmoid (``from_logits=True``, PyTorch ``CrossEntropyLoss``/``BCEWithLogitsLoss``)."""
    model = ctx.model
    if model is None:
        return
    if model.graph_known:
        for layer in model.layers:
            if layer.kind != "activation":
                continue
            before = model.through_pass_layers(model.producer(layer))
            if before is None or not before.is_nonlinear or before.kind in ("norm",):
                continue
            if (layer.activation == before.activation and layer.activation in IDEMPOTENT) or \
                    (layer.activation == "relu" and before.activation in NONNEGATIVE_ACTIVATIONS):
                continue  # relu(relu(x)) == relu(x), relu(sigmoid(x)) == sigmoid(x): redundant, harmless
            # The same squashing twice in a hidden layer (tanh after tanh) narrows the range but
            # still trains: a warning. Anything else (softmax after softmax, sigmoid after relu, a
            # squashed output) distorts what the model can output.
            hidden = layer.name not in model.outputs
            severity = "warning" if layer.activation == before.activation in SQUASHING and hidden else None
            yield Issue(
                f"Activation {layer.activation} applied after {before.activation} of {before.label}",
                {"layer": layer.name, "activation": layer.activation, "previous_layer": before.name,
                 "previous_activation": before.activation},
                subject=layer.name,
                location=layer.location,
                severity=severity,
            )
    loss = model.loss
    if loss is not None and loss.expects == "logits" and loss.kind in CE_KINDS:
        for out in model.output_layers():
            act = model.output_activation(out)
            if act in CLIPPING_ACTIVATIONS:
                # ReLU on the logits: every negative score becomes 0, so a class can never be pushed
                # below the others and units stuck at 0 get no gradient (a bug whatever the backend).
                yield Issue(f"{act} on the logits of {out.label}, fed to {loss.name}, which applies its own softmax/sigmoid",
                            {"output_layer": out.name, "output_activation": act, "loss": loss.name,
                             "loss_expects": loss.expects}, subject=f"loss:{out.name}", location=out.location)
    if loss is not None and loss.expects in ("logits", "log_probabilities") and loss.kind in CE_KINDS:
        if model.framework == "keras" and model.backend == "tensorflow":
            # Keras's TensorFlow backend recovers the logits behind a softmax/sigmoid output and
            # computes the loss on them (with its own warning): harmless there, a bug elsewhere.
            return
        for out in model.output_layers():
            act = model.output_activation(out)
            if act in ("softmax", "sigmoid"):
                expects = "logits (from_logits=True)" if model.framework == "keras" else "logits"
                if loss.expects == "log_probabilities":
                    expects = "log-probabilities (log_softmax)"
                yield Issue(
                    f"{act} output of {out.label} fed to {loss.name}, which expects {expects}",
                    {"output_layer": out.name, "output_activation": act, "loss": loss.name, "loss_expects": loss.expects},
                    subject=f"loss:{out.name}",
                    location=out.location,
                )


@check("missing-softmax", phase="static")
def missing_softmax(ctx: CheckContext):
    """A cross-entropy loss that expects probabilities (Keras default ``from_logits=False``) on an
    output with no softmax/sigmoid: the loss then clips and logs raw scores."""
    model = ctx.model
    if model is None or model.loss is None:
        return
    loss = model.loss
    single = []
    for out in model.output_layers():
        if model.output_activation(out) == "softmax" and model.output_units(out) == 1:
            # softmax over one unit is exp(z)/exp(z) = 1 for every input, whatever the loss: nothing
            # can be learned (a sigmoid for a probability, no activation for a value)
            single.append(out.name)
            wanted_act = "a sigmoid" if loss.kind in CE_KINDS else "no activation (or a sigmoid for a probability)"
            yield Issue(f"Softmax over the single unit of {out.label} always outputs 1; {loss.name} needs {wanted_act} there",
                        {"output_layer": out.name, "output_activation": "softmax", "units": 1, "loss": loss.name,
                         "loss_expects": loss.expects}, subject=out.name, location=out.location)
    if loss.kind not in CE_KINDS or loss.expects not in ("probabilities", "log_probabilities"):
        return
    wanted = PROBABILITY_ACTIVATIONS if loss.expects == "probabilities" else ("log_softmax",)
    for out in model.output_layers():
        act = model.output_activation(out)
        if out.name in single:
            continue
        if act == "sigmoid" and loss.kind == "categorical_crossentropy" and (out.units or 0) > 1 \
                and loss.expects == "probabilities":
            # independent sigmoids do not sum to 1; Keras rescales them, so it trains, but the
            # probabilities are not a distribution over the classes: a warning
            yield Issue(f"Sigmoid output of {out.label} under {loss.name}: use softmax for one class per sample",
                        {"output_layer": out.name, "output_activation": act, "units": out.units, "loss": loss.name,
                         "loss_expects": loss.expects}, subject=out.name, location=out.location, severity="warning")
            continue
        if act is None or act in wanted or (loss.expects == "log_probabilities" and act in PROBABILITY_ACTIVATIONS):
            continue  # softmax before NLLLoss is reported by double-activation
        yield Issue(
            f"No {'softmax' if loss.expects == 'probabilities' else 'log_softmax'} before {loss.name} after {out.label}",
            {"output_layer": out.name, "output_activation": act, "loss": loss.name, "loss_expects": loss.expects},
            subject=out.name,
            location=out.location,
        )


@check("unstable-loss", phase="static")
def unstable_loss(ctx: CheckContext):
    """A hand-written loss on a softmax/sigmoid output that is not finite once the probabilities
    saturate to exactly 0 or 1 (measured by the adapter: ``LossInfo.saturated_finite``): it takes the
    log of a probability without clipping, so the first underflowing probability makes the loss
    and every weight NaN."""
    model = ctx.model
    if model is None or model.loss is None or model.loss.saturated_finite is not False:
        return
    out = model.output_layers()[0]
    act = model.output_activation(out)
    yield Issue(f"Hand-written loss {model.loss.name} is NaN/Inf when the {act} output of {out.label} reaches 0 or 1: "
                f"it takes log(0)",
                {"loss": model.loss.name, "output_layer": out.name, "output_activation": act,
                 "value_at_saturation": "non-finite"},
                subject=f"loss:{model.loss.name}", location=out.location)


@check("wrong-loss-for-task", phase="static")
def wrong_loss_for_task(ctx: CheckContext):
    """A classification loss on a regression task or a regression loss on a classification task
    (from the ``output_type`` hint, or a softmax output trained with a regression loss)."""
    model = ctx.model
    if model is None or model.loss is None:
        return
    loss = model.loss
    hint = ctx.output_type
    if hint == "regression" and loss.kind in CE_KINDS:
        yield Issue(f"Classification loss {loss.name} on a regression task", {"loss": loss.name, "output_type": hint})
    elif hint == "classification" and loss.kind in REGRESSION_LOSSES:
        yield Issue(f"Regression loss {loss.name} on a classification task", {"loss": loss.name, "output_type": hint})
    elif hint is None and loss.kind in REGRESSION_LOSSES:
        for out in model.output_layers():
            if model.output_activation(out) == "softmax" and model.output_units(out) != 1:
                # (a one-unit softmax is reported by missing-softmax: the softmax itself is the bug)
                yield Issue(
                    f"Regression loss {loss.name} on the softmax output of {out.name}",
                    {"loss": loss.name, "output_layer": out.name, "output_activation": "softmax"},
                    subject=out.name,
                    location=out.location,
                )


@check("lr-out-of-range", phase="static")
def lr_out_of_range(ctx: CheckContext):
    """The optimizer's learning rate is not positive, or outside [lr_min, lr_max] (adaptive
    optimizers and plain SGD have different sensible ranges)."""
    model = ctx.model
    if model is None or model.lr is None:
        return
    lr, t = model.lr, ctx.thresholds
    lr_min, lr_max = lr_range(model.optimizer, t)
    context = {"learning_rate": lr, "optimizer": model.optimizer, "lr_min": lr_min, "lr_max": lr_max}
    if lr < 0:
        yield Issue(f"Negative learning rate {lr:g}: the optimizer climbs the loss", {**context, "problem": "negative"})
    elif lr == 0:
        yield Issue("Learning rate is zero: the weights never change", {**context, "problem": "zero"})
    elif lr < lr_min:
        yield Issue(f"Learning rate {lr:g} is too low (below {lr_min:g})", {**context, "problem": "low"})
    elif lr > lr_max:
        # Just above the range often still trains (a small model, a warm-up schedule): a warning;
        # an order of magnitude above it breaks training: the catalog's error.
        severity = None if lr >= LR_ERROR_FACTOR * lr_max else "warning"
        yield Issue(f"Learning rate {lr:g} is too high for {model.optimizer or 'this optimizer'} (above {lr_max:g})",
                    {**context, "problem": "high"}, severity=severity)


@check("high-dropout", phase="static")
def high_dropout(ctx: CheckContext):
    """Dropout layers whose rate is above ``dropout_max`` (often drop/keep probability confused)."""
    if ctx.model is None:
        return
    for layer in ctx.model.layers:
        if layer.rate is not None and layer.rate > ctx.thresholds.dropout_max:
            yield Issue(
                f"Dropout rate {layer.rate:g} in {layer.label}",
                {"layer": layer.name, "rate": layer.rate, "dropout_max": ctx.thresholds.dropout_max},
                subject=layer.name,
                location=layer.location,
            )
