"""Framework-neutral summaries that the checks read; adapters build them from Keras/PyTorch objects.

One heuristic = one implementation: the checks never touch a framework object, only these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Layer kinds. Compute layers can carry a built-in activation (Keras `activation=`); "activation"
# layers are pure functions (ReLU, Softmax, Activation('x')); pass-through layers keep linearity.
LINEAR_KINDS = ("dense", "conv")
PASS_THROUGH_KINDS = ("dropout", "flatten", "reshape", "identity", "pool")
KINDS = LINEAR_KINDS + PASS_THROUGH_KINDS + ("activation", "norm", "preprocess", "embedding", "recurrent", "attention", "input", "other")
NONLINEAR = ("relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "mish", "softplus", "softsign",
             "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax", "exponential", "prelu", "hardtanh", "hardswish",
             "hardsigmoid", "celu", "rrelu", "logsigmoid", "softmin", "tanhshrink", "hard_silu", "hard_swish")
PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")
CE_KINDS = ("categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy", "nll")
REGRESSION_LOSSES = ("mse", "mae", "huber", "msle", "logcosh")


@dataclass
class LayerInfo:
    """One layer/module. ``inputs`` names the layers feeding it (empty: a model input or unknown)."""

    name: str
    kind: str
    activation: str | None = None  # built-in activation of a compute layer, or the function of an activation layer
    units: int | None = None  # output units / filters / features
    rate: float | None = None  # dropout rate
    inputs: tuple[str, ...] = ()
    type_name: str = ""
    location: Any = None  # mlnb.notebook.Location | None

    @property
    def label(self) -> str:
        """The name for messages: ``dense_2``, or ``layer 1 (ReLU)`` for nn.Sequential's numbered children."""
        if self.name.replace(".", "").isdigit() or "." in self.name and self.name.split(".")[-1].isdigit():
            return f"layer {self.name} ({self.type_name})"
        return self.name

    @property
    def is_nonlinear(self) -> bool:
        return self.activation in NONLINEAR


@dataclass
class LossInfo:
    """The loss: its kind and what it expects from the model's output."""

    name: str
    kind: str  # one of CE_KINDS, REGRESSION_LOSSES, or 'other'
    expects: str  # 'probabilities' | 'logits' | 'log_probabilities' | 'values' | 'unknown'
    # For a hand-written loss on a probability output: is it still finite when the probabilities
    # saturate to exactly 0 and 1 (a confidently wrong prediction)? False means it takes the log of
    # a probability without a guard. None: not measured (a built-in loss, or the adapter could not call it).
    saturated_finite: bool | None = None


@dataclass
class ModelSummary:
    framework: str  # 'keras' | 'torch'
    name: str
    layers: list[LayerInfo]
    outputs: tuple[str, ...] = ()  # names of the layers whose results are model outputs
    graph_known: bool = False  # True when `inputs` edges are the real dataflow
    loss: LossInfo | None = None
    optimizer: str | None = None
    lr: float | None = None
    location: Any = None  # where the model was created
    backend: str | None = None  # Keras backend ('tensorflow', 'jax', 'torch'); None if not Keras or unknown

    def layer(self, name: str) -> LayerInfo | None:
        return next((layer for layer in self.layers if layer.name == name), None)

    def producer(self, layer: LayerInfo) -> LayerInfo | None:
        """The single layer feeding ``layer`` (None if several, none, or unknown)."""
        if len(layer.inputs) != 1:
            return None
        return self.layer(layer.inputs[0])

    def through_pass_layers(self, layer: LayerInfo | None) -> LayerInfo | None:
        """``layer`` or, if it is a pass-through layer (dropout, flatten ...), the first layer before it that is not."""
        seen = 0
        while layer is not None and layer.kind in PASS_THROUGH_KINDS and seen < 1000:
            layer, seen = self.producer(layer), seen + 1
        return layer

    def output_layers(self) -> list[LayerInfo]:
        return [layer for name in self.outputs if (layer := self.layer(name)) is not None]

    def output_units(self, output: LayerInfo) -> int | None:
        """The width of ``output``: its own units, or those of the layer an activation/pass-through
        layer applies to (``Dense(1)`` followed by ``Activation('softmax')`` has 1 unit)."""
        layer, seen = output, 0
        while layer is not None and layer.units is None and layer.kind in ("activation", *PASS_THROUGH_KINDS) and seen < 1000:
            layer, seen = self.producer(layer), seen + 1
        return layer.units if layer is not None else None

    def output_activation(self, output: LayerInfo) -> str | None:
        """The activation applied last before ``output`` leaves the model ('linear' if none)."""
        layer = self.through_pass_layers(output)
        if layer is None:
            return None
        if layer.kind == "activation":
            return layer.activation
        return layer.activation or "linear"


@dataclass
class LayerStats:
    """Activation/gradient statistics of one layer at one probe (host floats)."""

    dead_fraction: float | None = None  # ReLU-like: fraction of units zero for every sample
    saturated_fraction: float | None = None  # sigmoid/tanh: fraction of outputs at the bounds
    grad_rms: float | None = None  # RMS of the gradient of this layer's weights


@dataclass
class Probe:
    """What one probe of a sample batch measured."""

    epoch: int
    batch: int
    layers: dict[str, LayerStats] = field(default_factory=dict)
    grad_norm: float | None = None  # global gradient norm
    grad_order: tuple[str, ...] = ()  # layers with weights, input side first
    loss: float | None = None


def as_array(value: Any, rows: int | None = None) -> np.ndarray | None:
    """A numpy array of (at most ``rows`` rows of) ``value``; None for things that are not arrays."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and value and not np.isscalar(value[0]):
        return None  # several inputs: data checks handle single inputs only
    kind = type(value).__name__
    if kind == "RaggedTensor":  # tf.ragged: pad to a dense array (the padding is zeros)
        value = value[:rows].to_tensor() if rows is not None else value.to_tensor()
    elif kind == "SparseTensor":  # tf.sparse: densify the first rows only
        import tensorflow as tf

        shape = [int(d) for d in value.dense_shape]
        size = [min(rows, shape[0]) if rows is not None else shape[0], *shape[1:]]
        value = tf.sparse.to_dense(tf.sparse.reorder(tf.sparse.slice(value, [0] * len(shape), size)))
    if hasattr(value, "detach"):  # torch
        value = value.detach()
        if rows is not None:
            value = value[:rows]
        value = value.cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # tf / keras tensor
        value = value[:rows] if rows is not None else value
        value = value.numpy()
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - not array-like: data checks skip it
        return None
    if arr.dtype == object or arr.ndim == 0:
        return None
    return arr[:rows] if rows is not None else arr


def feature_table(value: Any, rows: int | None = None) -> np.ndarray | None:
    """The samples of ``value`` as one array for the data checks: an array as it is; a dict, list or
    tuple of inputs (a multi-input model, ``tf.data`` dict features) as its only numeric input, or
    as one (rows, features) table of all numeric inputs with the same number of rows. None when
    nothing numeric is there."""
    if isinstance(value, dict):
        parts = list(value.values())
    elif isinstance(value, (list, tuple)) and value and not np.isscalar(value[0]):
        parts = list(value)
    else:
        return as_array(value, rows)
    arrays = [a for a in (feature_table(p, rows) for p in parts)
              if a is not None and a.ndim >= 1 and (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_)]
    if not arrays:
        return None
    if len(arrays) == 1:
        return arrays[0]
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        return None
    integer = all(np.issubdtype(a.dtype, np.integer) for a in arrays)
    return np.concatenate([a.reshape(n, -1).astype(np.int64 if integer else np.float64) for a in arrays], axis=1)


def is_finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def infer_output_activation(y_pred: Any) -> str | None:
    """'softmax' / 'log_softmax' / 'sigmoid' / 'linear' from what a model actually outputs (for
    subclassed models and functional calls such as ``F.log_softmax`` that no hook sees)."""
    arr = as_array(y_pred)
    if arr is None or arr.size == 0 or not np.issubdtype(arr.dtype, np.floating):
        return None
    if arr.ndim >= 2 and arr.shape[-1] > 1 and np.all(np.nan_to_num(arr, nan=0.0, neginf=-1.0) <= 1e-6):
        # log-probabilities: every value <= 0 (-inf allowed: log(0)) and each row's exp sums to 1
        with np.errstate(over="ignore", under="ignore"):
            sums = np.exp(arr.astype(np.float64)).sum(axis=-1)
        if np.all(np.isfinite(np.nan_to_num(arr, neginf=0.0))) and np.allclose(sums, 1, atol=1e-3):
            return "log_softmax"
    if not np.all(np.isfinite(arr)):
        return None
    if arr.min() >= 0 and arr.max() <= 1:
        if arr.ndim >= 2 and arr.shape[-1] > 1 and np.allclose(arr.sum(axis=-1), 1, atol=1e-3):
            return "softmax"
        return "sigmoid"
    return "linear"
