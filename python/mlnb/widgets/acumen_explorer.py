"""The ACUMEN explorer widget: a view over :class:`mlnb.acumen.Explorer` (traitlets + observers only).

The explorer is the single source of truth. This widget mirrors it through :meth:`Explorer.observe` (selection,
filters, layout, colour, labels, progress...) into traitlets, coordinates and colours as binary arrays; user actions
come back as commands that call the explorer (``select``, ``filter``, ``undo``, ``label``...); the table is paged:
the front end asks for the rows it shows (``page``), the full table never travels. Rendered by
``js/widgets/acumen_explorer/index.ts``.

Built on the widget kit (:mod:`mlnb.widgets._base`): ``@command`` methods answer the view's requests.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import traitlets

from mlnb.acumen.explorer import Explorer, _text
from mlnb.widgets._base import MlnbWidget, command
from mlnb.widgets._serializers import array_trait

__all__ = ["AcumenExplorerWidget"]

PAGE_MAX = 500  # rows per page request: a screenful many times over


# ---------------------------------------------------------------------------------------------- the widget
class AcumenExplorerWidget(MlnbWidget):
    """WebGL scatter + linked paged table + labels + filter history + code preview over an :class:`Explorer`.

    Example
    -------
    >>> w = explorer.view()        # doctest: +SKIP
    >>> w.explorer.select(...)     # the view follows: state lives in the explorer
    """

    _bundle = "acumen_explorer"

    points = array_trait("float32", 2).tag(sync=True)  # (n, 2) positions of the current layout
    point_index = array_trait("int32").tag(sync=True)  # file index of each point
    color_values = array_trait("float32").tag(sync=True)  # category code or value in [0, 1], per point
    color_info = traitlets.Dict({}).tag(sync=True)
    layout_info = traitlets.Dict({}).tag(sync=True)
    selection = array_trait("int32").tag(sync=True)  # file indices
    highlight = array_trait("int32").tag(sync=True)
    highlight_reason = traitlets.Unicode("").tag(sync=True)
    visited = array_trait("int32").tag(sync=True)
    steps = traitlets.List([]).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    n_neighbors = traitlets.Int(15).tag(sync=True)
    color = traitlets.Unicode("").tag(sync=True)
    columns = traitlets.List([]).tag(sync=True)
    display_columns = traitlets.List([]).tag(sync=True)
    label_columns = traitlets.List([]).tag(sync=True)
    sort = traitlets.Dict({}).tag(sync=True)
    n_rows = traitlets.Int(0).tag(sync=True)
    table_version = traitlets.Int(0).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    summary = traitlets.Dict({}).tag(sync=True)

    def __init__(self, explorer: Explorer, **kwargs: Any):
        if not isinstance(explorer, Explorer):
            raise ValueError(f"explorer={explorer!r} is not valid; expected an acumen.Explorer")
        super().__init__(**kwargs)
        self.explorer = explorer
        self._last_points: np.ndarray | None = None
        self._sync_all()
        self._unobserve = explorer.observe(self._on_event)

    # ------------------------------------------------------------------------------------------ mirror
    def _sync_all(self) -> None:
        ex = self.explorer
        with self.hold_sync():
            self.summary = {"projects": ex.corpus.n_projects, "files": len(ex.corpus)}
            self.n_neighbors = ex.n_neighbors
            self._sync_filters()
            self._sync_layout(ex.layout)
            self._sync_columns()
            self.selection = ex.selection.astype(np.int32)
            self.highlight = ex.highlight.astype(np.int32)
            self.visited = ex.visited.astype(np.int32)
            self._sync_table()

    def _sync_filters(self) -> None:
        ex = self.explorer
        self.steps = [s.description for s in ex._steps]
        self.position = ex._pos

    def _sync_columns(self) -> None:
        ex = self.explorer
        self.columns = ex.columns
        self.display_columns = ex.display_columns
        self.label_columns = list(ex.labels)
        self.color = ex.color
        self.sort = {} if ex.sort is None else {"column": ex.sort[0], "ascending": ex.sort[1]}

    def _sync_layout(self, layout: Any) -> None:
        ex = self.explorer
        idx = layout.indices.astype(np.int32)
        same = self._last_points is not None and np.array_equal(self._last_points, idx)
        enc = ex.colors(layout=layout)
        with self.hold_sync():
            self.points = layout.coords.astype(np.float32)
            self.point_index = idx
            self.color_values = enc.pop("values")
            self.color_info = enc
            final = layout.method not in ("pca", "preview")
            self.layout_info = {"method": layout.method, "n_neighbors": int(layout.n_neighbors), "final": final,
                                "transition": bool(same), "n": int(len(idx)),
                                "version": int(self.layout_info.get("version", 0)) + 1}
            self.busy = not final
            if final:
                self.clear_progress()
        self._last_points = idx

    def _sync_colors(self) -> None:
        enc = self.explorer.colors()
        with self.hold_sync():
            self.color_values = enc.pop("values")
            self.color_info = enc
            self.color = self.explorer.color

    def _sync_table(self) -> None:
        self.n_rows = int(len(self.explorer.rows))
        self.table_version += 1

    def _on_event(self, event: str, payload: dict[str, Any]) -> None:
        if event == "selection":
            with self.hold_sync():
                self.selection = payload["indices"].astype(np.int32)
                self._sync_table()
        elif event == "filters":
            with self.hold_sync():
                self._sync_filters()
                self._sync_table()
        elif event == "layout":
            self._sync_layout(self.explorer.layout)  # the current step's (a late event of another step resyncs)
        elif event == "progress":
            self.set_progress(f"computing layout: {payload['stage']}", int(payload["done"]), int(payload["total"]))
        elif event == "labels":
            with self.hold_sync():
                self._sync_columns()
                self._sync_colors()
                self._sync_table()
        elif event == "color":
            self._sync_colors()
        elif event == "sort":
            with self.hold_sync():
                self.sort = {} if payload["column"] is None else {"column": payload["column"],
                                                                  "ascending": payload["ascending"]}
                self._sync_table()
        elif event == "highlight":
            with self.hold_sync():
                self.highlight = payload["indices"].astype(np.int32)
                self.highlight_reason = payload.get("reason", "")
        elif event == "visited":
            self.visited = payload["indices"].astype(np.int32)
        elif event == "neighbors":
            self.n_neighbors = int(payload["n_neighbors"])
        elif event == "error":
            self.set_error(str(payload["message"]))

    # ------------------------------------------------------------------------------------------ commands
    @command
    def page(self, start: int, stop: int) -> dict[str, Any]:
        """Rows start..stop of the table as shown: ``{"start", "rows": [{"index", "cells": [...]}], "total"}``."""
        ex = self.explorer
        start = max(int(start), 0)
        stop = min(int(stop), start + PAGE_MAX)
        index = ex.rows[start:stop]
        cols, cells = ex.cells(index, ex.display_columns)  # no DataFrame: the first page comes without pandas
        rows = [{"index": int(i), "cells": c} for i, c in zip(index.tolist(), cells)]
        return {"start": start, "columns": cols, "rows": rows, "total": int(len(ex.rows))}

    @command
    def select(self, indices: list[int] | None = None, mode: str = "replace", buffers: list | None = None) -> int:
        """Set the selection: file indices as a list, or (a lasso) as one int32 buffer."""
        if indices is None:
            indices = np.frombuffer(buffers[0], np.int32) if buffers else np.zeros(0, np.int64)
        self.explorer.select(np.asarray(indices, np.int64), mode=mode)
        return int(len(self.explorer.selection))

    @command
    def select_category(self, category: str, mode: str = "replace") -> int:
        self.explorer.select(self.explorer.category_rows(category), mode=mode)
        return int(len(self.explorer.selection))

    @command
    def filter(self, where: Any = None, selection: bool = False) -> int:
        """A table search (``where``: column search dicts) or the selection (a lasso) becomes a filter step."""
        target = self.explorer.selection if selection else where
        self.explorer.filter(target, wait=False)
        return int(len(self.explorer.indices))

    @command
    def undo(self) -> int:
        self.explorer.undo()
        return self.explorer._pos

    @command
    def redo(self) -> int:
        self.explorer.redo()
        return self.explorer._pos

    @command
    def go(self, step: int) -> int:
        self.explorer.go(int(step))
        return self.explorer._pos

    @command
    def sort_by(self, column: str | None = None, ascending: bool = True) -> bool:
        self.explorer.sort_by(column, ascending)
        return True

    @command
    def set_color(self, column: str) -> str:
        self.explorer.color = column
        return column

    @command
    def label(self, name: str, value: Any = True) -> int:
        self.explorer.label(name, value=value)
        return int(len(self.explorer.selection))

    @command
    def drop_label(self, name: str) -> bool:
        self.explorer.drop_label(name)
        return True

    @command
    def set_neighbors(self, n_neighbors: int) -> int:
        self.explorer.set_neighbors(int(n_neighbors), wait=False)
        return self.explorer.n_neighbors

    @command
    def preview(self, index: int) -> dict[str, Any]:
        return self.explorer.preview(int(index))

    @command
    def tooltip(self, index: int) -> dict[str, str]:
        """The table row of file ``index`` (display columns and labels) for a hover tooltip."""
        cols, cells = self.explorer.cells(np.asarray([int(index)]), self.explorer.display_columns)
        return dict(zip(cols, cells[0]))

    @command
    def position_of(self, index: int) -> int:
        return self.explorer.position(int(index))

    @command
    def similar(self, index: int, k: int = 10) -> list[dict[str, Any]]:
        df = self.explorer.similar(int(index), int(k))
        return [{"index": int(i), "distance": float(d), "path": _text(p), "project": _text(pr)}
                for i, d, p, pr in zip(df.index, df["distance"], df["path"], df["project"])]

    @command
    def search(self, text: str, regex: bool = False) -> int:
        return int(len(self.explorer.search(str(text), regex=bool(regex))))

    @command
    def regions(self, n: int = 8) -> list[dict[str, Any]]:
        df = self.explorer.regions(int(n))
        return [{"x": float(r.x), "y": float(r.y), "n": int(r.n), "keywords": list(r.keywords)} for r in df.itertuples()]

    # ------------------------------------------------------------------------------------------ static fallback
    def _static_html(self) -> str:
        ex = self.explorer
        columns, head = ex.cells(ex.rows[:20], ex.display_columns)
        cells = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in head)
        header = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
        return (f"<div>{ex._summary_html()}</div><table><thead><tr>{header}</tr></thead><tbody>{cells}</tbody></table>")

    def close(self) -> None:
        unobserve = getattr(self, "_unobserve", None)  # absent when __init__ rejected its explorer
        if unobserve is not None:
            unobserve()
        super().close()
