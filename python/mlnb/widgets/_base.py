"""The base of every mlnb widget: its bundle, the progress and error every view shows the same
way, commands the front end can call, and a static fallback in the output's mime bundle.

A view is a subclass that names its bundle and declares traitlets (its whole state):

    class FindingsWidget(MlnbWidget):
        _bundle = "findings"                    # js/widgets/findings/index.ts + style.css
        findings = traitlets.List().tag(sync=True)

        @command
        def explain(self, key: str) -> dict: ...   # JS: request(model, 'explain', {key})

        def _static_html(self) -> str: ...          # shown by nbconvert, GitHub, no kernel

Views mirror engine objects (an UMLAUT ``Session``, an ACUMEN ``Explorer``, an ``ImacsResult``)
through :meth:`mlnb._events.Observable.observe`; engines never import widgets.
"""

from __future__ import annotations

import html
from typing import Any, Callable, ClassVar

import anywidget
import traitlets

from mlnb.schema import json_safe
from mlnb.widgets._bundles import css, esm, require_bundle

_COMMAND = "_mlnb_command"
_ANYWIDGET_COMMANDS = "_anywidget_commands"  # where anywidget looks up a class's commands


def command(method: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a widget method as callable from the front end (``request(model, name, kwargs)``).

    It is called with the request's arguments as keywords and returns a JSON-able value, or
    ``(value, [buffers])`` for binary data. Exceptions become an error answer with their message
    (the front end shows it); the widget and the kernel carry on. The method stays an ordinary
    method for Python callers.
    """
    setattr(method, _COMMAND, True)
    return method


def _handler(name: str) -> Callable[[Any, Any, list], tuple[dict, list]]:
    def handle(widget: Any, msg: Any, buffers: list) -> tuple[dict, list]:
        try:
            kwargs = dict(msg) if isinstance(msg, dict) else {}
            if buffers:
                kwargs["buffers"] = buffers
            result = getattr(widget, name)(**kwargs)
            if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
                value, out = result
            else:
                value, out = result, []
            return {"ok": True, "value": json_safe(value)}, out
        except Exception as exc:  # noqa: BLE001 - reported to the view, never raised into the kernel
            text = str(exc) if isinstance(exc, (ValueError, TypeError, KeyError, LookupError)) else f"{type(exc).__name__}: {exc}"
            return {"ok": False, "error": text}, []

    return handle


class MlnbWidget(anywidget.AnyWidget):
    """Base class of mlnb's views (see the module docstring).

    Example
    -------
    >>> class Hello(MlnbWidget):                     # doctest: +SKIP
    ...     _bundle = "hello"
    >>> w = Hello(); w.set_progress("Embedding", 3, 10)   # doctest: +SKIP
    """

    _bundle: ClassVar[str] = ""

    progress = traitlets.Dict({"stage": "", "done": 0, "total": 0}).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        bundle = cls.__dict__.get("_bundle")
        if bundle:
            cls._esm = esm(bundle)
            style = css(bundle)
            if style:
                cls._css = style
        super().__init_subclass__(**kwargs)  # anywidget: file contents for _esm/_css, its commands
        commands = dict(getattr(cls, _ANYWIDGET_COMMANDS, {}))
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                if getattr(attr, _COMMAND, False):
                    commands[name] = _handler(name)
        setattr(cls, _ANYWIDGET_COMMANDS, commands)

    def __init__(self, **kwargs: Any) -> None:
        if self._bundle:
            require_bundle(self._bundle)
        super().__init__(**kwargs)

    # -- the state every view shows the same way -------------------------------------------------
    def set_progress(self, stage: str, done: int = 0, total: int = 0) -> None:
        """Show ``stage`` with ``done`` of ``total`` steps (``total=0``: no known length)."""
        self.progress = {"stage": str(stage), "done": int(done), "total": int(total)}

    def clear_progress(self) -> None:
        self.progress = {"stage": "", "done": 0, "total": 0}

    def set_error(self, message: str) -> None:
        """Show ``message`` as the view's error line (empty string clears it)."""
        self.error = str(message)

    # -- static fallback ---------------------------------------------------------------------------
    def _static_html(self) -> str:
        """HTML shown where the live view cannot run (nbconvert, GitHub, no kernel). Override it;
        escape every user-controlled string with :func:`html.escape`."""
        return f"<p>{html.escape(type(self).__name__)}: run the notebook to see the interactive view.</p>"

    def _static_chart(self) -> Any:
        """An Altair chart for the static fallback, or None."""
        return None

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        result = super()._repr_mimebundle_(**kwargs)
        if result is None:
            return None
        data, metadata = result
        try:
            data["text/html"] = self._static_html()
            chart = self._static_chart()
            if chart is not None:
                from mlnb.widgets._charts import chart_svg

                data["image/svg+xml"] = chart_svg(chart)
        except Exception as exc:  # noqa: BLE001 - the live view must show even if the fallback fails
            data["text/html"] = f"<p>mlnb: no static view ({html.escape(type(exc).__name__)})</p>"
        return data, metadata
