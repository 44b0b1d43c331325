"""The model-adapter layer: Keras models, PyTorch modules and plain callables behind one interface.

Every adapter takes NHWC float32 images in [0, 1] and returns class probabilities. Framework
conventions are handled here and nowhere else: PyTorch modules receive NCHW tensors, Keras models and
callables NHWC arrays; softmax is applied when a model returns logits. Adapters that can give
gradients expose :meth:`ModelAdapter.torch_forward` (a differentiable NHWC → probabilities function),
which is what Captum's Integrated Gradients attributes through — Keras on TensorFlow is bridged into
torch autograd, so one attribution implementation serves every framework.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _is_torch_module(model: Any) -> bool:
    torch = __import__("sys").modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


def _is_keras_model(model: Any) -> bool:
    keras = __import__("sys").modules.get("keras")
    return keras is not None and isinstance(model, keras.Model)


def _looks_like_probabilities(out: np.ndarray) -> bool:
    return bool(np.all(out >= -1e-6) and np.allclose(out.sum(axis=1), 1.0, atol=1e-3))


class ModelAdapter:
    """Uniform ``predict`` (+ optional gradients) over a Keras model, torch module or callable.

    Example::

        adapter = ModelAdapter(my_torch_cnn, batch_size=64)
        probs = adapter.predict(images)        # (n, n_classes), rows sum to 1
    """

    def __init__(self, model: Any, batch_size: int = 64, name: str = "model"):
        if not callable(model):
            raise TypeError(
                f"{name}={type(model).__name__!r} is not a model; expected a Keras model, a PyTorch module "
                "or a callable mapping a batch of NHWC images to logits or probabilities"
            )
        self.model = model
        self.name = name
        self.batch_size = int(batch_size)
        if _is_torch_module(model):
            self.kind = "torch"
        elif _is_keras_model(model):
            import keras

            self.kind = "keras-torch" if keras.backend.backend() == "torch" else (
                "keras-tf" if keras.backend.backend() == "tensorflow" else "keras")
        else:
            self.kind = "callable"
        self._softmax: bool | None = None  # decided from the first outputs seen
        self.n_classes: int | None = None

    @property
    def has_gradients(self) -> bool:
        return self.kind in ("torch", "keras-torch", "keras-tf")

    # -- raw outputs -----------------------------------------------------------------------------
    def _raw(self, x: np.ndarray) -> np.ndarray:
        """Model outputs (logits or probabilities) for an NHWC float32 batch."""
        if self.kind == "torch":
            import torch

            with torch.no_grad():
                out = self.model(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous())
            out = out.detach().cpu().numpy()
        elif self.kind.startswith("keras"):
            out = self.model(x, training=False)
            out = out.detach().cpu().numpy() if hasattr(out, "detach") else np.asarray(out)
        else:
            out = np.asarray(self.model(x))
        out = np.asarray(out, dtype=np.float64)
        if out.ndim != 2 or out.shape[0] != len(x):
            raise ValueError(
                f"{self.name} returned shape {out.shape} for a batch of {len(x)} images; expected "
                f"({len(x)}, n_classes) logits or probabilities"
            )
        finite = np.isfinite(out)
        if not finite.all():
            bad = "NaN" if np.isnan(out).any() else "infinite"
            raise ValueError(
                f"{self.name} returned {bad} outputs ({int((~finite).sum())} of {out.size} values for a batch of "
                f"{len(x)} images); expected finite logits or probabilities (check the model's weights and inputs)"
            )
        return out

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (n, n_classes) for NHWC float images in [0, 1], in batches."""
        outs = [self._raw(np.ascontiguousarray(images[i:i + self.batch_size], dtype=np.float32))
                for i in range(0, len(images), self.batch_size)]
        out = np.concatenate(outs) if outs else np.zeros((0, self.n_classes or 0))
        if self._softmax is None and len(out):
            self._softmax = not _looks_like_probabilities(out)
            self.n_classes = out.shape[1]
        if self._softmax:
            out = np.exp(out - out.max(axis=1, keepdims=True))
            out /= out.sum(axis=1, keepdims=True)
        return out

    # -- gradients -------------------------------------------------------------------------------
    def torch_forward(self) -> Callable[[Any], Any]:
        """A differentiable function: torch NHWC float tensor → probabilities (n, n_classes).

        Call :meth:`predict` once before, so the logits-vs-probabilities decision is made.
        """
        import torch

        if not self.has_gradients:
            raise TypeError(f"{self.name} is a plain callable; it has no gradients")
        softmax = bool(self._softmax)

        if self.kind == "torch":
            def raw(x: Any) -> Any:
                return self.model(x.permute(0, 3, 1, 2))
        elif self.kind == "keras-torch":
            def raw(x: Any) -> Any:
                return self.model(x, training=False)
        else:
            raw = _TFBridge(self.model).apply

        def forward(x: Any) -> Any:
            out = raw(x)
            return torch.softmax(out, dim=1) if softmax else out

        return forward


class _TFBridge:
    """Keras-on-TensorFlow model as a torch autograd function (forward in TF, backward by tf.GradientTape)."""

    def __init__(self, model: Any):
        import torch

        keras_model = model

        class Fn(torch.autograd.Function):
            @staticmethod
            def forward(ctx: Any, x: Any) -> Any:
                ctx.save_for_backward(x)
                out = keras_model(x.detach().cpu().numpy(), training=False)
                return torch.from_numpy(np.array(out, dtype=np.float32))

            @staticmethod
            def backward(ctx: Any, grad_out: Any) -> Any:
                import tensorflow as tf

                (x,) = ctx.saved_tensors
                xt = tf.convert_to_tensor(x.detach().cpu().numpy())
                with tf.GradientTape() as tape:
                    tape.watch(xt)
                    out = keras_model(xt, training=False)
                grad = tape.gradient(out, xt, output_gradients=tf.convert_to_tensor(grad_out.cpu().numpy()))
                return torch.from_numpy(np.array(grad, dtype=np.float32))

        self.apply = Fn.apply
