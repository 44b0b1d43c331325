"""UMLAUT: a debugger for deep-learning training that checks model structure, data and training
behaviour against expert heuristics and explains each problem (thesis chapter 3).

Example
-------
>>> from mlnb import umlaut                                          # doctest: +SKIP
>>> cb = umlaut.UmlautCallback(input_type="image", output_type="classification")
>>> model.fit(x, y, validation_split=0.2, epochs=5, callbacks=[cb])
>>> cb.session.findings
>>> umlaut.check_model(model)          # static checks only, no training
>>> with umlaut.instrument():          # every Keras fit inside gets a callback
...     model.fit(x, y, epochs=3)

Importing this package imports no Keras, TensorFlow or torch: the adapters load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from mlnb.umlaut.api import (check_data, check_model, disable_notebook, enable_notebook, instrument,
                             list_sessions, load_session, show_session)
from mlnb.umlaut.compare import compare
from mlnb.umlaut.config import Thresholds
from mlnb.umlaut.findings import Finding
from mlnb.umlaut.locate import install as _install_locator
from mlnb.umlaut.session import Session

_LAZY = {
    "UmlautCallback": "mlnb.umlaut.adapters.keras",
    "TorchMonitor": "mlnb.umlaut.adapters.torch",
    "UmlautTrainerCallback": "mlnb.umlaut.adapters.hf",
}

__all__ = ["Finding", "Session", "Thresholds", "UmlautCallback", "TorchMonitor", "UmlautTrainerCallback",
           "check_model", "check_data", "instrument", "enable_notebook", "disable_notebook",
           "list_sessions", "show_session", "load_session", "compare"]

# Layers/modules built after this import remember the cell and line that created them.
_install_locator()


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mlnb.umlaut' has no attribute {name!r}")
