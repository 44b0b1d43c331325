"""anywidget views of mlnb results, built on one kit (``mlnb.widgets._base.MlnbWidget``; see
docs/widget-kit.md). Each class's traitlets are its whole state; the front end
(``js/widgets/<name>/``, built into ``mlnb/static/<name>.js``) renders from that state alone.

The views are imported on first use, so ``import mlnb.widgets`` does not import the engines.
"""

from __future__ import annotations

import importlib
from typing import Any

_VIEWS = {
    "FindingsWidget": "mlnb.widgets.findings",
    "UmlautDashboard": "mlnb.widgets.umlaut_dashboard",
    "AcumenExplorerWidget": "mlnb.widgets.acumen_explorer",
    "ImacsViewer": "mlnb.widgets.imacs_viewer",
}

__all__ = list(_VIEWS)


def __getattr__(name: str) -> Any:
    if name in _VIEWS:
        return getattr(importlib.import_module(_VIEWS[name]), name)
    raise AttributeError(f"module 'mlnb.widgets' has no attribute {name!r}")
