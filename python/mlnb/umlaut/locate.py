"""Where layers and modules were created: the cell (id, execution count) and line, or file:line.

:func:`install` wraps ``keras.layers.Layer.__init__`` and ``torch.nn.Module.__init__`` with a
cheap recorder of the creating frame's :class:`~mlnb.notebook.Location` (only the outermost
``__init__`` of an object records, so subclasses calling ``super().__init__`` cost one lookup).
It patches frameworks already imported and, through an import hook, those imported later — so
``import mlnb.umlaut`` (or ``%load_ext mlnb``) before building the model is enough. For objects
created before that, :func:`creation_location` searches the executed cells' sources.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import inspect
import re
import sys
import threading
import weakref
from typing import Any

from mlnb.notebook import Location, location_of_frame

_created: "weakref.WeakKeyDictionary[Any, Location]" = weakref.WeakKeyDictionary()
_created_by_id: dict[int, Location] = {}  # objects that cannot be weak-referenced
_lock = threading.Lock()
_TARGETS = {"keras.src.layers.layer": ("Layer",), "torch.nn.modules.module": ("Module",)}
_patched: set[str] = set()
_after_import: dict[str, list[Any]] = {}  # module name -> callbacks run once it is imported


def _wrap_init(cls: type) -> None:
    original = cls.__init__
    if getattr(original, "_mlnb_wrapped", False):
        return

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        outermost = not getattr(_local, "depth", 0)
        _local.depth = getattr(_local, "depth", 0) + 1
        try:
            if outermost:
                try:
                    loc = location_of_frame(_constructing_frame(self, sys._getframe(1)))
                except Exception:  # noqa: BLE001 - bookkeeping must never break model building
                    loc = None
                if loc is not None:
                    _remember(self, loc)
            original(self, *args, **kwargs)
        finally:
            _local.depth -= 1

    # The wrapper must be invisible to code that inspects constructors. Keras 3 builds a layer's
    # default config in ``Operation.__new__`` from both ``inspect.signature(cls.__init__)`` (which
    # follows ``__wrapped__``) and ``inspect.getfullargspec(cls.__init__)`` (which does not, and
    # would see this wrapper's ``*args, **kwargs``): the two disagree and ``kwargs.pop("args")``
    # raised ``KeyError: 'args'`` on every class without an ``__init__`` of its own, which
    # broke ``model.save``, ``save_weights`` and ``ModelCheckpoint``. Both functions honour an
    # explicit ``__signature__`` first, so we publish the original's.
    try:
        __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    except (TypeError, ValueError):  # a builtin without a signature: nothing to mirror
        pass
    __init__._mlnb_wrapped = True  # type: ignore[attr-defined]
    __init__._mlnb_original = original  # type: ignore[attr-defined]
    cls.__init__ = __init__


_local = threading.local()


def _constructing_frame(obj: Any, frame: Any) -> Any:
    """The frame that constructs ``obj``: above every frame whose first argument is ``obj``.

    A custom layer's ``__init__`` calls ``super().__init__()``, so the frame right above the
    wrapped base ``__init__`` is the subclass's ``__init__`` (the class definition), not the line
    that built the layer; other wrappers of ``__init__`` (``torch.compile`` adds one to
    ``Module.__init__``) sit there too."""
    while frame is not None and frame.f_code.co_argcount:
        if frame.f_locals.get(frame.f_code.co_varnames[0]) is not obj:
            break
        frame = frame.f_back
    return frame


def _remember(obj: Any, loc: Location) -> None:
    with _lock:
        try:
            _created[obj] = loc
        except TypeError:
            _created_by_id[id(obj)] = loc


def _patch(module_name: str) -> None:
    module = sys.modules.get(module_name)
    if module is None or module_name in _patched:
        return
    for cls_name in _TARGETS[module_name]:
        cls = getattr(module, cls_name, None)
        if cls is not None:
            _wrap_init(cls)
    _patched.add(module_name)


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Patches the layer base classes right after their modules are executed."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in _after_import:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: Any) -> None:
            original_exec(module)
            for callback in _after_import.pop(fullname, []):
                try:
                    callback(fullname)
                except Exception:  # noqa: BLE001 - a failed patch must not break the user's import
                    pass

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_finder = _PatchAfterImport()


def after_import(module_name: str, callback: Any) -> None:
    """Call ``callback(module_name)`` now if the module is imported, else right after its import."""
    if module_name in sys.modules:
        callback(module_name)
        return
    callbacks = _after_import.setdefault(module_name, [])
    if callback not in callbacks:
        callbacks.append(callback)
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def install() -> None:
    """Record the creation place of every Keras layer / torch module from now on (idempotent)."""
    for name in _TARGETS:
        after_import(name, _patch)


def creation_location(obj: Any, name: str | None = None, type_name: str | None = None, ordinal: int = 0) -> Location | None:
    """Where ``obj`` was created: recorded by :func:`install`, else found in the executed cells'
    sources (an explicit ``name='...'`` first, else the ``ordinal``-th ``TypeName(`` call)."""
    with _lock:
        try:
            loc = _created.get(obj)
        except TypeError:
            loc = None
        if loc is None:
            loc = _created_by_id.get(id(obj))
    if loc is not None:
        return loc
    return _search_cells(name, type_name, ordinal)


def _executed_cells() -> list[tuple[str, str]]:
    """(code filename, source) of the executed cells, oldest first. IPython keeps every cell's
    source in ``linecache`` under the name its frames carry, so that is the reliable index."""
    import linecache

    from mlnb.notebook import _shell, is_cell_filename, registry

    shell = _shell()
    counts = getattr(getattr(shell, "compile", None), "_filename_map", {}) or {}
    with registry._lock:
        order = {name: i for i, name in enumerate(registry._by_filename)}
    cells = []
    for name, entry in list(linecache.cache.items()):
        if isinstance(name, str) and is_cell_filename(name) and len(entry) >= 3:
            cells.append((counts.get(name, -1), order.get(name, -1), name, "".join(entry[2])))
    cells.sort(key=lambda c: (c[0], c[1]))
    return [(name, source) for _, _, name, source in cells]


def _search_cells(name: str | None, type_name: str | None, ordinal: int) -> Location | None:
    from mlnb.notebook import location_of

    cells = _executed_cells()
    patterns = []
    if name:
        patterns.append((re.compile(r"name\s*=\s*['\"]" + re.escape(name) + r"['\"]"), 0))
    if type_name:
        patterns.append((re.compile(r"\b" + re.escape(type_name) + r"\s*\("), ordinal))
    for pattern, nth in patterns:
        for filename, source in reversed(cells):  # the latest definition wins
            lines = [i for i, line in enumerate(source.splitlines(), start=1) if pattern.search(line)]
            if lines:
                if nth < len(lines):
                    return location_of(filename, lines[nth])
                break  # only the most recent cell that mentions the layer type
    return None
