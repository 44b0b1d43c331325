"""``%%umlaut`` around a plain PyTorch training loop: a :class:`TorchMonitor` with no code change.

Inside the cell, UMLAUT watches what every PyTorch loop does anyway:

- ``loss.backward()`` (``torch.Tensor.backward`` is wrapped for the cell): the loss of the batch;
- ``optimizer.step()`` (a global optimizer step hook): one training batch. At the first step the
  model is found among the notebook's variables (the ``nn.Module`` that owns the optimizer's
  parameters) and a :class:`~mlnb.umlaut.adapters.torch.TorchMonitor` is attached;
- the model's forward input (a global forward pre-hook, removed once the data checks have their
  sample): the batch for the data checks;
- ``iter(train_loader)`` (``DataLoader.__iter__`` is wrapped for the cell): a new pass over the
  loader that fed the first step starts a new epoch; the cell's end closes the last one.

The loss function is named from the loss's autograd node where that is unambiguous (MSE, L1,
BCE, BCE-with-logits). Everything is undone when the cell ends, also when it raises.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Any, Iterator

# autograd node of the loss -> the torch.nn.functional name the TorchMonitor understands
_LOSS_NODES = {"MseLossBackward0": "mse_loss", "L1LossBackward0": "l1_loss", "SmoothL1LossBackward0": "smooth_l1_loss",
               "HuberLossBackward0": "huber_loss", "BinaryCrossEntropyBackward0": "binary_cross_entropy",
               "BinaryCrossEntropyWithLogitsBackward0": "binary_cross_entropy_with_logits"}


def _named(name: str) -> Any:
    def loss(*args: Any, **kwargs: Any) -> None:  # only its name is read
        return None

    loss.__name__ = name
    return loss


class _Watcher:
    def __init__(self, namespace: list[dict[str, Any]], options: dict[str, Any]) -> None:
        self.namespace, self.options = namespace, options
        self.monitor: Any = None
        self.loss: Any = None
        self.optimizer: Any = None
        self.loader: Any = None  # the DataLoader that fed the first step
        self.last_loader: Any = None
        self.steps_in_epoch = 0
        self.failed = False
        self.inputs: Any = None  # the model's input of the current batch (for the data checks)
        self.input_hook: Any = None
        self.seconds = 0.0  # time in the watching wrappers before a monitor is attached

    def counted(self) -> float:
        """UMLAUT's clock so far (0 before a monitor is attached)."""
        return self.monitor.session.hook_seconds if self.monitor is not None else 0.0

    def spent(self, start: float, inner: float = 0.0) -> None:
        """Count the time since ``start`` (a wrapper's own work), less ``inner`` seconds the
        monitor's hooks counted themselves meanwhile, in UMLAUT's clock, ``session.hook_seconds``."""
        dt = time.perf_counter() - start - inner
        if self.monitor is not None:
            self.monitor.session.hook_seconds += dt + self.seconds
            self.seconds = 0.0
        else:
            self.seconds += dt

    # -- events ---------------------------------------------------------------------------------
    def on_backward(self, tensor: Any) -> None:
        if tensor.ndim == 0 or tensor.numel() == 1:
            self.loss = tensor

    def on_iter(self, loader: Any) -> None:
        self.last_loader = loader
        if self.monitor is not None and loader is self.loader and self.steps_in_epoch:
            self._end_epoch()

    def on_step(self, optimizer: Any) -> None:
        if self.failed:
            return
        if self.monitor is None:
            if not self._attach(optimizer):
                return
        if optimizer is not self.optimizer:
            return  # a second optimizer (a GAN's discriminator): one monitor follows the first
        self.monitor.batch(loss=self.loss, inputs=self.inputs)
        self.steps_in_epoch += 1
        self.loss = self.inputs = None
        if self.input_hook is not None and self.monitor.monitor.data_checked:
            self.input_hook.remove()  # the data checks have their sample: stop looking at inputs
            self.input_hook = None

    def on_forward(self, module: Any, args: Any) -> None:
        if self.monitor is not None and module is self.monitor.model and args:
            self.inputs = args[0]

    # -- helpers --------------------------------------------------------------------------------
    def _attach(self, optimizer: Any) -> bool:
        from torch import nn

        from mlnb.umlaut.adapters.torch import TorchMonitor

        params = {id(p) for group in optimizer.param_groups for p in group["params"]}
        owners = [m for ns in self.namespace for m in list(ns.values()) if isinstance(m, nn.Module)
                  and any(id(p) in params for p in m.parameters())]
        if not owners:
            self.failed = True
            print("UMLAUT: no nn.Module owning the optimizer's parameters among the notebook's variables: "
                  "this loop is not watched (attach a TorchMonitor)", flush=True)
            return False
        model = max(owners, key=lambda m: sum(1 for _ in m.parameters()))
        node = type(getattr(self.loss, "grad_fn", None)).__name__
        loss_fn = _named(_LOSS_NODES[node]) if node in _LOSS_NODES else None
        self.optimizer, self.loader = optimizer, self.last_loader
        self.monitor = TorchMonitor(model, optimizer=optimizer, loss_fn=loss_fn, **self.options)
        return True

    def _end_epoch(self) -> None:
        self.monitor.epoch()
        self.steps_in_epoch = 0

    def close(self, error: BaseException | None) -> None:
        if self.monitor is None:
            return
        if error is None and self.steps_in_epoch:
            self._end_epoch()
        status = "finished" if error is None else ("interrupted" if isinstance(error, KeyboardInterrupt) else "failed")
        self.monitor.close(status)


@contextmanager
def watch_torch(namespace: list[dict[str, Any]], **options: Any) -> Iterator[_Watcher | None]:
    """Within the block, attach a TorchMonitor to the first PyTorch loop that steps an optimizer."""
    if "torch" not in sys.modules:
        yield None
        return
    import torch
    from torch.optim.optimizer import register_optimizer_step_post_hook
    from torch.utils.data import DataLoader

    options = {k: v for k, v in options.items() if k in ("input_type", "output_type", "name", "thresholds")}
    watcher = _Watcher(namespace, options)
    original_backward, original_iter = torch.Tensor.backward, DataLoader.__iter__

    def backward(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            watcher.on_backward(self)
        except Exception:  # noqa: BLE001 - watching must never break the loop
            pass
        watcher.spent(start)
        return original_backward(self, *args, **kwargs)

    def loader_iter(self: Any) -> Any:
        start, counted = time.perf_counter(), watcher.counted()
        try:
            watcher.on_iter(self)  # may end an epoch: monitor.epoch() counts itself
        except Exception:  # noqa: BLE001
            pass
        watcher.spent(start, watcher.counted() - counted)
        return original_iter(self)

    def step_hook(optimizer: Any, args: Any, kwargs: Any) -> None:
        start, counted = time.perf_counter(), watcher.counted()
        try:
            watcher.on_step(optimizer)  # attaches the monitor (its setup is counted here), calls monitor.batch()
        except Exception:  # noqa: BLE001
            watcher.failed = True
        watcher.spent(start, watcher.counted() - counted)  # monitor.batch() counted itself

    torch.Tensor.backward = backward  # type: ignore[method-assign]
    DataLoader.__iter__ = loader_iter  # type: ignore[method-assign]
    def forward_pre_hook(module: Any, args: Any) -> None:
        start = time.perf_counter()
        try:
            watcher.on_forward(module, args)
        except Exception:  # noqa: BLE001
            pass
        watcher.spent(start)

    handle = register_optimizer_step_post_hook(step_hook)
    watcher.input_hook = torch.nn.modules.module.register_module_forward_pre_hook(forward_pre_hook)
    error: BaseException | None = None
    try:
        yield watcher
    except BaseException as exc:
        error = exc
        raise
    finally:
        handle.remove()
        if watcher.input_hook is not None:
            watcher.input_hook.remove()
        torch.Tensor.backward = original_backward  # type: ignore[method-assign]
        DataLoader.__iter__ = original_iter  # type: ignore[method-assign]
        try:
            watcher.close(error)
        except Exception:  # noqa: BLE001
            pass
