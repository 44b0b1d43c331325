"""A module imported on first use: ``pd = LazyModule("pandas")`` reads like ``import pandas as pd`` but costs nothing
until an attribute is asked for (pandas + pyarrow take 1-4 s to import; a cached ``%acumen`` shows its first scatter
without them)."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    """Stands for module ``name``; imports it on the first attribute access.

    Example
    -------
    >>> pd = LazyModule("pandas")   # nothing imported yet
    >>> pd.DataFrame                # doctest: +SKIP
    """

    def __init__(self, name: str):
        self._name = name
        self._module: Any = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)
