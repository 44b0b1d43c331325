"""The public functions of :mod:`mlnb.umlaut` that are not adapters: one-shot checks, the
instrumentation behind ``%%umlaut`` / ``%umlaut on``, and reading recorded sessions."""

from __future__ import annotations

import inspect
import math
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from mlnb.umlaut.config import Thresholds
from mlnb.umlaut.findings import Finding
from mlnb.umlaut.session import Session, validate_types


def _framework_of(model: Any) -> str:
    for klass in type(model).__mro__:
        module = klass.__module__ or ""
        if module.startswith("keras") or module.startswith("tf_keras"):
            return "keras"
        if module.startswith("torch"):
            return "torch"
    raise TypeError(f"model={type(model).__name__} is not valid; expected a keras.Model or a torch.nn.Module")


def check_model(model: Any, input_type: str | None = None, output_type: str | None = None,
                thresholds: Thresholds | dict | None = None, loss_fn: Any = None, optimizer: Any = None) -> list[Finding]:
    """Static checks of a model (structure, loss, optimizer) without training.

    Example
    -------
    >>> findings = umlaut.check_model(model, output_type="classification")   # doctest: +SKIP
    >>> [f.key for f in findings]                                            # doctest: +SKIP
    ['missing-activation']

    Keras models are judged with their compiled loss and optimizer; for a torch module pass
    ``loss_fn`` and ``optimizer`` (only ``nn.Sequential`` structure is known without a forward pass).
    """
    validate_types(input_type, output_type)
    from mlnb.umlaut.engine import Monitor

    session = Session(thresholds=thresholds, input_type=input_type, output_type=output_type, record=False, echo=False)
    framework = _framework_of(model)
    if framework == "keras":
        from mlnb.umlaut.adapters.keras import summarize
        summary = summarize(model)
    else:
        from mlnb.umlaut.adapters.torch import summarize
        summary = summarize(model, loss_fn=loss_fn, optimizer=optimizer)
    session.framework = framework
    return Monitor(session, framework).static(summary)


def check_data(x: Any, y: Any = None, x_val: Any = None, y_val: Any = None, input_type: str | None = None,
               output_type: str | None = None, thresholds: Thresholds | dict | None = None,
               shuffled: bool | None = None, framework: str = "keras") -> list[Finding]:
    """Data checks of arrays (NumPy, torch or tf tensors): normalization, shapes, constant inputs,
    train/validation overlap, label order and class balance.

    Example
    -------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).integers(0, 256, (100, 8, 8, 1)).astype("float32")
    >>> [f.key for f in check_data(x, input_type="image")]
    ['input-not-normalized']
    """
    validate_types(input_type, output_type)
    if framework not in ("keras", "torch"):
        raise ValueError(f"framework={framework!r} is not valid; expected 'keras' or 'torch'")
    from mlnb.umlaut.engine import Monitor
    from mlnb.umlaut.summary import as_array

    if x is None or as_array(x, 2) is None:
        raise TypeError(f"x={type(x).__name__} is not valid; expected an array of samples (NumPy, torch or tf)")
    session = Session(thresholds=thresholds, input_type=input_type, output_type=output_type, record=False,
                      echo=False, framework=framework)
    return Monitor(session, framework).data(x, y, x_val, y_val, shuffled=shuffled)


# -- instrumentation of Keras fit -------------------------------------------------------------
_state = threading.local()
_notebook_options: dict[str, Any] | None = None
_original_fit: Any = None
sessions: list[Session] = []  # sessions started by instrumentation in this process, oldest first


def _options() -> dict[str, Any] | None:
    stack = getattr(_state, "stack", [])
    if stack:
        return stack[-1]
    return _notebook_options


def _patch_keras(module_name: str = "keras.src.models.model") -> None:
    global _original_fit
    if _original_fit is not None:
        return
    # Called possibly while `import keras` is still running: take the class from its own module.
    Model = sys.modules[module_name].Model
    _original_fit = Model.fit

    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        opts = _options()
        if opts is None:
            return _original_fit(self, *args, **kwargs)
        return _instrumented_fit(self, args, kwargs, opts)

    fit.__doc__ = _original_fit.__doc__
    fit._mlnb_instrumented = True  # type: ignore[attr-defined]
    Model.fit = fit


def _instrumented_fit(model: Any, args: tuple, kwargs: dict, opts: dict[str, Any]) -> Any:
    from mlnb.umlaut.adapters.keras import UmlautCallback

    bound = inspect.signature(_original_fit).bind(model, *args, **kwargs)
    params = dict(bound.arguments)
    params.pop("self", None)
    params.update(params.pop("kwargs", {}) or {})
    callbacks = list(params.get("callbacks") or [])
    if any(isinstance(c, UmlautCallback) for c in callbacks):
        return _original_fit(model, *args, **kwargs)  # the user attached one already
    x = params.get("x")
    if inspect.isgenerator(x) or (hasattr(x, "__next__") and not hasattr(x, "__len__") and not hasattr(x, "element_spec")):
        first = next(x)
        rest = x

        def replay() -> Iterator[Any]:
            yield first
            yield from rest

        params["x"] = replay()
        x = first[0] if isinstance(first, (tuple, list)) else first
        y = first[1] if isinstance(first, (tuple, list)) and len(first) > 1 else None
        fit_args = {"x": x, "y": y, "shuffle": None}
    else:
        fit_args = {k: params.get(k) for k in ("x", "y", "validation_data", "validation_split")}
        fit_args["shuffle"] = params.get("shuffle", True)
        split = params.get("validation_split") or 0.0
        if split and params.get("validation_data") is None:
            from mlnb.umlaut.summary import as_array

            xa, ya = as_array(x), as_array(params.get("y"))
            if xa is not None:
                cut = int(len(xa) * (1 - split))
                fit_args.update(x=xa[:cut], y=None if ya is None else ya[:cut], val_x=xa[cut:],
                                val_y=None if ya is None else ya[cut:])
    cb = UmlautCallback(**opts)
    if _dashboard_wanted():  # %%umlaut in a notebook: the live dashboard appears under the cell now
        session = Session(opts["name"] or model.name, thresholds=opts["thresholds"], input_type=opts["input_type"],
                          output_type=opts["output_type"], framework="keras")
        cb = UmlautCallback(session=session, **opts)
        _display_dashboard(session)
    cb._fit_args = fit_args
    params["callbacks"] = callbacks + [cb]
    try:
        result = _original_fit(model, **params)
    except KeyboardInterrupt:
        if cb.session is not None:
            cb.session.end("interrupted")
        raise
    except BaseException:
        if cb.session is not None:
            cb.session.end("failed")
        raise
    finally:
        if cb.session is not None:
            sessions.append(cb.session)
    return result


def _dashboard_wanted() -> bool:
    """In a Jupyter kernel (a front end renders widgets) unless ``MLNB_UMLAUT_DASHBOARD=0``."""
    import os

    if os.environ.get("MLNB_UMLAUT_DASHBOARD", "1") == "0" or "ipykernel" not in sys.modules:
        return False
    from mlnb.umlaut.session import registry_shell

    return type(registry_shell()).__name__ == "ZMQInteractiveShell"


def _display_dashboard(session: Session) -> None:
    try:
        from IPython.display import display

        display(session.view())
    except Exception as exc:  # noqa: BLE001 - no dashboard is no reason to stop training
        import warnings

        warnings.warn(f"mlnb: the UMLAUT dashboard could not be shown: {exc}", RuntimeWarning, stacklevel=2)


def _check_options(input_type: Any, output_type: Any, name: Any, thresholds: Any) -> dict[str, Any]:
    validate_types(input_type, output_type)
    if name is not None and (not isinstance(name, str) or not name):
        raise ValueError(f"name={name!r} is not valid; expected a non-empty string or None")
    return {"input_type": input_type, "output_type": output_type, "name": name,
            "thresholds": Thresholds.coerce(thresholds)}


def _ensure_patched() -> None:
    from mlnb.umlaut.locate import after_import

    after_import("keras.src.models.model", _patch_keras)


@contextmanager
def instrument(input_type: str | None = None, output_type: str | None = None, name: str | None = None,
               thresholds: Thresholds | dict | None = None) -> Iterator[list[Session]]:
    """Within the block, every Keras ``Model.fit`` gets an :class:`UmlautCallback` (unless one is
    passed already); yields the list of sessions started inside. This is ``%%umlaut``.

    Example
    -------
    >>> with umlaut.instrument(input_type="image") as started:    # doctest: +SKIP
    ...     model.fit(x, y, epochs=3)
    >>> started[0].findings                                     # doctest: +SKIP
    """
    opts = _check_options(input_type, output_type, name, thresholds)
    _ensure_patched()
    stack = getattr(_state, "stack", None)
    if stack is None:
        stack = _state.stack = []
    stack.append(opts)
    before = len(sessions)
    from mlnb.umlaut import session as session_module

    before_any = len(session_module.STARTED)
    started: list[Session] = []
    from mlnb.notebook import user_frame
    from mlnb.umlaut.autotorch import watch_torch

    caller = user_frame(sys._getframe(1))
    # live dicts: the model is usually created inside the cell, after the block starts
    namespace = [caller.f_globals] + ([caller.f_locals] if caller.f_locals is not caller.f_globals else []) \
        if caller is not None else []
    try:
        with watch_torch(namespace, **opts):  # a plain PyTorch loop in the block gets a TorchMonitor
            yield started
    finally:
        stack.pop()
        started.extend(sessions[before:])
        started.extend(s for s in session_module.STARTED[before_any:] if s not in started)
    if len(session_module.STARTED) == before_any:
        # The cell ran without anything UMLAUT can watch: say so instead of staying silent.
        print(NOTHING_TO_WATCH, flush=True)


NOTHING_TO_WATCH = ("UMLAUT: nothing to watch in this cell: no Keras fit, Hugging Face Trainer or PyTorch optimizer "
                    "step ran (a scikit-learn fit has no training loop UMLAUT can check)")


def enable_notebook(input_type: str | None = None, output_type: str | None = None, name: str | None = None,
                    thresholds: Thresholds | dict | None = None) -> None:
    """Instrument every Keras ``fit`` from now on (``%umlaut on``); :func:`disable_notebook` stops it."""
    global _notebook_options
    _notebook_options = _check_options(input_type, output_type, name, thresholds)
    _ensure_patched()


def disable_notebook() -> None:
    """Stop instrumenting Keras ``fit`` notebook-wide (``%umlaut off``)."""
    global _notebook_options
    _notebook_options = None


# -- recorded sessions ------------------------------------------------------------------------
def list_sessions() -> Any:
    """The recorded UMLAUT sessions, newest first, as a pandas DataFrame (``%umlaut list``)."""
    import datetime

    import pandas as pd

    from mlnb.store import default_store

    rows = []
    for r in default_store().runs(tool="umlaut"):
        rows.append({
            "id": r["id"], "name": r["name"], "status": r["status"],
            "epochs": r["epochs"],
            "critical": r["findings"]["critical"], "error": r["findings"]["error"], "warning": r["findings"]["warning"],
            "notebook": _short_path(r["notebook_path"]), "cell": r["execution_count"],
            "started": datetime.datetime.fromtimestamp(r["started"]).strftime("%Y-%m-%d %H:%M:%S"),
        })
    columns = ["id", "name", "status", "epochs", "critical", "error", "warning", "notebook", "cell", "started"]
    table = pd.DataFrame(rows, columns=columns).set_index("id")
    table["cell"] = table["cell"].astype("Int64")  # prompt numbers, not floats, even with gaps
    return table


def _short_path(path: str | None) -> str | None:
    """A notebook path as the user knows it: relative to the working folder, or under ``~``."""
    import os

    if not path or not os.path.isabs(path):
        return path
    cwd, home = os.getcwd(), os.path.expanduser("~")
    if path.startswith(cwd + os.sep):
        return os.path.relpath(path, cwd)
    if path.startswith(home + os.sep):
        return "~" + path[len(home):]
    return path


def _find_run(store: Any, name_or_id: Any) -> dict:
    """The run of ``name_or_id`` (a name: the newest session of that name; or a numeric id)."""
    runs = store.runs(tool="umlaut")
    run = None
    if isinstance(name_or_id, int) or (isinstance(name_or_id, str) and name_or_id.isdigit()):
        run = next((r for r in runs if r["id"] == int(name_or_id)), None)
    if run is None:
        run = next((r for r in runs if r["name"] == str(name_or_id)), None)
    if run is None:
        names = ", ".join(repr(r["name"]) for r in runs[:10]) or "none recorded yet"
        raise KeyError(f"name_or_id={name_or_id!r} matches no UMLAUT session; recent sessions: {names}")
    return run


def load_session(name_or_id: str | int) -> Session:
    """A recorded session read back from the store: findings (with their dismissals), metric
    history, status and configuration. It is not recorded again (``record=False``) except for
    :meth:`Session.dismiss`, which updates the stored run.

    Example
    -------
    >>> s = umlaut.load_session("fit-1")        # doctest: +SKIP
    >>> s.history["loss"], [f.key for f in s.findings]   # doctest: +SKIP
    """
    from mlnb.notebook import Location
    from mlnb.store import default_store

    store = default_store()
    run = _find_run(store, name_or_id)
    config = dict(run["config"] or {})
    thresholds = config.get("thresholds")
    session = Session(run["name"], thresholds=Thresholds.coerce(thresholds) if thresholds else None,
                      input_type=config.get("input_type"), output_type=config.get("output_type"),
                      framework=config.get("framework") or "keras", record=False, echo=False)
    session.run_id, session.status, session.config = run["id"], run["status"], config
    for f in store.findings(run["id"]):
        loc = f["location"]
        location = Location(**{k: loc.get(k) for k in Location.__dataclass_fields__ if k in loc}) if loc and "file" in loc and "line" in loc else None
        session.findings.append(Finding(f["key"], f["severity"], f["title"], f["epochs"], f["context"], location, f["subject"]))
        if f.get("dismissed"):
            session.dismissed.add((f["key"], f["subject"]))
    for row in store.metrics(run["id"]):
        epoch = row["epoch"]
        for key, value in row.items():
            if key != "epoch":
                series = session.history.setdefault(key, [])
                series.extend([math.nan] * (epoch - len(series)))
                series.append(math.nan if value is None else float(value))
    session._stored = True  # dismiss() writes to the store although record=False
    return session


def show_session(name_or_id: str | int) -> Any:
    """One recorded session as the UMLAUT dashboard (``%umlaut show NAME``): curves, error
    timeline and cards; findings dismissed as false alarms are left out of the text and static
    HTML forms. ``name_or_id`` is a session name (the newest session of that name) or its id.
    """
    return load_session(name_or_id).view()
