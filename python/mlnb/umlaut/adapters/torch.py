"""PyTorch adapter: :class:`TorchMonitor` for hand-written training loops."""

from __future__ import annotations

import math
import sys
import time
import weakref
from typing import Any, Mapping

import numpy as np
import torch
from torch import nn

from mlnb.umlaut.adapters import is_chief, notice, timed
from mlnb.umlaut.config import Thresholds
from mlnb.umlaut.engine import Monitor
from mlnb.umlaut.locate import creation_location, install
from mlnb.umlaut.session import Session, validate_types
from mlnb.umlaut.summary import (LayerInfo, LayerStats, LossInfo, ModelSummary, Probe, as_array, feature_table,
                                 infer_output_activation)

install()

_KINDS = {
    "dense": ("Linear", "LazyLinear", "Bilinear"),
    "conv": ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "LazyConv1d",
             "LazyConv2d", "LazyConv3d"),
    "dropout": ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"),
    "flatten": ("Flatten", "Unflatten"),
    "identity": ("Identity",),
    "pool": ("MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
             "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"),
    "norm": ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
             "InstanceNorm3d", "RMSNorm", "LocalResponseNorm"),
    "embedding": ("Embedding", "EmbeddingBag"),
    "recurrent": ("LSTM", "GRU", "RNN"),
    "attention": ("MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer"),
}
_Tensor, _clock = torch.Tensor, time.perf_counter  # module globals: the per-batch hot path looks them up once

# Modules whose training and inference behaviour differ (batch vs running statistics, dropout).
_MODE_DEPENDENT = (nn.modules.batchnorm._NormBase, nn.modules.dropout._DropoutNd)
_KIND_OF = {name: kind for kind, names in _KINDS.items() for name in names}
_ACTIVATIONS = {"ReLU": "relu", "ReLU6": "relu6", "LeakyReLU": "leaky_relu", "ELU": "elu", "SELU": "selu", "CELU": "celu",
                "GELU": "gelu", "SiLU": "silu", "Mish": "mish", "Softplus": "softplus", "Sigmoid": "sigmoid", "Tanh": "tanh",
                "Softmax": "softmax", "LogSoftmax": "log_softmax", "PReLU": "prelu", "Hardtanh": "hardtanh",
                "Hardswish": "hardswish", "Hardsigmoid": "hardsigmoid", "Softsign": "softsign", "RReLU": "rrelu",
                "LogSigmoid": "logsigmoid", "Softmin": "softmin", "Tanhshrink": "tanhshrink"}
_LOSSES = {  # class or function name -> (kind, expects)
    "crossentropyloss": ("sparse_categorical_crossentropy", "logits"), "cross_entropy": ("sparse_categorical_crossentropy", "logits"),
    "nllloss": ("nll", "log_probabilities"), "nll_loss": ("nll", "log_probabilities"),
    "bceloss": ("binary_crossentropy", "probabilities"), "binary_cross_entropy": ("binary_crossentropy", "probabilities"),
    "bcewithlogitsloss": ("binary_crossentropy", "logits"),
    "binary_cross_entropy_with_logits": ("binary_crossentropy", "logits"),
    "mseloss": ("mse", "values"), "mse_loss": ("mse", "values"), "l1loss": ("mae", "values"), "l1_loss": ("mae", "values"),
    "smoothl1loss": ("huber", "values"), "huberloss": ("huber", "values"), "smooth_l1_loss": ("huber", "values"),
    "huber_loss": ("huber", "values"),
}


def _leaves(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(name or type(model).__name__, m) for name, m in model.named_modules() if not list(m.children())]


def _layer_info(name: str, module: nn.Module, ordinal: int) -> LayerInfo:
    type_name = type(module).__name__
    if type_name in _ACTIVATIONS:
        kind, activation = "activation", _ACTIVATIONS[type_name]
    else:
        kind, activation = _KIND_OF.get(type_name, "other"), None
    units = getattr(module, "out_features", None) or getattr(module, "out_channels", None) \
        or getattr(module, "embedding_dim", None) or getattr(module, "hidden_size", None)
    rate = float(module.p) if kind == "dropout" else None
    return LayerInfo(name=name, kind=kind, activation=activation, units=int(units) if units else None, rate=rate,
                     type_name=type_name, location=creation_location(module, name, type_name, ordinal))


def loss_info(loss_fn: Any, targets: Any = None) -> LossInfo | None:
    if loss_fn is None:
        return None
    name = type(loss_fn).__name__ if isinstance(loss_fn, nn.Module) else getattr(loss_fn, "__name__", type(loss_fn).__name__)
    kind, expects = _LOSSES.get(name.lower(), ("other", "unknown"))
    if kind == "sparse_categorical_crossentropy" and targets is not None and torch.is_tensor(targets) \
            and targets.is_floating_point() and targets.ndim >= 2:
        kind = "categorical_crossentropy"  # class probabilities as targets (one-hot or soft labels)
    return LossInfo(name=name, kind=kind, expects=expects)


def optimizer_info(optimizer: Any) -> tuple[str | None, float | None]:
    if optimizer is None:
        return None, None
    while hasattr(getattr(optimizer, "optimizer", None), "param_groups"):
        optimizer = optimizer.optimizer  # accelerate / AMP wrappers: name the real optimizer
    lrs = [g.get("lr") for g in getattr(optimizer, "param_groups", []) if g.get("lr") is not None]
    lr = None
    if lrs:
        lr = float(lrs[0].item() if torch.is_tensor(lrs[0]) else lrs[0])
        lr = min(float(v) for v in lrs) if lr < 0 else max(float(v) for v in lrs)
    return type(optimizer).__name__, lr


def summarize(model: nn.Module, loss_fn: Any = None, optimizer: Any = None, edges: dict[str, tuple[str, ...]] | None = None,
              outputs: tuple[str, ...] = (), targets: Any = None) -> ModelSummary:
    """The :class:`ModelSummary` of a module. Without ``edges`` (recorded from a forward pass) the
    dataflow is known only for a plain ``nn.Sequential`` of leaf modules."""
    counts: dict[str, int] = {}
    infos = []
    for name, module in _leaves(model):
        t = type(module).__name__
        infos.append(_layer_info(name, module, counts.get(t, 0)))
        counts[t] = counts.get(t, 0) + 1
    known = edges is not None
    if edges is None and isinstance(model, nn.Sequential) and all(not list(m.children()) for m in model):
        edges = {info.name: ((infos[i - 1].name,) if i else ()) for i, info in enumerate(infos)}
        outputs = (infos[-1].name,) if infos else ()
        known = True
    for info in infos:
        info.inputs = (edges or {}).get(info.name, ())
    opt_name, lr = optimizer_info(optimizer)
    return ModelSummary(framework="torch", name=type(model).__name__, layers=infos, outputs=tuple(outputs),
                        graph_known=known, loss=loss_info(loss_fn, targets), optimizer=opt_name, lr=lr,
                        location=creation_location(model))


def _channel_view(t: torch.Tensor) -> torch.Tensor:
    """(positions, units) view: channels are dim 1 for conv maps (N, C, ...), the last dim otherwise."""
    if t.ndim > 2:
        t = t.transpose(1, -1)
    return t.reshape(-1, t.shape[-1])


def _nonfinite(inputs: Any) -> bool:
    """Whether a float input tensor holds NaN or Inf (False for anything else)."""
    if not torch.is_tensor(inputs) or not inputs.is_floating_point():
        return False
    with torch.no_grad():
        return not bool(torch.isfinite(inputs).all())


def _raise(exc: BaseException) -> None:
    raise exc


class TorchMonitor:
    """UMLAUT for a PyTorch training loop.

    Example
    -------
    >>> mon = TorchMonitor(model, optimizer, loss_fn, output_type="classification")   # doctest: +SKIP
    >>> for epoch in range(3):                                                        # doctest: +SKIP
    ...     for xb, yb in loader:
    ...         opt.zero_grad(); out = model(xb); loss = loss_fn(out, yb); loss.backward(); opt.step()
    ...         mon.batch(loss=loss, inputs=xb, targets=yb, outputs=out)
    ...     mon.epoch(val_loss=..., val_accuracy=...)
    >>> mon.close(); mon.session.findings                                            # doctest: +SKIP

    Forward hooks record activations (and the dataflow between modules) on the first batch, every
    ``probe_every`` batches of the first epoch, and the first batch of every later epoch (the epoch
    checks use one probe per epoch); the gradients are read on the same batches. A batch that is not
    probed costs a few microseconds: a loss on the host is read at once (``item()``), a loss on an
    accelerator is kept as a device scalar, read with the others in one host copy every 64 batches
    and at the epoch's end. When the validation loss given to :meth:`epoch` rises and the model has
    BatchNorm or dropout, the first batch's first ``probe_rows`` rows are scored in inference mode,
    so that a train/inference gap is not reported as overfitting. Usable as a context manager (the
    session then ends as finished, failed or interrupted).
    """

    def __init__(self, model: nn.Module, optimizer: Any = None, loss_fn: Any = None, input_type: str | None = None,
                 output_type: str | None = None, session: Session | None = None,
                 thresholds: Thresholds | Mapping[str, Any] | None = None, name: str | None = None,
                 echo: bool = True, record: bool = True) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(f"model={type(model).__name__} is not valid; expected a torch.nn.Module")
        if optimizer is not None and not hasattr(optimizer, "param_groups"):
            raise TypeError(f"optimizer={type(optimizer).__name__} is not valid; expected a torch.optim.Optimizer or None")
        if loss_fn is not None and not callable(loss_fn):
            raise TypeError(f"loss_fn={loss_fn!r} is not valid; expected a callable (e.g. nn.CrossEntropyLoss()) or None")
        if session is not None and not isinstance(session, Session):
            raise TypeError(f"session={session!r} is not valid; expected an umlaut.Session or None")
        validate_types(input_type, output_type)
        from mlnb.notebook import location_of_frame

        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.session = session or Session(name or type(model).__name__, thresholds=thresholds, input_type=input_type,
                                          output_type=output_type, framework="torch", echo=echo, record=record)
        self.session.framework = "torch"
        self.session.chief = is_chief()
        self.thresholds = self.session.thresholds
        self.monitor = Monitor(self.session, "torch", location_of_frame(sys._getframe(1)))
        self._names = {m: n for n, m in _leaves(model)}
        self._epoch, self._batch, self._epoch_batches = 0, 0, 0
        self._calls: list[tuple[str, tuple[int, ...], int, Any]] = []
        self._stats: dict[str, tuple[str, torch.Tensor]] = {}
        self._loss_sum = 0.0  # host sum of the batch losses read so far in this epoch
        self._losses: list[Any] = []  # this epoch's batch losses not read yet (device scalars)
        self._losses_from = 0  # the batch (within the epoch) of the first of them
        self._steps_per_epoch: int | None = None
        self._loss_count = 0
        self._input_sums: list[Any] = []  # one device reduction per float input batch (NaN/Inf carry into it)
        self._inputs_nonfinite = False
        self._batch_failed = False
        self._data_x: list[Any] = []
        self._data_y: list[Any] = []
        self._val_x: list[Any] = []  # first validation batches, for train-val-overlap
        self._val_checked = False
        self._started = self._closed = False
        self._root_output: Any = None
        self._weights0 = self._snapshot()
        self._moved: float | None = None  # the weight change once it reached unchanged_rel (see _weight_change)
        # Modules that behave differently in training and inference (BatchNorm, dropout): for them a
        # training sample is kept, scored in inference mode when the validation loss rises.
        self._mode_dependent = any(isinstance(m, _MODE_DEPENDENT) for m in model.modules())
        self._train_sample: tuple[torch.Tensor, torch.Tensor] | None = None
        self._last_val: float | None = None
        self._pending_probe: Probe | None = None
        # One global forward hook, registered only while a batch is probed: nothing of UMLAUT is
        # stored in the model (per-module hooks made torch.save/pickle/deepcopy of the model carry
        # the monitor and its session along), and unprobed batches pay no hook call at all.
        self._hook: Any = None
        self._probe_every = self.thresholds.probe_every
        self._quiet = False  # True while batch() may take its hot path
        self._set_sampling(True)  # the first forward pass is probed (dataflow + statistics)

    def _set_sampling(self, on: bool) -> None:
        self._sampling = on
        if on:
            self._quiet = False
        if on and self._hook is None and not self._closed:
            method = weakref.WeakMethod(self._forward_hook)  # an abandoned monitor is not kept alive

            def hook(module: nn.Module, inputs: Any, output: Any) -> None:
                bound = method()
                if bound is not None:
                    start = time.perf_counter()  # counted in hook_seconds like every other hook
                    try:
                        bound(module, inputs, output)
                    finally:
                        bound.__self__.session.hook_seconds += time.perf_counter() - start

            self._hook = torch.nn.modules.module.register_module_forward_hook(hook)
        elif not on and self._hook is not None:
            self._hook.remove()
            self._hook = None

    # -- hooks (active on sampled batches only) -------------------------------------------------
    def _forward_hook(self, module: nn.Module, inputs: Any, output: Any) -> None:
        if not self._sampling:
            return
        if module is self.model:
            self._root_output = output
        name = self._names.get(module)
        if name is None or not torch.is_tensor(output):
            return
        in_ids = tuple(id(t) for t in inputs if torch.is_tensor(t))
        # Keep the tensors alive while probing so their ids are not reused within this pass.
        self._calls.append((name, in_ids, id(output), (inputs, output)))
        act = _ACTIVATIONS.get(type(module).__name__)
        with torch.no_grad():
            out = output.detach()
            if act in ("relu", "relu6", "leaky_relu") and out.ndim >= 2:
                alive = (_channel_view(out) > 0).any(dim=0).float().mean()
                self._stats[name] = ("dead", 1.0 - alive)
            elif act == "sigmoid":
                self._stats[name] = ("saturated", ((out < 0.01) | (out > 0.99)).float().mean())
            elif act == "tanh":
                self._stats[name] = ("saturated", (out.abs() > 0.99).float().mean())

    # -- the loop -------------------------------------------------------------------------------
    def batch(self, loss: Any = None, inputs: Any = None, targets: Any = None, outputs: Any = None) -> None:
        """Call once per training batch, after ``optimizer.step()`` (gradients still present)."""
        start = _clock()
        # The hot path, most batches: a finite scalar loss on the host, no probe, no data sample, no
        # dashboard listening. It touches as little as it can: after the training step has filled
        # the caches with tensors, every attribute and call here costs a cache miss or more.
        if self._quiet and type(loss) is _Tensor and loss.is_cpu and not loss.ndim \
                and (self._epoch or (self._batch + 1) % self._probe_every):
            value = loss.item()
            session = self.session
            if value - value == 0.0 and not session.__dict__.get("_listeners"):  # finite (NaN/Inf give NaN)
                self._loss_sum += value
                self._loss_count += 1
                self._batch += 1
                self._epoch_batches += 1
                session.hook_seconds += _clock() - start
                return
        try:
            self._batch_slow(loss, inputs, targets, outputs)
        finally:
            self.session.hook_seconds += _clock() - start

    def _batch_slow(self, loss: Any, inputs: Any, targets: Any, outputs: Any) -> None:
        if self._closed:
            raise RuntimeError("TorchMonitor.batch() called after close(); create a new TorchMonitor")
        if loss is not None:
            try:
                self._add_loss(loss, inputs)
            except Exception as exc:  # noqa: BLE001 - UMLAUT must never stop training; said once per run
                if not self._batch_failed:
                    self._batch_failed = True
                    self.monitor.guarded("batch_loss", _raise, exc)
        if self._batch == 0 or self._sampling or (inputs is not None and not self.monitor.data_checked):
            self._sampled_batch(loss, inputs, targets, outputs)
        self._batch += 1
        self._epoch_batches += 1
        if self._loss_count and self.session.batch_due():  # a displayed dashboard: a few times a second
            self.monitor.guarded("batch_loss", self._read_losses)
            self.session.log_batch(self._epoch, self._epoch_batches - 1, self._loss_sum / self._loss_count,
                                   self._steps_per_epoch)
        # Probe every probe_every batches of the first epoch (its length is unknown yet); later
        # epochs are probed at their first batch only (set by epoch()): the epoch checks use one
        # probe per epoch, so more probes would cost without changing any finding.
        sample = self._epoch == 0 and self._batch % self.thresholds.probe_every == 0
        if sample != self._sampling:
            self._set_sampling(sample)
        if self._calls or self._root_output is not None:
            self._calls, self._root_output = [], None
        if self._batch == 1:
            self.session.flush()
            self.session.print_new()
        # the next batches may take the hot path until a probe, a data sample or an epoch's end
        self._quiet = not self._sampling and self.monitor.data_checked and not self._closed

    def _sampled_batch(self, loss: Any, inputs: Any, targets: Any, outputs: Any) -> None:
        """The rare batches with more work: the first one (static checks), those sampled for the
        data checks, and the probed ones."""
        mon = self.monitor
        if not self._started:
            from mlnb.notebook import location_of_frame

            self._started = True
            mon.ctx.location = location_of_frame(sys._getframe(2)) or mon.ctx.location
            self.session.start({"model": type(self.model).__name__})
        if self._batch == 0:
            mon.guarded("first_batch", self._first_batch, loss, targets, outputs)
            # (a summed loss would not compare with a validation loss over another number of rows)
            if self._mode_dependent and callable(self.loss_fn) and getattr(self.loss_fn, "reduction", "mean") == "mean" \
                    and torch.is_tensor(inputs) and torch.is_tensor(targets):
                rows = self.thresholds.probe_rows
                self._train_sample = (inputs.detach()[:rows].clone(), targets.detach()[:rows].clone())
        if len(self._data_x) < 8 and not mon.data_checked and inputs is not None:
            mon.guarded("data_sample", self._collect, inputs, targets)
        if self._sampling:
            self._pending_probe = mon.guarded("probe", self._probe) or self._pending_probe

    @timed
    def validation(self, inputs: Any, targets: Any = None) -> None:
        """Optionally, once per validation batch: the first batches are compared with the training
        sample (train-val-overlap). Costs a host copy of the first few batches only."""
        mon = self.monitor
        if self._val_checked or not torch.is_tensor(inputs):
            return
        self._val_x.append(inputs.detach()[: self.thresholds.sample_rows].cpu())
        if sum(len(v) for v in self._val_x) < 256 and len(self._val_x) < 8:
            return
        mon.guarded("train_val_overlap", self._check_overlap)

    def _check_overlap(self) -> None:
        from mlnb.umlaut.checks import run_checks

        mon = self.monitor
        self._val_checked = True
        if not mon.data_checked:
            self._run_data_checks()
        mon.ctx.x_val = torch.cat(self._val_x).numpy()
        self._val_x = []
        saved, mon.ctx.epoch = mon.ctx.epoch, -1
        try:
            self.session.add(run_checks("data", mon.ctx, keys=["train-val-overlap"]))
        finally:
            mon.ctx.epoch = saved

    def _add_loss(self, loss: Any, inputs: Any) -> None:
        """Account for one batch's loss, the per-batch hot path.

        A loss on the host (CPU) is read at once: ``item()`` costs less than keeping the tensor,
        and its first non-finite value has the batch's inputs at hand to tell whether they carry
        the NaN/Inf (named as the likely cause). A loss on an accelerator stays there (reading it
        would wait for the device every batch): such losses are read every 64 batches in one host
        copy (see :meth:`_read_losses`), with one device reduction per float input batch, into
        which NaN/Inf in any input batch carries."""
        if not torch.is_tensor(loss):
            self._track_loss(loss)
            if not self._inputs_nonfinite and self.monitor.ctx.nonfinite_loss is not None:
                self._inputs_nonfinite = _nonfinite(inputs)
            return
        if loss.is_cpu:
            value = loss.item() if loss.ndim == 0 else float(loss.detach().float().mean())
            self._loss_count += 1
            self._loss_sum += value
            if not math.isfinite(value) and self.monitor.ctx.nonfinite_loss is None:
                self.monitor.note_nonfinite(self._epoch, self._epoch_batches, value)
                self._inputs_nonfinite = self._inputs_nonfinite or _nonfinite(inputs)
            return
        if not self._losses:
            self._losses_from = self._epoch_batches
        self._losses.append(loss.detach() if loss.ndim == 0 else loss.detach().float().mean())
        self._loss_count += 1
        if torch.is_tensor(inputs) and inputs.is_floating_point():
            self._input_sums.append((inputs.detach() if inputs.requires_grad else inputs).sum())
        if len(self._losses) >= 64:
            self._read_losses()

    def _track_loss(self, loss: Any) -> None:
        """A loss given as a Python number (or anything float() takes)."""
        value = float(loss)
        self._loss_count += 1
        self._loss_sum += value
        if not math.isfinite(value):
            self.monitor.note_nonfinite(self._epoch, self._epoch_batches, value)

    def _read_losses(self) -> None:
        """Copy the batch losses kept on the device to the host (one transfer) and add them up;
        the first non-finite one is noted with its exact batch. The input sums are read with them."""
        losses, self._losses = self._losses, []
        if losses:
            values = torch.stack([v.float() for v in losses]).tolist()
            for i, value in enumerate(values):
                if not math.isfinite(value):
                    self.monitor.note_nonfinite(self._epoch, self._losses_from + i, value)
                    break
            self._loss_sum += math.fsum(values)
        sums, self._input_sums = self._input_sums, []
        if sums and not self._inputs_nonfinite:
            self._inputs_nonfinite = not math.isfinite(float(torch.stack([v.float() for v in sums]).sum()))

    def _first_batch(self, loss: Any, targets: Any, outputs: Any) -> None:
        edges, outputs_names = self._dataflow()
        summary = summarize(self.model, self.loss_fn, self.optimizer, edges=edges if self._calls else None,
                            outputs=outputs_names, targets=targets)
        out = outputs if outputs is not None else self._root_output
        if not summary.outputs and torch.is_tensor(out):
            act = infer_output_activation(out.detach()[:64].float().cpu().numpy())
            name = f"{summary.name}:output"
            summary.layers.append(LayerInfo(name=name, kind="activation", activation=act,
                                            units=int(out.shape[-1]) if out.ndim > 1 else 1, type_name="(observed output)"))
            summary.outputs = (name,)
        self.monitor.static(summary)
        if loss is not None:
            value = float(loss.detach().float().reshape(-1)[0]) if torch.is_tensor(loss) else float(loss)
            self.monitor.ctx.initial_loss = value

    def _dataflow(self) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
        producer: dict[int, str] = {}
        edges: dict[str, tuple[str, ...]] = {}
        for name, in_ids, out_id, _ in self._calls:
            if name not in edges:
                edges[name] = tuple(producer[i] for i in in_ids if i in producer)
            producer[out_id] = name
        outs: tuple[str, ...] = ()
        if torch.is_tensor(self._root_output) and id(self._root_output) in producer:
            outs = (producer[id(self._root_output)],)
        return edges, outs

    def _collect(self, inputs: Any, targets: Any) -> None:
        # Tensors, or dicts/tuples of them (Hugging Face batches, multi-input models): one table.
        x = feature_table(inputs, self.thresholds.sample_rows)
        if x is None:
            self.monitor.data(None)
            self._notice(f"data checks are off for this run: no numeric arrays in the inputs ({type(inputs).__name__})")
            return
        self._data_x.append(x)
        y = as_array(targets, self.thresholds.sample_rows)
        if y is not None and len(y) == len(x):
            self._data_y.append(y)
        rows = sum(len(x) for x in self._data_x)
        if rows >= 256 or len(self._data_x) >= 8:
            self._run_data_checks()

    def _notice(self, text: str) -> None:
        notice(self.session, text)

    def _run_data_checks(self) -> None:
        if self.monitor.data_checked or not self._data_x:
            return
        try:
            x = np.concatenate(self._data_x)
        except ValueError:  # batches of different widths (padded text): the first batch alone
            x = self._data_x[0]
        y = None
        if self._data_y and len(self._data_y) == len(self._data_x):
            try:
                y = np.concatenate(self._data_y)
            except ValueError:
                y = None
        if y is not None and len(y) != len(x):
            y = None
        self._data_x, self._data_y = [], []
        self.monitor.data(x, y, shuffled=None)

    def _probe(self) -> Probe:
        """Turn the device statistics of this sampled batch into host floats (one sync)."""
        probe = Probe(epoch=self._epoch, batch=self._epoch_batches)
        names, values, kinds = [], [], []
        for name, (kind, value) in self._stats.items():
            names.append(name), values.append(value.float().reshape(())), kinds.append(kind)
        grad_names, grad_sq, grad_n = [], [], []
        for module, name in self._names.items():
            grads = [p.grad for p in module.parameters(recurse=False) if p.grad is not None]
            if grads:
                grad_names.append(name)
                grad_sq.append(sum(g.detach().float().pow(2).sum() for g in grads))
                grad_n.append(sum(g.numel() for g in grads))
        flat = torch.stack(values + grad_sq).tolist() if values or grad_sq else []
        for name, kind, v in zip(names, kinds, flat[: len(values)]):
            stats = probe.layers.setdefault(name, LayerStats())
            if kind == "dead":
                stats.dead_fraction = v
            else:
                stats.saturated_fraction = v
        sq = flat[len(values):]
        if sq:
            probe.grad_norm = math.sqrt(sum(sq)) if all(math.isfinite(s) for s in sq) else math.inf
            probe.grad_order = tuple(grad_names)
            for name, s, n in zip(grad_names, sq, grad_n):
                probe.layers.setdefault(name, LayerStats()).grad_rms = math.sqrt(s / max(n, 1)) if math.isfinite(s) else math.inf
        self._stats = {}
        return probe

    def _snapshot(self) -> list[torch.Tensor]:
        with torch.no_grad():
            return [p.detach().reshape(-1)[:4096].clone() for p in self.model.parameters() if p.requires_grad]

    def _weight_change(self) -> float | None:
        """The largest relative change of a weight since training began. Once the weights have
        moved by ``unchanged_rel`` (weights-unchanged can no longer fire), that value is kept and
        the snapshot dropped: later epochs pay nothing for it."""
        if self._moved is not None or not self._weights0:
            return self._moved
        with torch.no_grad():
            now = [p.detach().reshape(-1)[:4096] for p in self.model.parameters() if p.requires_grad]
            changes = [((a - b).abs().max() / (b.abs().max() + 1e-12)).float() for a, b in zip(now, self._weights0) if b.numel()]
        change = float(torch.stack(changes).max()) if changes else None
        if change is not None and change >= self.thresholds.unchanged_rel:
            self._moved, self._weights0 = change, []
        return change

    def _inference_loss(self) -> float | None:
        """The loss of the training sample (the first batch's first ``probe_rows`` rows) with the
        model in inference mode (``eval()``, no gradients): BatchNorm's running statistics and no
        dropout, as the validation data are scored. Every module's train/eval flag is restored."""
        if self._train_sample is None:
            return None
        x, y = self._train_sample
        modes = [(m, m.training) for m in self.model.modules()]
        sampling, self._sampling = self._sampling, False  # UMLAUT's forward hook ignores this pass
        try:
            self.model.eval()
            with torch.no_grad():
                loss = self.loss_fn(self.model(x), y)
        finally:
            for m, mode in modes:
                m.training = mode
            self._sampling = sampling
        if not torch.is_tensor(loss) or not loss.numel():
            return None
        return float(loss.detach().float().mean())

    @timed
    def epoch(self, loss: Any = None, val_loss: Any = None, accuracy: Any = None, val_accuracy: Any = None,
              **metrics: Any) -> None:
        """Call once per epoch; ``loss`` defaults to the mean of the batch losses given to :meth:`batch`."""
        mon = self.monitor
        if not self._started:
            self.session.start({"model": type(self.model).__name__})
            self._started = True
        if not mon.data_checked and self._data_x:
            mon.guarded("data_checks", self._run_data_checks)
        if self._val_x and not self._val_checked:
            mon.guarded("train_val_overlap", self._check_overlap)  # fewer validation rows than a full sample
        mon.guarded("batch_loss", self._read_losses)
        if loss is None and self._loss_count:
            loss = self._loss_sum / self._loss_count
        values = {"loss": loss, "val_loss": val_loss, "accuracy": accuracy, "val_accuracy": val_accuracy, **metrics}
        logs = {k: (float(v.detach()) if torch.is_tensor(v) else float(v)) for k, v in values.items() if v is not None}
        if "loss" in logs and not math.isfinite(logs["loss"]):
            mon.note_nonfinite(self._epoch, None, logs["loss"])
        if self._inputs_nonfinite:
            mon.ctx.inputs_nonfinite = True
        if self.optimizer is not None:
            mon.ctx.model and setattr(mon.ctx.model, "lr", optimizer_info(self.optimizer)[1])
        val = logs.get("val_loss")
        if val is not None and self._last_val is not None and val > self._last_val and self._train_sample is not None:
            # the validation loss rose: score the training sample in inference mode (one forward pass
            # of probe_rows rows) so that overfitting can be told from a BatchNorm/dropout train/inference gap
            value = mon.guarded("inference_loss", self._inference_loss)
            if value is not None:
                mon.ctx.inference_loss[self._epoch] = value
        self._last_val = val
        change = mon.guarded("weight_change", self._weight_change)
        probe, self._pending_probe = self._pending_probe, None
        mon.epoch(self._epoch, logs, probe=probe, weight_change=change)
        self.session.print_new()
        self._epoch += 1
        self._steps_per_epoch = self._epoch_batches or None  # epochs after the first know their length
        self._epoch_batches = 0
        self._set_sampling(True)  # probe the first batch of every epoch (plus every probe_every batches)
        self._loss_sum, self._loss_count, self._losses, self._input_sums = 0.0, 0, [], []

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Displaying the monitor shows its session's live dashboard."""
        return self.session.view()._repr_mimebundle_(**kwargs)

    def close(self, status: str = "finished") -> None:
        """Remove the hooks and end the session (idempotent)."""
        if self._closed:
            return
        self._set_sampling(False)
        self._closed = True
        self._quiet = False
        self.session.end(status)
        self.session.print_new()

    def __enter__(self) -> "TorchMonitor":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close("finished")
        elif issubclass(exc_type, KeyboardInterrupt):
            self.close("interrupted")
        else:
            self.close("failed")

    @property
    def findings(self) -> list:
        return self.session.findings
