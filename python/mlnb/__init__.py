"""mlnb: debugging and exploration tools for machine-learning developers who work in notebooks.

``%load_ext mlnb`` registers the ``%umlaut``/``%%umlaut``, ``%acumen`` and ``%imacs`` magics. The
tools are subpackages (``mlnb.umlaut``, ``mlnb.acumen``, ``mlnb.imacs``) imported on first use, so
``import mlnb`` stays cheap: it imports no TensorFlow, torch, umap or transformers.
"""

from __future__ import annotations

import importlib
from typing import Any

from mlnb._version import __version__

__all__ = ["__version__", "load_ipython_extension", "unload_ipython_extension"]

_TOOLS = ("umlaut", "acumen", "imacs")


def __getattr__(name: str) -> Any:
    # `from mlnb import umlaut` works without importing every tool at `import mlnb`.
    if name in _TOOLS:
        return importlib.import_module(f"mlnb.{name}")
    raise AttributeError(f"module 'mlnb' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """Called by ``%load_ext mlnb``: register the magics and the cell-id hook."""
    from mlnb.magics import MlnbMagics
    from mlnb.notebook import registry
    from mlnb.umlaut.locate import install as record_layer_locations

    ipython.register_magics(MlnbMagics)
    ipython.events.register("pre_run_cell", registry.pre_run_cell)
    # Layers and modules built from now on remember their cell and line (cheap; frameworks imported
    # later are patched on import, so this imports none of them).
    record_layer_locations()


def unload_ipython_extension(ipython: Any) -> None:
    """Called by ``%unload_ext mlnb``: remove the hook and turn off notebook-wide instrumentation."""
    from mlnb.notebook import registry

    try:
        ipython.events.unregister("pre_run_cell", registry.pre_run_cell)
    except ValueError:
        pass
    umlaut = importlib.import_module("mlnb.umlaut") if "mlnb.umlaut" in __import__("sys").modules else None
    if umlaut is not None and hasattr(umlaut, "disable_notebook"):
        umlaut.disable_notebook()


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "mlnb.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "mlnb"}]
