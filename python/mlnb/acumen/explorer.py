"""Explorer: the state of an ACUMEN exploration (filter steps, selection, labels, colour) over the projection engine.

It is headless plain Python; a widget can wrap it later. Displayed in a notebook it shows the projects table, a
static Altair scatter of the current layout and the files table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .ingest import Corpus
from .projection import Layout, Projection

__all__ = ["Explorer", "FilterStep"]

MAX_CHART_POINTS = 20_000  # a static Vega-Lite chart carries its data inline; beyond this it gets sluggish


@dataclass(eq=False)
class FilterStep:
    """One step of the filter stack: which files remain, how it was chosen, and its (cached) layout."""

    description: str
    indices: np.ndarray
    layout: Layout | None = None


class Explorer:
    """Explore a corpus: filter (table query, mask or lasso), undo, label, colour, change n_neighbors.

    Example:
        >>> ex = Explorer(corpus, embeddings=corpus.embed("tfidf"))    # doctest: +SKIP
        >>> ex.filter("domain == 'vision'")                              # doctest: +SKIP
        >>> ex.select(ex.layout.indices[:50]); ex.label("mySearch", value="KerasCOCO")  # doctest: +SKIP
        >>> ex.undo(); ex.color = "mySearch"; ex                         # doctest: +SKIP

    Args:
        corpus: the :class:`Corpus` to explore.
        embeddings: (len(corpus.files), d) array; default: ``corpus.embed(model)``.
        n_neighbors: UMAP n_neighbors.
        model: embedder used when ``embeddings`` is None.
        color: column of :attr:`table` that colours the scatter (default 'library').
        projection: an existing :class:`Projection` of the same embeddings to reuse.

    State (plain Python, what a widget would sync): :attr:`filters` (stack of :class:`FilterStep`),
    :attr:`selection` (file indices), :attr:`labels` (column name -> Series over all files), :attr:`color`,
    :attr:`n_neighbors`.
    """

    def __init__(self, corpus: Corpus, embeddings: Any = None, n_neighbors: int = 15, *, model: str = "tfidf",
                 color: str = "library", projection: Projection | None = None, **projection_options: Any):
        if not isinstance(corpus, Corpus):
            raise ValueError(f"corpus: expected an acumen.Corpus, got {type(corpus).__name__}")
        if len(corpus.files) < 3:
            raise ValueError(f"corpus: needs at least 3 files to lay out, got {len(corpus.files)}")
        if embeddings is None:
            embeddings = corpus.embed(model=model)
        emb = np.asarray(embeddings)
        if emb.ndim != 2 or emb.shape[0] != len(corpus.files):
            raise ValueError(f"embeddings: expected shape ({len(corpus.files)}, d), one row per file, got {emb.shape}")
        self.corpus = corpus
        self.embeddings = emb
        self.projection = projection or Projection(emb, n_neighbors=n_neighbors, **projection_options)
        self.n_neighbors = self.projection._check_k(n_neighbors, len(emb))
        self.filters: list[FilterStep] = [FilterStep("all files", self.projection.all)]
        self.selection: np.ndarray = np.zeros(0, np.int64)
        self.labels: dict[str, pd.Series] = {}
        self._full = self.projection.full_async(self.n_neighbors)  # UMAP computes while the PCA preview shows
        self.color = color

    # ------------------------------------------------------------------------------------------ state
    @property
    def color(self) -> str:
        return self._color

    @color.setter
    def color(self, column: str) -> None:
        if column not in self._columns():
            raise ValueError(f"color: {column!r} is not a column; expected one of {', '.join(self._columns())}")
        self._color = column

    @property
    def indices(self) -> np.ndarray:
        """Files in the current filter step (rows of ``corpus.files``)."""
        return self.filters[-1].indices

    @property
    def layout(self) -> Layout:
        """The current step's layout: UMAP when ready; before the first UMAP finishes, the PCA preview."""
        step = self.filters[-1]
        if step.layout is not None and step.layout.n_neighbors == self.n_neighbors:
            return step.layout
        if len(self.filters) == 1:
            cached = self.projection.cached(None, self.n_neighbors)
            if cached is None and self._full.done() and self.n_neighbors == self._full.result().n_neighbors:
                cached = self._full.result()
            if cached is None:
                return self.projection.pca()
            step.layout = cached
            return cached
        step.layout = self._relayout(len(self.filters) - 1)
        return step.layout

    def wait(self) -> Layout:
        """Block until the current step's UMAP layout is computed; returns it."""
        if len(self.filters) == 1 and self.projection.cached(None, self.n_neighbors) is None:
            self._full.result()
            self.filters[0].layout = self.projection.full(self.n_neighbors)
        return self.layout

    def _relayout(self, i: int) -> Layout:
        if i == 0:
            return self.projection.full(self.n_neighbors)
        parent = self.filters[i - 1].layout if self.filters[i - 1].layout is not None else self._relayout(i - 1)
        if parent.method == "pca":
            parent = self._relayout(i - 1)
        self.filters[i - 1].layout = parent
        return self.projection.subset(self.filters[i].indices, parent=parent, n_neighbors=self.n_neighbors)

    def _columns(self) -> list[str]:
        return [c for c in self.corpus.files.columns if c != "content"] + list(self.labels)

    @property
    def table(self) -> pd.DataFrame:
        """Files of the current step with their attributes and label columns (index = row in ``corpus.files``)."""
        df = self.corpus.files.iloc[self.indices].drop(columns=["content"])
        for name, values in self.labels.items():
            df[name] = values.iloc[self.indices].to_numpy()
        return df

    # ------------------------------------------------------------------------------------------ actions
    def filter(self, where: Any, description: str | None = None) -> Layout:
        """Narrow the current files and re-project them (starting from the current layout); returns the layout.

        ``where`` is a pandas query on :attr:`table` (``"library == 'PyTorch' and not path.str.contains('test')"``),
        a boolean mask over the current files or over all files, an array of file indices, or a callable
        ``table -> mask``.
        """
        keep = self._resolve(where)
        if keep.size < 3:
            raise ValueError(f"where: the filter keeps {keep.size} files; a layout needs at least 3")
        parent = self.wait()
        step = FilterStep(description or (where if isinstance(where, str) else f"{keep.size} files"), keep)
        step.layout = self.projection.subset(keep, parent=parent, n_neighbors=self.n_neighbors)
        self.filters.append(step)
        self.selection = np.intersect1d(self.selection, keep)
        return step.layout

    def _resolve(self, where: Any) -> np.ndarray:
        current = self.indices
        if isinstance(where, str):
            table = self.table
            try:
                mask = table.eval(where, engine="python") if where.strip() else None
            except Exception as exc:
                raise ValueError(f"where: cannot evaluate {where!r} on the table ({type(exc).__name__}: {exc}); "
                                 f"columns are {', '.join(table.columns)}") from None
            mask = np.asarray(mask)
            if mask.dtype != bool or mask.shape != (len(current),):
                raise ValueError(f"where: {where!r} must give one True/False per file, got {mask.dtype} {mask.shape}")
            return current[mask]
        if callable(where):
            return self._resolve(np.asarray(where(self.table)))
        arr = np.asarray(where)
        if arr.dtype == bool:
            if arr.shape == (len(current),):
                return current[arr]
            if arr.shape == (len(self.corpus.files),):
                return np.intersect1d(current, np.flatnonzero(arr))
            raise ValueError(f"where: a mask needs {len(current)} (current files) or {len(self.corpus.files)} (all files) "
                             f"entries, got shape {arr.shape}")
        if arr.ndim == 1 and (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
            outside = np.setdiff1d(arr, current)
            if outside.size:
                raise ValueError(f"where: {outside.size} file indices are not in the current step (e.g. {outside[0]})")
            return np.unique(arr.astype(np.int64))
        raise ValueError(f"where: expected a query string, a boolean mask, file indices or a callable, got {type(where).__name__}")

    def undo(self) -> Layout:
        """Drop the last filter step; returns the previous step's layout (cached: the same object as before)."""
        if len(self.filters) == 1:
            raise ValueError("undo: no filter step to undo")
        self.filters.pop()
        self.selection = np.zeros(0, np.int64)
        return self.layout

    def select(self, indices: Any) -> np.ndarray:
        """Set the selection (e.g. a lasso) to these file indices (or a mask over the current files)."""
        self.selection = self._resolve(indices) if np.asarray(indices).size else np.zeros(0, np.int64)
        return self.selection

    def label(self, name: str, indices: Any = None, value: Any = True) -> pd.Series:
        """Set ``value`` in label column ``name`` for ``indices`` (default: the selection); other files keep theirs."""
        if not isinstance(name, str) or not name or name in self.corpus.files.columns:
            raise ValueError(f"name: expected a new column name (not one of the corpus columns), got {name!r}")
        rows = self.selection if indices is None else self._resolve(indices)
        col = self.labels.setdefault(name, pd.Series([None] * len(self.corpus.files), dtype=object, name=name))
        col.iloc[rows] = value
        return col

    def set_neighbors(self, n_neighbors: int) -> Layout:
        """Change UMAP's n_neighbors (low: local detail; high: global structure) and re-lay out the current step."""
        self.n_neighbors = self.projection._check_k(n_neighbors, len(self.embeddings))
        return self.wait() if len(self.filters) == 1 else self.layout

    # ------------------------------------------------------------------------------------------ display
    def chart(self, color: str | None = None, max_points: int = MAX_CHART_POINTS) -> Any:
        """Static Altair scatter of the current layout, coloured by ``color``, with file tooltips."""
        import altair as alt

        from mlnb.widgets._charts import use_offline_renderer

        use_offline_renderer()  # no CDN script, no data inside a <script> block

        color = color or self.color
        if color not in self._columns():
            raise ValueError(f"color: {color!r} is not a column; expected one of {', '.join(self._columns())}")
        layout = self.layout
        df = self.table.loc[layout.indices, ["project", "path", "library", "domain"]]
        values = self.labels[color].iloc[layout.indices] if color in self.labels else self.table.loc[layout.indices, color]
        df["color"] = values.map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else str(v)).to_numpy()
        df["x"], df["y"] = layout.coords[:, 0], layout.coords[:, 1]
        df["selected"] = np.isin(layout.indices, self.selection)
        title = f"{len(df)} files · {layout.method} · n_neighbors={layout.n_neighbors}"
        if len(df) > max_points:
            df = df.sample(max_points, random_state=0)
            title += f" (showing {max_points})"
        with alt.data_transformers.disable_max_rows():
            return (alt.Chart(df, title=title).mark_circle(size=12, opacity=0.7)
                    .encode(x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None),
                            color=alt.Color("color:N", title=color, legend=alt.Legend(symbolLimit=20)),
                            tooltip=["project", "path", "library", "domain", alt.Tooltip("color:N", title=color)])
                    .properties(width=600, height=450).interactive())

    def __repr__(self) -> str:
        return (f"Explorer({len(self.corpus.projects)} projects, {len(self.indices)}/{len(self.corpus.files)} files, "
                f"{len(self.filters) - 1} filter steps, layout={self.layout.method})")

    def _summary_html(self) -> str:
        steps = " → ".join(f.description for f in self.filters)
        skipped = self.corpus.skipped_summary()
        skipped_txt = ", ".join(f"{n} {reason}" for reason, n in skipped.items()) or "none"
        return (f"<b>ACUMEN</b>: {len(self.corpus.projects)} projects, {len(self.indices)} of {len(self.corpus.files)} files "
                f"shown; filters: {steps}; skipped: {skipped_txt}")

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        projects = self.corpus.projects.drop(columns=["root"])
        display(HTML(self._summary_html()))
        display(projects)
        if self.layout.method == "pca" and not self._full.done():
            # The PCA preview now; the chart is replaced in place when UMAP finishes (same display id).
            handle = display(self.chart(), display_id=True)
            self._full.add_done_callback(lambda f: f.exception() is None and handle.update(self.chart()))
        else:
            display(self.chart())
        display(self.table.head(200))
