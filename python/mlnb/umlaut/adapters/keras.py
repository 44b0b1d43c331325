"""Keras 3 adapter: :class:`UmlautCallback` (any backend for the checks; probes need TensorFlow or
fall back to forward-only statistics)."""

from __future__ import annotations

import math
import sys
import time
from typing import Any, Mapping

import numpy as np

import keras

from mlnb.umlaut.adapters import is_chief, notice, timed
from mlnb.umlaut.config import Thresholds
from mlnb.umlaut.engine import Monitor
from mlnb.umlaut.locate import creation_location, install
from mlnb.umlaut.session import Session, validate_types
from mlnb.umlaut.summary import (CE_KINDS, PROBABILITY_ACTIVATIONS, REGRESSION_LOSSES, LayerInfo, LayerStats, LossInfo,
                                 ModelSummary, Probe, as_array, infer_output_activation)

install()  # record where every layer built from now on is created

_KINDS = {
    "dense": ("Dense", "EinsumDense"),
    "conv": ("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
             "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D"),
    "activation": ("Activation", "ReLU", "Softmax", "LeakyReLU", "PReLU", "ELU"),
    "dropout": ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout", "GaussianDropout"),
    "flatten": ("Flatten",),
    "reshape": ("Reshape", "Permute", "RepeatVector"),
    "identity": ("Identity", "GaussianNoise", "ActivityRegularization", "Masking"),
    "pool": ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
             "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D",
             "GlobalMaxPooling2D", "GlobalMaxPooling3D"),
    "norm": ("BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization", "RMSNormalization"),
    "preprocess": ("Rescaling", "Normalization", "Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom",
                   "RandomCrop", "RandomTranslation", "RandomContrast", "RandomBrightness"),
    "embedding": ("Embedding",),
    "recurrent": ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "RNN", "ConvLSTM2D", "TimeDistributed"),
    "attention": ("MultiHeadAttention", "Attention", "AdditiveAttention", "GroupQueryAttention"),
    "input": ("InputLayer",),
}
_KIND_OF = {name: kind for kind, names in _KINDS.items() for name in names}
_ACTIVATION_LAYER = {"ReLU": "relu", "Softmax": "softmax", "LeakyReLU": "leaky_relu", "PReLU": "prelu", "ELU": "elu"}


def _fn_name(fn: Any) -> str | None:
    if fn is None:
        return None
    name = getattr(fn, "__name__", None) or type(fn).__name__
    return name.lower()


def _layer_info(layer: Any, ordinal: int) -> LayerInfo:
    type_name = type(layer).__name__
    kind = _KIND_OF.get(type_name, "other")
    if kind == "other" and isinstance(layer, keras.Model):
        kind = "other"
    activation = None
    if kind == "activation":
        activation = _ACTIVATION_LAYER.get(type_name) or _fn_name(getattr(layer, "activation", None))
    elif hasattr(layer, "activation") and kind in ("dense", "conv", "other", "recurrent"):
        activation = _fn_name(layer.activation)
        if kind == "recurrent":
            activation = None  # a recurrent layer's internal activations are not its output activation
    units = getattr(layer, "units", None) or getattr(layer, "filters", None)
    rate = getattr(layer, "rate", None) if kind == "dropout" and type_name != "GaussianNoise" else None
    return LayerInfo(name=layer.name, kind=kind, activation=activation, units=int(units) if units else None,
                     rate=float(rate) if rate is not None else None, type_name=type_name,
                     location=creation_location(layer, layer.name, type_name, ordinal))


def _loss_info(loss: Any) -> LossInfo | None:
    if loss is None or isinstance(loss, (list, tuple, dict)):
        if isinstance(loss, (list, tuple)) and len(loss) == 1:
            return _loss_info(loss[0])
        if isinstance(loss, dict) and len(loss) == 1:
            return _loss_info(next(iter(loss.values())))
        return None  # several outputs with several losses: per-output loss checks are not done
    if isinstance(loss, str):
        name, from_logits = loss, False
    else:
        name = getattr(loss, "name", None) or _fn_name(loss) or type(loss).__name__
        if hasattr(loss, "get_config"):
            try:
                from_logits = bool(loss.get_config().get("from_logits", False))
            except Exception:  # noqa: BLE001
                from_logits = bool(getattr(loss, "from_logits", False))
        else:
            from_logits = False
    key = name.lower().replace("_", "")
    aliases = {"mse": "mse", "meansquarederror": "mse", "mae": "mae", "meanabsoluteerror": "mae", "huber": "huber",
               "huberloss": "huber", "msle": "msle", "meansquaredlogarithmicerror": "msle", "logcosh": "logcosh",
               "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
               "categoricalcrossentropy": "categorical_crossentropy", "categoricalfocalcrossentropy": "categorical_crossentropy",
               "binarycrossentropy": "binary_crossentropy", "binaryfocalcrossentropy": "binary_crossentropy"}
    kind = aliases.get(key, "other")
    if kind in CE_KINDS:
        expects = "logits" if from_logits else "probabilities"
    elif kind in REGRESSION_LOSSES:
        expects = "values"
    else:
        expects = "unknown"
    return LossInfo(name=name, kind=kind, expects=expects)


def _graph(model: Any, layers: list[Any]) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...], bool]:
    """(inputs per layer name, output layer names, graph known) of a Sequential or functional model."""
    if isinstance(model, keras.Sequential):
        inputs, previous = {}, None
        for layer in layers:
            inputs[layer.name] = (previous,) if previous else ()
            previous = layer.name
        return inputs, ((layers[-1].name,) if layers else ()), True
    if getattr(model, "_is_graph_network", False) or type(model).__name__ == "Functional" or hasattr(model, "_operations"):
        try:
            inputs = {}
            for layer in layers:
                parents: list[str] = []
                nodes = getattr(layer, "_inbound_nodes", [])
                if nodes:
                    parents = [n.operation.name for n in nodes[0].parent_nodes if type(n.operation).__name__ != "InputLayer"]
                inputs[layer.name] = tuple(parents)
            outputs = tuple(t._keras_history.operation.name for t in model.outputs)
            return inputs, outputs, True
        except Exception:  # noqa: BLE001 - an unusual graph: judge structure without dataflow
            pass
    return {}, (), False


def summarize(model: Any) -> ModelSummary:
    """The :class:`ModelSummary` of a Keras model (compiled or not)."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    counts: dict[str, int] = {}
    infos = []
    for layer in layers:
        t = type(layer).__name__
        infos.append(_layer_info(layer, counts.get(t, 0)))
        counts[t] = counts.get(t, 0) + 1
    edges, outputs, known = _graph(model, layers)
    for info in infos:
        info.inputs = edges.get(info.name, ())
    optimizer = getattr(model, "optimizer", None)
    lr = None
    if optimizer is not None and getattr(model, "compiled", True):
        try:
            lr = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        except Exception:  # noqa: BLE001 - a schedule that needs a step, or no optimizer
            lr = None
    summary = ModelSummary(
        framework="keras", name=model.name, layers=infos, outputs=outputs, graph_known=known,
        loss=_loss_info(getattr(model, "loss", None)) if getattr(model, "compiled", False) else None,
        optimizer=type(optimizer).__name__ if optimizer is not None else None, lr=lr,
        location=creation_location(model), backend=keras.backend.backend(),
    )
    if summary.loss is not None and summary.loss.kind == "other" and callable(getattr(model, "loss", None)):
        summary.loss.saturated_finite = _saturated_loss_finite(model.loss, summary)
    return summary


def _saturated_loss_finite(loss_fn: Any, summary: ModelSummary) -> bool | None:
    """Call a hand-written loss on two confidently wrong saturated predictions (probabilities of
    exactly 0 and 1, what float32 softmax/sigmoid outputs once their logits are large) and say
    whether the result is finite. Built-in losses clip the probabilities; ``-sum(y * log(p))``
    written by hand gives log(0) = -inf. None when the output is not a probability or the loss
    cannot be called on such a pair (e.g. it expects sparse labels)."""
    outs = summary.output_layers()
    if len(outs) != 1 or summary.output_activation(outs[0]) not in PROBABILITY_ACTIVATIONS:
        return None
    width = summary.output_units(outs[0]) or 1
    if width > 1:
        y_true = np.eye(width, dtype="float32")[[0, 1]]
        y_pred = np.eye(width, dtype="float32")[[1, 0]]
    else:
        y_true = np.array([[1.0], [0.0]], dtype="float32")
        y_pred = 1.0 - y_true
    try:
        value = loss_fn(keras.ops.convert_to_tensor(y_true), keras.ops.convert_to_tensor(y_pred))
        value = np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)
    except Exception:  # noqa: BLE001 - the loss wants other labels or shapes: not measured
        return None
    return bool(value.size and np.all(np.isfinite(value)))


# -- data gathering ---------------------------------------------------------------------------
def _first_batches(data: Any, rows: int) -> tuple[Any, Any] | None:
    """(x, y) from the first batches of a tf.data.Dataset or keras PyDataset, without consuming it."""
    rows = min(rows, 512)  # a dataset may decode images on the fly: a few batches are enough
    batches = []
    try:
        if hasattr(data, "take") and hasattr(data, "element_spec"):  # tf.data: re-iterable
            n = 0
            for batch in data.take(64):
                batches.append(batch)
                n += len(_split_batch(batch)[0]) if _split_batch(batch)[0] is not None else rows
                if n >= rows:
                    break
        elif hasattr(data, "__getitem__") and hasattr(data, "__len__") and type(data).__name__ != "ndarray":
            batches.append(data[0])
        else:
            return None
    except Exception:  # noqa: BLE001
        return None
    xs, ys = zip(*[_split_batch(b) for b in batches]) if batches else ((), ())
    return _concat(xs), _concat(ys)


def _split_batch(batch: Any) -> tuple[Any, Any]:
    if isinstance(batch, (tuple, list)):
        return batch[0], (batch[1] if len(batch) > 1 else None)
    return batch, None


def _concat(parts: Any) -> Any:
    """Batches joined along rows, keeping their structure (dict features, tuples of inputs)."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, dict) for p in parts) and all(p.keys() == parts[0].keys() for p in parts):
        return {k: _concat([p[k] for p in parts]) for k in parts[0]}
    if all(isinstance(p, (list, tuple)) and len(p) == len(parts[0]) for p in parts):
        return type(parts[0])(_concat(list(column)) for column in zip(*parts))
    arrays = [as_array(p) for p in parts]
    if any(a is None for a in arrays):
        return parts[0]
    try:
        return np.concatenate(arrays)
    except ValueError:
        return arrays[0]


def _fit_frame(model: Any) -> dict[str, Any] | None:
    """The locals of the running ``model.fit`` (the callback API gives no access to the data)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "fit" and frame.f_locals.get("self") is model:
            return dict(frame.f_locals)
        frame = frame.f_back
    return None


def _set_grad_stats(probe: Probe, model: Any, grads: list[tuple[str | None, float, int]]) -> None:
    """Fill ``probe``'s gradient norm, layer order and per-layer RMS from ``(layer name or None, sum of
    squares, size)`` per variable; the compiled and the eager probe both report through here."""
    sq: dict[str, list[float]] = {}
    total = 0.0
    for name, s, n in grads:
        total += s
        if name is not None:
            acc = sq.setdefault(name, [0.0, 0])
            acc[0] += s
            acc[1] += n
    probe.grad_norm = math.sqrt(total) if math.isfinite(total) else math.inf
    probe.grad_order = tuple(layer.name for layer in model.layers if layer.name in sq)
    for name, (s, n) in sq.items():
        probe.layers.setdefault(name, LayerStats()).grad_rms = math.sqrt(s / max(n, 1))


class UmlautCallback(keras.callbacks.Callback):
    """Checks a Keras model, its data and its training against UMLAUT's heuristics.

    Example
    -------
    >>> cb = UmlautCallback(input_type="image", output_type="classification")  # doctest: +SKIP
    >>> model.fit(x, y, validation_split=0.2, epochs=5, callbacks=[cb])        # doctest: +SKIP
    >>> cb.session.findings                                                   # doctest: +SKIP

    ``model`` is optional (Keras hands it over). Static checks run at the start of ``fit``, data
    checks on the arrays passed to ``fit`` (or the first batches of a dataset), and the epoch checks
    after every epoch with one probe of a small sample batch (activations and gradients), so no
    per-batch work slows training. Each new finding is printed as one line and every epoch is
    recorded in the mlnb store.
    """

    def __init__(self, model: Any = None, input_type: str | None = None, output_type: str | None = None,
                 session: Session | None = None, thresholds: Thresholds | Mapping[str, Any] | None = None,
                 name: str | None = None, echo: bool = True, record: bool = True) -> None:
        super().__init__()
        validate_types(input_type, output_type)
        if model is not None and not isinstance(model, keras.Model):
            raise TypeError(f"model={type(model).__name__} is not valid; expected a keras.Model or None")
        if session is not None and not isinstance(session, Session):
            raise TypeError(f"session={session!r} is not valid; expected an umlaut.Session or None")
        self._user_model = model
        self.input_type, self.output_type, self.name = input_type, output_type, name
        self.thresholds = Thresholds.coerce(thresholds)
        self.echo, self.record = echo, record
        self._given_session = session
        self.session: Session | None = session
        self.monitor: Monitor | None = None
        self._fit_args: dict[str, Any] | None = None  # set by umlaut.instrument's fit wrapper
        self._epoch_now = 0
        self._probe_fn = self._feature_model = None
        self._probe_ok = False
        self._traced = 0.0
        self._last_val: float | None = None

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Displaying the callback shows its session's live dashboard; the session is made now
        # (fit then uses it) so the dashboard exists before training starts.
        if self.session is None:
            name = self.name or (self._user_model.name if self._user_model is not None else None)
            self._given_session = self.session = Session(
                name, thresholds=self.thresholds, input_type=self.input_type, output_type=self.output_type,
                framework="keras", record=self.record, echo=self.echo)
        return self.session.view()._repr_mimebundle_(**kwargs)

    @property
    def async_safe(self) -> bool:
        """Whether Keras may run this callback's batch hooks on its worker thread.

        On the backends Keras dispatches batch hooks from a worker thread (JAX, PyTorch), a
        callback that overrides ``on_train_batch_end`` makes Keras wait for every step's logs on
        the training thread instead, unless it says it is async-safe. The only per-batch work here is the running loss for a displayed
        dashboard, so the callback is async-safe when no dashboard listens as ``fit`` starts
        (Keras decides once, when it builds its callback list); with one listening, the running
        loss is reported from the training thread as before.
        """
        session = self.session or self._given_session
        return session is None or not session.__dict__.get("_listeners")

    # -- training lifecycle ------------------------------------------------------------------
    @timed
    def on_train_begin(self, logs: Any = None) -> None:
        from mlnb.notebook import location_of_frame

        model = self._user_model or self.model
        self._active_model = model
        self._train_started, self._spent, self._traced = time.perf_counter(), 0.0, 0.0
        session = self._given_session or Session(
            self.name or model.name, thresholds=self.thresholds, input_type=self.input_type, output_type=self.output_type,
            framework="keras", record=self.record, echo=self.echo)
        session.chief = is_chief() and _keras_chief(model)
        self.session = session
        location = location_of_frame(sys._getframe(1))
        self.monitor = mon = Monitor(session, "keras", location)
        session.start({"model": model.name, "location": location.to_dict() if location else None})
        summary = mon.guarded("summarize_model", summarize, model)
        fit = self._fit_args or mon.guarded("fit_arguments", _fit_frame, model) or {}
        self._sample = None
        # compiled probe, weight reader and feature model of this fit's model (built on first use)
        self._probe_fn = self._feature_model = None
        self._probe_ok = False
        self._last_val = None
        data = mon.guarded("data_sample", self._gather_data, fit)
        if summary is not None and not summary.graph_known and self._sample is not None:
            mon.guarded("output_probe", self._infer_outputs, summary)
        mon.static(summary)  # first: the label checks compare the labels with the model's output
        if data is not None:
            mon.data(**data)
        self._weights0 = mon.guarded("weights_snapshot", self._snapshot)
        self._probes_off: str | None = None
        reason = self._why_no_probe(fit)
        if reason:
            self._probes_off = reason
            notice(session, f"activation and gradient checks are off for this run: {reason}")
        if data is None or (mon.ctx.x is None and fit.get("x") is not None):
            notice(session, "data checks are off for this run: the training inputs could not be sampled "
                            f"({type(fit.get('x')).__name__})")
        probe = self._guarded_probe(-1)
        if probe is not None and probe.loss is not None:
            mon.ctx.initial_loss = probe.loss
        session.flush()
        session.print_new()

    @timed
    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._epoch_now = epoch
        if self.session is not None:
            self.session.print_new()

    @timed
    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        mon = self.monitor
        if mon is None:
            return
        started = time.perf_counter()
        logs = dict(logs or {})
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            mon.note_nonfinite(epoch, None, float(loss))
        probe = self._guarded_probe(epoch) if self._probe_due(epoch) else None
        val = logs.get("val_loss")
        if probe is not None and probe.loss is not None:
            mon.ctx.inference_loss[epoch] = probe.loss  # the probe runs the sample in inference mode
        elif val is not None and self._last_val is not None and float(val) > self._last_val:
            # the validation loss rose: measure the training sample in inference mode (one forward
            # pass of probe_rows rows) so that overfitting can be told from a train/inference gap
            value = mon.guarded("inference_loss", self._inference_loss)
            if value is not None:
                mon.ctx.inference_loss[epoch] = value
        self._last_val = float(val) if val is not None else None
        change = mon.guarded("weight_change", self._weight_change)
        mon.epoch(epoch, logs, probe=probe, weight_change=change)
        # the probe's one-off trace is not per-epoch work: it would hold back the cheap compiled probes
        self._spent += time.perf_counter() - started - self._traced
        self._traced = 0.0

    def _inference_loss(self) -> float | None:
        """The compiled loss of the probe sample with the model in inference mode."""
        model = self._active_model
        if self._sample is None or self._sample[1] is None or getattr(model, "_compile_loss", None) is None:
            return None
        xs, ys = self._sample
        y_pred = model(xs, training=False)
        return float(keras.ops.convert_to_numpy(model.compute_loss(x=xs, y=ys, y_pred=y_pred, training=False)))

    def _why_no_probe(self, fit: Mapping[str, Any]) -> str | None:
        """Why the probes cannot run on this model and data (None when they can)."""
        if self._sample is None:
            return f"no sample of the training inputs ({type(fit.get('x')).__name__})"
        if self._sample[1] is None:
            return "the training data carries no labels to compute the loss on"
        if getattr(self._active_model, "_compile_loss", None) is None:
            return "the model has no compiled loss (a custom train_step)"
        return None

    def _guarded_probe(self, epoch: int) -> Probe | None:
        """The probe of this epoch; when it cannot run, say so once and stop trying (a failing probe
        must neither break training nor fail silently)."""
        if self._probes_off is not None:
            return None
        try:
            return self._probe(epoch)
        except Exception as exc:  # noqa: BLE001 - UMLAUT must never stop training
            self._probes_off = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
            from mlnb.umlaut.checks import internal_error

            finding = internal_error("probe", exc, epoch, self.monitor.ctx.location)
            finding.title = (f"Activation and gradient checks are off for this run ({', '.join(PROBE_CHECKS)}): "
                             f"the probe of a sample batch failed with {self._probes_off}")[:300]
            finding.context["checks_off"] = list(PROBE_CHECKS)
            finding.context["inputs"] = _describe(self._sample[0]) if self._sample else None
            self.monitor.session.add([finding])
            return None

    @timed
    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        # The running loss for a displayed dashboard: one clock read per batch; Keras has already
        # turned the logs into Python floats for its progress bar, so reading them costs nothing.
        session = self.session
        if session is not None and session.batch_due() and logs and "loss" in logs:
            session.log_batch(self._epoch_now, batch, logs["loss"], (self.params or {}).get("steps"))

    def _probe_due(self, epoch: int) -> bool:
        """Probe the first epochs always (findings need ``probe_patience`` probes in a row), later
        ones only while UMLAUT's per-epoch work stays within its share of the training time (the
        compiled probe's one-off trace is not counted: it is paid once, in the first epoch)."""
        t = self.thresholds
        if epoch <= t.probe_patience:
            return True
        return self._spent <= t.probe_budget * (time.perf_counter() - self._train_started)

    @timed
    def on_train_end(self, logs: Any = None) -> None:
        if self.session is not None:
            self.session.end("finished")
            self.session.print_new()

    # -- facts -------------------------------------------------------------------------------
    def _gather_data(self, fit: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments of :meth:`Monitor.data` from ``fit``'s arguments; sets the probe sample."""
        rows = self.thresholds.sample_rows
        x, y = fit.get("x"), fit.get("y")
        val = fit.get("validation_data")
        x_val, y_val = fit.get("val_x"), fit.get("val_y")
        if x_val is None and val is not None:
            if isinstance(val, (tuple, list)):
                x_val, y_val = _split_batch(val)
            else:
                x_val, y_val = _first_batches(val, rows) or (None, None)
        shuffled = fit.get("shuffle", True) if as_array(x, 2) is not None else None
        if x is not None and as_array(x, 2) is None and not isinstance(x, (dict, list, tuple)):
            first = _first_batches(x, rows)
            if first is not None:
                x, y = first
        # Keras 3's fit replaces x, y and validation_data by the split before the callbacks run, so in
        # fit's frame (no _fit_args) validation_data is set although it came from validation_split.
        val_from_split = bool(fit.get("validation_split")) and (fit.get("validation_data") is None
                                                                or self._fit_args is None)
        if val_from_split and x_val is None and y is not None and as_array(x, 2) is not None:
            # validation_split takes the last rows (before any shuffling): split as Keras does
            n = len(as_array(y))
            cut = n - int(n * float(fit.get("validation_split")))
            if 0 < cut < n:
                x, y, x_val, y_val = x[:cut], y[:cut], x[cut:], y[cut:]
        if isinstance(x, (dict, list, tuple)) or as_array(x, 2) is not None:
            self._sample = (_rows(x, self.thresholds.probe_rows), _rows(y, self.thresholds.probe_rows))
        return dict(x=x, y=y, x_val=x_val, y_val=y_val, shuffled=shuffled, val_from_split=val_from_split)

    def _infer_outputs(self, summary: ModelSummary) -> None:
        model = self._active_model
        y_pred = model(self._sample[0], training=False)
        preds = y_pred if isinstance(y_pred, (list, tuple)) else [y_pred]
        names = []
        for i, pred in enumerate(preds):
            name = f"{model.name}:output{i}" if len(preds) > 1 else f"{model.name}:output"
            act = infer_output_activation(pred)
            units = int(pred.shape[-1]) if len(pred.shape) > 1 else 1
            summary.layers.append(LayerInfo(name=name, kind="activation", activation=act, units=units,
                                            type_name="(observed output)"))
            names.append(name)
        summary.outputs = tuple(names)

    def _snapshot(self) -> list[np.ndarray]:
        return [np.array(keras.ops.convert_to_numpy(v)).ravel()[:4096].copy() for v in self._active_model.trainable_weights]

    def _weight_change(self) -> float | None:
        if not self._weights0:
            return None
        now = self._snapshot()
        with np.errstate(all="ignore"):  # diverged weights are inf/nan: still "changed"
            changes = [float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-12)) for a, b in zip(now, self._weights0) if a.size]
        changes = [math.inf if math.isnan(c) else c for c in changes]
        return max(changes) if changes else None

    def _probe(self, epoch: int) -> Probe | None:
        """Activation and gradient statistics of the sample batch (one forward/backward pass).

        The probe runs eagerly, except in a fit of at least :data:`COMPILE_FROM_EPOCHS` epochs with
        TensorFlow: there it is one ``tf.function``, traced at the first epoch's probe and reused
        at every later one. Tracing costs about three eager probes and a compiled probe a quarter
        of one, so compiling pays off from a few probes on and would slow short fits. If the model
        cannot be traced (Python side effects in ``call``), the probe stays eager."""
        model = self._active_model
        if self._sample is None or self._sample[1] is None or getattr(model, "_compile_loss", None) is None:
            return None  # no labels, or no compiled loss (a custom train_step): nothing to differentiate
        if epoch >= 0 and self._probe_fn is not False and self._compile_probe():
            try:
                return self._probe_compiled(epoch)
            except Exception:  # noqa: BLE001 - not traceable: the eager probe below says why if it fails too
                if self._probe_ok:
                    raise  # it worked before: a real failure, reported by _guarded_probe
                self._probe_fn = False
        return self._probe_eager(epoch)

    def _compile_probe(self) -> bool:
        """Whether this fit's probe is worth compiling (TensorFlow, a built model, enough epochs)."""
        epochs = (self.params or {}).get("epochs") or 0
        return keras.backend.backend() == "tensorflow" and self._active_model.built and epochs >= COMPILE_FROM_EPOCHS

    def _probe_layout(self) -> tuple[list[Any], dict[int, str], list[tuple[Any, str]]]:
        """(trainable variables, layer name by variable id, (layer, activation) to watch)."""
        model = self._active_model
        by_var = {}
        for layer in model.layers:
            for w in layer.trainable_weights:
                by_var[id(w)] = layer.name
        return list(model.trainable_variables), by_var, self._watched_layers()

    def _probe_compiled(self, epoch: int) -> Probe:
        import tensorflow as tf

        model = self._active_model
        key = tuple(id(v) for v in model.trainable_variables)
        if self._probe_fn is not None and key != self._probe_key:
            self._probe_fn = None  # layers frozen or unfrozen since the trace: trace again
        if self._probe_fn is None:
            variables, by_var, wanted = self._probe_layout()
            self._feature_model_for(wanted)  # a Keras model is built outside the trace
            layout: list[tuple[str, Any]] = []  # what each entry of the result vector is (filled by the trace)

            def run(xs: Any, ys: Any) -> Any:
                layout.clear()
                with tf.GradientTape() as tape:
                    y_pred, acts = self._forward(xs, wanted)
                    loss = model.compute_loss(x=xs, y=ys, y_pred=y_pred, training=False)
                grads = tape.gradient(loss, variables)
                parts = [tf.reshape(tf.cast(loss, tf.float32), [1])]
                layout.append(("loss", None))
                for v, g in zip(variables, grads):
                    if g is None:
                        continue
                    g = tf.cast(tf.convert_to_tensor(g), tf.float32)
                    parts.append(tf.reshape(tf.reduce_sum(tf.square(g)), [1]))
                    layout.append(("grad", (by_var.get(id(v)), int(np.prod(g.shape)))))
                for name, out, act in acts:
                    stat = _activation_stat(tf, out, act)
                    if stat is not None:
                        parts.append(tf.reshape(stat, [1]))
                        layout.append((_STAT_OF[act], name))
                return tf.concat(parts, 0)

            self._probe_fn, self._probe_key, self._probe_layout_now, self._probe_ok = _tf_function(run), key, layout, False
        started = time.perf_counter()
        values = self._probe_fn(*self._sample).numpy().tolist()
        if not self._probe_ok:
            self._traced = time.perf_counter() - started  # the first call traces
        self._probe_ok = True
        probe = Probe(epoch=epoch, batch=-1)
        probe.loss = values[0]
        grads = []
        for (what, info), value in zip(self._probe_layout_now, values):
            if what == "grad":
                name, n = info
                grads.append((name, value, n))
            elif what != "loss":
                setattr(probe.layers.setdefault(info, LayerStats()), what + "_fraction", value)
        _set_grad_stats(probe, model, grads)
        return probe

    def _probe_eager(self, epoch: int) -> Probe | None:
        model = self._active_model
        xs, ys = self._sample
        probe = Probe(epoch=epoch, batch=-1)
        variables, by_var, wanted = self._probe_layout()
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            with tf.GradientTape() as tape:
                y_pred, acts = self._forward(xs, wanted)
                loss = model.compute_loss(x=xs, y=ys, y_pred=y_pred, training=False)
            grads = []
            for v, g in zip(variables, tape.gradient(loss, variables)):
                if g is not None:
                    g = tf.convert_to_tensor(g)
                    grads.append((by_var.get(id(v)), float(tf.reduce_sum(tf.square(tf.cast(g, tf.float32)))),
                                  int(np.prod(g.shape))))
            _set_grad_stats(probe, model, grads)
        else:
            y_pred, acts = self._forward(xs, wanted)
            loss = model.compute_loss(x=xs, y=ys, y_pred=y_pred, training=False)
        probe.loss = float(keras.ops.convert_to_numpy(loss))
        for name, out, act in acts:
            stat = _activation_stat(np, np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float32), act)
            if stat is not None:
                setattr(probe.layers.setdefault(name, LayerStats()), _STAT_OF[act] + "_fraction", float(stat))
        return probe

    def _watched_layers(self) -> list[tuple[Any, str]]:
        """(layer, activation) of the ReLU/sigmoid/tanh layers whose outputs the probe judges."""
        wanted = []
        for layer in self._active_model.layers:
            info = _layer_info(layer, 0) if not hasattr(layer, "_mlnb_act") else None
            act = info.activation if info is not None else None
            if act in _STAT_OF:
                wanted.append((layer, act))
        return wanted

    def _feature_model_for(self, wanted: list[tuple[Any, str]]) -> Any:
        """A Keras model from the model's inputs to the watched layers' outputs followed by the
        model's output, so one forward pass gives both (None for a model without symbolic inputs:
        a Sequential built without Input, a subclassed model; and for several outputs)."""
        if self._feature_model is not None:
            return self._feature_model or None
        model = self._active_model
        if not model.built:
            return None  # the first call builds it; decide then
        self._feature_model = False
        try:
            inputs = model.inputs  # a Sequential built from keras.Input has them too
            outputs = model.outputs
        except (AttributeError, ValueError):  # a Sequential built without Input, a subclassed model
            return None
        if not inputs or not outputs or not wanted:
            return None
        # The model's own graph casts each input to its Input dtype (uint8 images, int32 boards, dict
        # features), exactly as in training. The inputs go in the structure the model was built with
        # (one tensor, a list, a dict), so that Keras does not warn about a structure mismatch.
        structure = inputs[0] if len(inputs) == 1 else getattr(model, "_inputs_struct", inputs)
        heads = [layer.output for layer, _ in wanted]
        self._feature_outputs = len(outputs)
        self._feature_model = keras.Model(structure, heads + ([outputs[0]] if len(outputs) == 1 else []))
        return self._feature_model

    def _forward(self, xs: Any, wanted: list[tuple[Any, str]]) -> tuple[Any, list[tuple[str, Any, str]]]:
        """(predictions, [(layer name, output, activation)] of the watched layers) for the sample."""
        model = self._active_model
        features = self._feature_model_for(wanted)
        if features is None:
            return model(xs, training=False), self._activation_tensors(xs, wanted)
        values = features(xs, training=False)
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        acts = [(layer.name, v, act) for (layer, act), v in zip(wanted, values)]
        if self._feature_outputs == 1:
            return values[-1], acts
        return model(xs, training=False), acts  # several outputs: the model's own structure for the loss

    def _activation_tensors(self, xs: Any, wanted: list[tuple[Any, str]]) -> list[tuple[str, Any, str]]:
        """The watched layers' outputs of a Sequential built without Input, layer by layer (a
        subclassed model gives none)."""
        model = self._active_model
        if wanted and isinstance(model, keras.Sequential):
            out, h = [], xs
            first = _layer_info(model.layers[0], 0) if model.layers else None
            if first is not None and first.kind != "embedding" and "int" in str(getattr(h, "dtype", "")):
                h = keras.ops.cast(h, "float32")  # what the model's input conversion does for integer data
            acts = dict((id(l), a) for l, a in wanted)
            for layer in model.layers:
                h = layer(h, training=False)
                if id(layer) in acts:
                    out.append((layer.name, h, acts[id(layer)]))
            return out
        return []


def _tf_function(fn: Any) -> Any:
    """``tf.function(fn)``, traced once per fit. Every fit traces a new one of the same code, which
    TensorFlow would report as "excessive retracing" after a few fits in a notebook: not here."""
    import tensorflow as tf

    compiled = tf.function(fn)
    compiled._omit_frequent_tracing_warning = True  # noqa: SLF001 - TensorFlow's own switch for this warning
    return compiled


# which LayerStats field a watched activation feeds: "dead" -> dead_fraction, "saturated" -> saturated_fraction
_STAT_OF = {"relu": "dead", "relu6": "dead", "sigmoid": "saturated", "tanh": "saturated"}


def _activation_stat(xp: Any, a: Any, act: str) -> Any:
    """The probe's statistic of one activation output ``a`` (rows first), with numpy (``xp=np``) or
    TensorFlow (``xp=tf``, inside the compiled probe): the fraction of dead units (no positive output
    for any row or position) after a ReLU, of saturated outputs after sigmoid/tanh. None for outputs
    of fewer than two dimensions."""
    rank = a.ndim if xp is np else a.shape.rank
    if rank is None or rank < 2:
        return None
    if xp is not np:
        a = xp.cast(a, xp.float32)
    mean = np.mean if xp is np else xp.reduce_mean
    if act in ("relu", "relu6"):
        units = a.shape[-1]
        flat = xp.reshape(a, (-1, units)) if units is not None else xp.reshape(a, (-1, xp.shape(a)[-1]))
        dead = np.all(flat <= 0, axis=0) if xp is np else xp.reduce_all(flat <= 0, axis=0)
        return mean(dead.astype(np.float32) if xp is np else xp.cast(dead, xp.float32))
    if act == "sigmoid":
        hit = (a < 0.01) | (a > 0.99)
    else:
        hit = xp.abs(a) > 0.99
    return mean(hit.astype(np.float32) if xp is np else xp.cast(hit, xp.float32))


# A fit of at least this many epochs compiles its probe (TensorFlow): see UmlautCallback._probe.
COMPILE_FROM_EPOCHS = 5

PROBE_CHECKS = ("dead-relu", "saturated-activation", "vanishing-gradient", "exploding-gradient")


def _describe(value: Any) -> str:
    """A short description of an input structure for messages: ``dict(a: (64, 4) float32, ...)``."""
    if isinstance(value, dict):
        return "dict(" + ", ".join(f"{k}: {_describe(v)}" for k, v in value.items()) + ")"
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + "(" + ", ".join(_describe(v) for v in value) + ")"
    shape = getattr(value, "shape", None)
    return f"{tuple(shape) if shape is not None else '?'} {getattr(value, 'dtype', type(value).__name__)}"


def _rows(value: Any, n: int) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: _rows(v, n) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_rows(v, n) for v in value)
    return value[:n]


def _keras_chief(model: Any) -> bool:
    try:
        strategy = getattr(model, "distribute_strategy", None)
        resolver = getattr(strategy, "cluster_resolver", None)
        if resolver is not None and getattr(resolver, "task_type", None) not in (None, "chief"):
            return resolver.task_type == "worker" and getattr(resolver, "task_id", 0) == 0 and "chief" not in (
                resolver.cluster_spec().as_dict() if hasattr(resolver, "cluster_spec") else {})
    except Exception:  # noqa: BLE001
        pass
    return True
