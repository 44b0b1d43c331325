"""Hugging Face adapter: :class:`UmlautTrainerCallback` for ``transformers.Trainer``."""

from __future__ import annotations

from typing import Any, Mapping

from transformers import TrainerCallback

from mlnb.umlaut.config import Thresholds
from mlnb.umlaut.session import Session, validate_types
from mlnb.umlaut.summary import LossInfo


class UmlautTrainerCallback(TrainerCallback):
    """UMLAUT for ``transformers.Trainer``: a :class:`~mlnb.umlaut.adapters.torch.TorchMonitor` driven
    by the Trainer's events. Only the main process (``state.is_world_process_zero``) reports.

    Example
    -------
    >>> cb = UmlautTrainerCallback(output_type="classification")               # doctest: +SKIP
    >>> trainer = Trainer(model=model, args=args, train_dataset=ds, callbacks=[cb])
    >>> trainer.train(); cb.session.findings

    Probes run right before the optimizer step (gradients present); the epoch's training loss is
    the mean of the losses the Trainer logged in it, the validation values come from its evaluations.
    """

    def __init__(self, input_type: str | None = None, output_type: str | None = None, session: Session | None = None,
                 thresholds: Thresholds | Mapping[str, Any] | None = None, name: str | None = None,
                 echo: bool = True, record: bool = True) -> None:
        validate_types(input_type, output_type)
        self.options = dict(input_type=input_type, output_type=output_type, session=session,
                            thresholds=Thresholds.coerce(thresholds), name=name, echo=echo, record=record)
        self.monitor: Any = None
        self._losses: list[float] = []
        self._pending: dict[str, float] | None = None

    @property
    def session(self) -> Session | None:
        return self.monitor.session if self.monitor is not None else self.options["session"]

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, optimizer: Any = None, **kw: Any) -> None:
        from mlnb.umlaut.adapters.torch import TorchMonitor

        self.monitor = TorchMonitor(model, optimizer=optimizer, **self.options)
        self.monitor.session.chief = bool(state.is_world_process_zero)
        self._loss_hint = _loss_of(model)

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        mon = self.monitor
        if mon is None:
            return
        if kw.get("optimizer") is not None and mon.optimizer is None:
            mon.optimizer = kw["optimizer"]
        mon.batch()
        summary = mon.monitor.ctx.model
        if summary is not None and summary.loss is None and self._loss_hint is not None:
            summary.loss = self._loss_hint

    def on_log(self, args: Any, state: Any, control: Any, logs: Mapping[str, Any] | None = None, **kw: Any) -> None:
        logs = dict(logs or {})
        if "loss" in logs:
            self._losses.append(float(logs["loss"]))

    def on_epoch_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        self._flush()  # an evaluation of the previous epoch never came
        loss = sum(self._losses) / len(self._losses) if self._losses else None
        self._losses = []
        self._pending = {"loss": loss} if loss is not None else {}
        strategy = getattr(args, "eval_strategy", "no")
        if getattr(strategy, "value", strategy) != "epoch":
            self._flush()  # no evaluation follows this epoch's end

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: Mapping[str, Any] | None = None, **kw: Any) -> None:
        if self._pending is None:
            return
        metrics = dict(metrics or {})
        if "eval_loss" in metrics:
            self._pending["val_loss"] = metrics["eval_loss"]
        for key in ("eval_accuracy", "eval_acc"):
            if key in metrics:
                self._pending["val_accuracy"] = metrics[key]
        self._flush()

    def _flush(self) -> None:
        if self._pending is None or self.monitor is None:
            return
        pending, self._pending = self._pending, None
        loss = pending.pop("loss", None)
        if loss is None and not pending:
            return
        self.monitor.epoch(loss=loss, **pending)

    def on_train_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        self._flush()
        if self.monitor is not None:
            self.monitor.close("finished")


def _loss_of(model: Any) -> LossInfo | None:
    """The loss a transformers model computes itself, from its config (problem_type, num_labels)."""
    config = getattr(model, "config", None)
    if config is None:
        return None
    problem = getattr(config, "problem_type", None)
    labels = getattr(config, "num_labels", None)
    if problem == "regression" or (problem is None and labels == 1):
        return LossInfo("MSELoss (in the model)", "mse", "values")
    if problem == "multi_label_classification":
        return LossInfo("BCEWithLogitsLoss (in the model)", "binary_crossentropy", "logits")
    if labels:
        return LossInfo("CrossEntropyLoss (in the model)", "sparse_categorical_crossentropy", "logits")
    return None
