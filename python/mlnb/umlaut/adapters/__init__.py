"""Framework adapters: they turn Keras / PyTorch / Hugging Face objects into the neutral summaries
of :mod:`mlnb.umlaut.summary` and drive a :class:`mlnb.umlaut.engine.Monitor`."""

from __future__ import annotations

import functools
import json
import os
import time
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def timed(method: F) -> F:
    """Add the seconds spent in an adapter's hook to its session's ``hook_seconds`` (UMLAUT's own
    clock: two clock reads per call, so adapters may time every per-batch hook).

    Example
    -------
    >>> from mlnb.umlaut import Session
    >>> class Hooks:
    ...     session = Session(record=False, echo=False)
    ...     @timed
    ...     def on_batch(self):
    ...         return 1
    >>> h = Hooks(); h.on_batch()
    1
    >>> h.session.hook_seconds > 0
    True
    """

    @functools.wraps(method)
    def timed_method(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return method(self, *args, **kwargs)
        finally:
            session = self.session
            if session is not None:
                session.hook_seconds += time.perf_counter() - start

    return timed_method  # type: ignore[return-value]


def is_chief() -> bool:
    """True in the process that reports under distributed training (rank 0 / the chief task)."""
    rank = os.environ.get("RANK")  # torchrun, accelerate, deepspeed
    if rank not in (None, "") and rank != "0":
        return False
    try:
        import sys

        if "torch.distributed" in sys.modules:
            import torch.distributed as dist

            if dist.is_available() and dist.is_initialized() and dist.get_rank() != 0:
                return False
    except Exception:  # noqa: BLE001
        pass
    tf_config = os.environ.get("TF_CONFIG")
    if tf_config:
        try:
            cfg = json.loads(tf_config)
            task = cfg.get("task", {})
            kind, index = task.get("type"), int(task.get("index", 0))
            has_chief = "chief" in cfg.get("cluster", {})
            if kind == "chief":
                return True
            if kind == "worker" and not has_chief and index == 0:
                return True
            if kind is not None:
                return False
        except (ValueError, TypeError, AttributeError):
            pass
    return True


def notice(session: object, text: str) -> None:
    """Print ``UMLAUT: text`` once per session: a check that cannot run says so, in one line.

    Example
    -------
    >>> from mlnb.umlaut import Session
    >>> s = Session(record=False)
    >>> notice(s, "data checks are off for this run: no arrays")
    UMLAUT: data checks are off for this run: no arrays
    >>> notice(s, "data checks are off for this run: no arrays")
    """
    import sys

    seen = session.__dict__.setdefault("_notices", set())
    if text in seen:
        return
    seen.add(text)
    session.__dict__.setdefault("notices", []).append(text)
    if getattr(session, "echo", False) and getattr(session, "chief", True):
        print(f"UMLAUT: {text}", file=getattr(session, "stream", None) or sys.stdout, flush=True)
