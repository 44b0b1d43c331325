"""Where code runs: the kernel, its notebook, and the cell behind a code filename.

IPython compiles each cell into a file of its own (ipykernel: ``/tmp/ipykernel_<pid>/<hash>.py``;
plain IPython: ``<ipython-input-N-...>``). A ``pre_run_cell`` hook, registered by
``%load_ext mlnb``, sees each cell's id (JupyterLab sends it) and source just before it runs; we
remember ``filename -> (cell_id, execution_count)`` so any frame — a layer's constructor, a
``fit`` call — can be mapped back to the cell and line that created it. nbclient sends no cell
id; there the cell is found by hashing the sources of the notebook on disk the same way.

Example
-------
>>> loc = location_of_frame(sys._getframe())   # doctest: +SKIP
>>> loc["cell_id"], loc["line"]                 # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Iterable, Iterator

__all__ = [
    "Location",
    "CellRegistry",
    "registry",
    "kernel_context",
    "location_of",
    "location_of_frame",
    "user_frame",
]


@dataclass(frozen=True)
class Location:
    """A place in the user's code: a file and line, and the notebook cell when there is one."""

    file: str
    line: int
    cell_id: str | None = None
    execution_count: int | None = None
    notebook_path: str | None = None
    code: str | None = None  # the source line, for display

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        if self.execution_count is not None:
            return f"cell [{self.execution_count}], line {self.line}"
        return f"{self.file}:{self.line}"


@dataclass
class _Cell:
    cell_id: str | None
    source: str
    filename: str | None = None
    line_offset: int = 0  # lines of the notebook cell above this code (e.g. a %%umlaut line)
    parent: "_Cell | None" = None  # the cell whose magic ran this code as a nested cell

    @property
    def execution_count(self) -> int | None:
        # Resolved lazily from IPython's own map: ipykernel bumps shell.execution_count before
        # pre_run_cell fires, so the value seen there is one ahead of the prompt number.
        if self.parent is not None:
            return self.parent.execution_count
        return _filename_map().get(self.filename) if self.filename else None


class CellRegistry:
    """Maps code filenames of executed cells to the notebook cell they came from."""

    def __init__(self) -> None:
        self._by_filename: dict[str, _Cell] = {}
        self._lock = threading.Lock()
        self.current: _Cell | None = None
        self._body_offset: int | None = None
        self.body_count: int | None = None  # the prompt number a cell magic's body is compiled under

    def pre_run_cell(self, info: Any) -> None:
        """IPython ``pre_run_cell`` hook: remember this cell's id and source under its filename."""
        try:
            source = getattr(info, "raw_cell", "") or ""
            filename = _code_filename(source, stored=bool(getattr(info, "store_history", False)))
            outer = self.current
            if self._body_offset is not None and outer is not None:
                # The body of a cell magic, run as a nested cell: it belongs to the outer cell.
                cell = _Cell(outer.cell_id, source, filename, outer.line_offset + self._body_offset, parent=outer)
            else:
                cell = _Cell(getattr(info, "cell_id", None), source, filename)
            with self._lock:
                if filename:
                    self._by_filename[filename] = cell
                if self._body_offset is None:
                    self.current = cell
        except Exception:  # noqa: BLE001 - a bookkeeping hook must never stop a user's cell
            pass

    @contextmanager
    def cell_body(self, line_offset: int = 1, execution_count: int | None = None) -> Iterator[None]:
        """While active, nested cells (a cell magic's body) map to the current cell, shifted by
        ``line_offset`` lines (the magic's own line); ``execution_count``: the number the magic
        compiles the body under (its own cell's prompt number)."""
        previous = self._body_offset, self.body_count
        self._body_offset, self.body_count = line_offset, execution_count
        try:
            yield
        finally:
            self._body_offset, self.body_count = previous

    def cell_for(self, filename: str) -> _Cell | None:
        with self._lock:
            cell = self._by_filename.get(filename)
        if cell is None and filename in _filename_map():
            # A cell run before %load_ext mlnb: IPython still knows its execution count.
            cell = _Cell(None, "", filename)
        return cell


registry = CellRegistry()


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _filename_map() -> dict[str, int]:
    return getattr(getattr(_shell(), "compile", None), "_filename_map", None) or {}


def _code_filename(source: str, stored: bool = False) -> str | None:
    """The filename IPython compiles this cell source under (``None`` outside IPython).

    ipykernel names a cell by a hash of its raw source; plain IPython by its execution count and
    a hash of the transformed source. ``stored``: the cell is run with ``store_history``, so by
    ``pre_run_cell`` IPython has already counted it and compiles it under the previous number.
    """
    shell = _shell()
    get_code_name = getattr(getattr(shell, "compile", None), "get_code_name", None)
    if get_code_name is None:
        return None
    try:
        number = getattr(shell, "execution_count", 0) - (1 if stored else 0)
        if not stored and registry.body_count is not None:
            number = registry.body_count
        return get_code_name(source, shell.transform_cell(source), number)
    except Exception:  # noqa: BLE001
        return None


def is_cell_filename(filename: str) -> bool:
    return filename.startswith("<ipython-input-") or (
        "ipykernel_" in filename and Path(filename).parent.name.startswith("ipykernel_")
    )


def _session_notebook() -> str | None:
    """The notebook Jupyter Server started this kernel for (consoles name a session, not a file)."""
    name = os.environ.get("JPY_SESSION_NAME") or ""
    return name if name.endswith(".ipynb") else None


def kernel_context() -> dict[str, Any]:
    """The running kernel's id, its notebook path and the current cell (``None`` where unknown)."""
    kernel_id = None
    try:
        from ipykernel.connect import get_connection_file

        if _shell() is not None and type(_shell()).__name__ == "ZMQInteractiveShell":
            name = Path(get_connection_file()).stem  # kernel-<id>
            kernel_id = name[len("kernel-") :] if name.startswith("kernel-") else None
    except Exception:  # noqa: BLE001 - not in a kernel
        kernel_id = None
    cell = registry.current if _shell() is not None else None
    return {
        "kernel_id": kernel_id,
        "notebook_path": _session_notebook(),
        "cell_id": cell.cell_id if cell else None,
        "execution_count": cell.execution_count if cell else None,
    }


def _find_cell_in_notebooks(filename: str, notebook_path: str | None) -> tuple[str | None, str | None]:
    """``(notebook path, cell id)`` of the notebook cell whose source compiles to ``filename``.

    For kernels that send no cell id (nbclient, papermill): their working directory is the
    notebook's folder, so its notebooks (or the one the server named) are searched by source hash.
    """
    candidates = [notebook_path] if notebook_path else sorted(str(p) for p in Path.cwd().glob("*.ipynb"))[:50]
    for path in candidates:
        for source, cell_id in _code_cells(path):
            if cell_id and _code_filename(source) == filename:
                return path, cell_id
    return notebook_path, None


def _code_cells(path: str) -> list[tuple[str, str | None]]:
    try:
        import nbformat

        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - unreadable notebooks are simply not candidates
        return []
    return [(c.source, c.get("id")) for c in nb.cells if c.cell_type == "code"]


def location_of(filename: str, line: int) -> Location:
    """The :class:`Location` of ``line`` in ``filename`` (a cell's code filename or a real file)."""
    import linecache

    code = linecache.getline(filename, line).strip() or None
    if not is_cell_filename(filename):
        return Location(file=filename, line=line, code=code)
    cell = registry.cell_for(filename)
    nb_path = _session_notebook()
    cell_id = cell.cell_id if cell else None
    if cell_id is None:
        source_filename = cell.parent.filename if cell and cell.parent else filename
        nb_path, cell_id = _find_cell_in_notebooks(source_filename or filename, nb_path)
    return Location(
        file=filename,
        line=line + (cell.line_offset if cell else 0),
        cell_id=cell_id,
        execution_count=cell.execution_count if cell else None,
        notebook_path=nb_path,
        code=code,
    )


_SKIP_PREFIXES: tuple[str, ...] = ()


def _library_dirs() -> tuple[str, ...]:
    global _SKIP_PREFIXES
    if not _SKIP_PREFIXES:
        import sysconfig

        paths = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
        paths.add(str(Path(__file__).resolve().parent))  # mlnb itself
        _SKIP_PREFIXES = tuple(sorted(paths))
    return _SKIP_PREFIXES


def user_frame(frame: FrameType | None = None, skip: Iterable[str] = ()) -> FrameType | None:
    """The innermost frame (from ``frame`` outward) that belongs to the user's code.

    Library frames (stdlib, site-packages, mlnb) are skipped, so a Keras layer's constructor
    resolves to the line in the user's cell or script that called it.
    """
    frame = frame if frame is not None else sys._getframe(1)
    prefixes = _library_dirs() + tuple(skip)
    while frame is not None:
        filename = frame.f_code.co_filename
        if is_cell_filename(filename) or not (filename.startswith(prefixes) or filename.startswith("<")):
            return frame
        frame = frame.f_back
    return None


def location_of_frame(frame: FrameType | None = None) -> Location | None:
    """The :class:`Location` of the user's code that led to ``frame`` (``None`` if there is none)."""
    user = user_frame(frame if frame is not None else sys._getframe(1))
    if user is None:
        return None
    return location_of(user.f_code.co_filename, user.f_lineno)
