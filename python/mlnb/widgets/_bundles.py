"""Where the built anywidget bundles live, and a clear error when they were never built.

``js/widgets/<name>/index.ts`` (and the ``style.css`` it imports) is built into
``python/mlnb/static/<name>.js`` and ``<name>.css`` by ``js/build-widgets.mjs``.
"""

from __future__ import annotations

import json
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"

NOT_BUILT = "mlnb's JS bundles are not built; run `npm run build:prod` or reinstall mlnb"


def bundle_path(name: str, ext: str = "js") -> Path:
    """The built file of the view ``name`` (``python/mlnb/static/<name>.<ext>``)."""
    return STATIC / f"{name}.{ext}"


def esm(name: str) -> Path | str:
    """The value for a widget's ``_esm``: the bundle's path (anywidget reads it, and with
    ``ANYWIDGET_HMR=1`` reloads it on change), or, when missing, a module that shows the error
    in the output area instead of failing ``import mlnb.widgets``."""
    path = bundle_path(name)
    if path.is_file():
        return path
    message = json.dumps(f"{NOT_BUILT} (missing {path})")
    return (
        "export default { render({ el }) { el.textContent = " + message + "; "
        "el.style.color = 'var(--jp-error-color1, #d32f2f)'; } };"
    )


def css(name: str) -> Path | str:
    """The value for a widget's ``_css`` (empty when the view has no stylesheet)."""
    path = bundle_path(name, "css")
    return path if path.is_file() else ""


def require_bundle(name: str) -> None:
    """Raise a clear error if the bundle of ``name`` is missing (called when a widget is made)."""
    path = bundle_path(name)
    if not path.is_file():
        raise RuntimeError(f"{NOT_BUILT} (missing {path})")
