"""ImacsResult: the pipeline's output — segments, clusters, sort helpers, confusion matrices, a static view."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlnb.imacs.sampling import OUTCOMES
from mlnb.schema import MODEL_COLORS

SORT_KEYS = ("imbalance", "importance", "centrality")


def _png_data_url(image: np.ndarray, size: int = 48) -> str:
    from PIL import Image

    arr = (np.clip(image, 0, 1) * 255).astype(np.uint8)
    if arr.shape[-1] == 1:
        arr = arr[..., 0]
    img = Image.fromarray(arr).resize((size, size), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@dataclass
class Attributions:
    """What :func:`mlnb.imacs.attribute` returns: stage 1 of IMACS, everything but the clusters.

    ``segments``: one row per (sampled image, model, top segment): image (index into ``images``),
    model ('A'|'B'), segment (id in the image's label map), rank (0 = best pre-ranked), bbox
    ((y0, x0, y1, x1) pixels, end-exclusive), attribution (Shapley value for the target class's
    probability), outcome ('TP'|'FP'|'TN'|'FN' of that model on that image), label, predicted,
    p_target, classes / class_attributions (Shapley values for the model's top-k classes).
    ``embeddings``: (n_segments, d), rows as in ``segments``. ``predictions``: per explained image
    (index), its label and both models' predicted class and probability (pred_a, prob_a, pred_b,
    prob_b) and target probability (p_target_a, p_target_b). ``target_label``: the target as the
    user gave it (a class name when there is one), for messages.
    """

    segments: pd.DataFrame
    embeddings: np.ndarray = field(repr=False)
    images: np.ndarray = field(repr=False)
    predictions: pd.DataFrame = field(repr=False)
    target: int
    target_label: str
    class_names: list[str] | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)    # wall seconds per stage
    cpu_times: dict[str, float] = field(default_factory=dict)  # this process's CPU seconds per stage
    config: dict[str, Any] = field(default_factory=dict)
    run_id: int | None = None

    @property
    def reduced(self) -> np.ndarray:
        """The embeddings as k-means sees them: normalised, top 64 principal axes (computed once)."""
        if "_reduced" not in self.__dict__:
            from mlnb.imacs.clustering import reduce

            self.__dict__["_reduced"] = reduce(self.embeddings)
        return self.__dict__["_reduced"]

    @property
    def n_distinct(self) -> int:
        """How many distinct segment embeddings there are (the most clusters k-means can make)."""
        if "_n_distinct" not in self.__dict__:
            self.__dict__["_n_distinct"] = len(np.unique(np.round(self.embeddings, 6), axis=0))
        return self.__dict__["_n_distinct"]


@dataclass
class ImacsResult:
    """What :func:`mlnb.imacs.compare` (or :func:`mlnb.imacs.cluster`) returns.

    ``segments``: the :class:`Attributions` segments plus cluster and distance (to the cluster
    centroid). ``clusters``: see :func:`mlnb.imacs.clustering.summarize`; sorted by imbalance,
    largest first. ``attributions``: stage 1's output, shared (not copied) by :meth:`recluster`.
    """

    attributions: Attributions = field(repr=False)
    segments: pd.DataFrame
    clusters: pd.DataFrame
    n_clusters: int
    random_state: int = 0
    timings: dict[str, float] = field(default_factory=dict)    # wall seconds per stage, stage 1 included
    cpu_times: dict[str, float] = field(default_factory=dict)

    # -- stage-1 data, shared ----------------------------------------------------------------------
    images = property(lambda self: self.attributions.images)
    embeddings = property(lambda self: self.attributions.embeddings)
    predictions = property(lambda self: self.attributions.predictions)
    target = property(lambda self: self.attributions.target)
    target_label = property(lambda self: self.attributions.target_label)
    class_names = property(lambda self: self.attributions.class_names)
    notes = property(lambda self: self.attributions.notes)
    config = property(lambda self: {**self.attributions.config, "n_clusters": self.n_clusters})
    run_id = property(lambda self: self.attributions.run_id)

    def recluster(self, n_clusters: int, random_state: int | None = None) -> "ImacsResult":
        """A new result with ``n_clusters`` clusters over the same segments, attributions and embeddings.

        Only k-means and the summary run again (well under a second for 1,000 segments).

        Example::

            r8 = result.recluster(n_clusters=8)
            r8.segments["attribution"].equals(result.segments["attribution"])   # True
        """
        from mlnb.imacs.compare import cluster

        seed = self.random_state if random_state is None else random_state
        return cluster(self.attributions, n_clusters, random_state=seed)

    # -- sorting ---------------------------------------------------------------------------------
    def sorted_clusters(self, by: str = "imbalance") -> pd.DataFrame:
        """Cluster table sorted by 'imbalance' or 'importance' (largest first) or 'centrality' (tightest first)."""
        if by not in SORT_KEYS:
            raise ValueError(f"by={by!r} is not valid; expected one of {SORT_KEYS}")
        return self.clusters.sort_values(by, ascending=(by == "centrality"), kind="stable").reset_index(drop=True)

    def cluster_segments(self, cluster: int, model: str | None = None, by: str = "attribution") -> pd.DataFrame:
        """A cluster's segments, highest attribution first (by='attribution') or most central first (by='centrality')."""
        self._check_cluster(cluster)
        if by not in ("attribution", "centrality"):
            raise ValueError(f"by={by!r} is not valid; expected 'attribution' or 'centrality'")
        seg = self.segments[self.segments["cluster"] == cluster]
        if model is not None:
            seg = seg[seg["model"] == model]
        if by == "attribution":
            return seg.sort_values("attribution", ascending=False, kind="stable")
        return seg.sort_values("distance", kind="stable")

    def confusion(self, cluster: int) -> pd.DataFrame:
        """Side-by-side confusion matrices of a cluster's segments (thesis §4.5.3).

        Rows: actual (target / other); columns: (model, predicted target / other); cells: segment counts.
        """
        self._check_cluster(cluster)
        seg = self.segments[self.segments["cluster"] == cluster]
        out = {}
        for model in ("A", "B"):
            counts = seg.loc[seg["model"] == model, "outcome"].value_counts()
            get = lambda o, counts=counts: int(counts.get(o, 0))
            out[model] = pd.DataFrame(
                [[get("TP"), get("FN")], [get("FP"), get("TN")]],
                index=pd.Index(["target", "other"], name="actual"),
                columns=pd.Index(["target", "other"], name="predicted"),
            )
        return pd.concat(out, axis=1, names=["model"])

    # -- beyond the original: where segments come from, and what changed ------------------------
    def location_maps(self, size: int = 8) -> np.ndarray:
        """Where in the image each cluster's segments come from (the thesis's "attribution location
        summary", §4.7): array (n_clusters, 2, size, size) indexed [cluster id, model (0 = A, 1 = B)];
        a cell holds the fraction of that model's segments in that cluster that cover it (0..1;
        partly covered cells count by the covered share).

        Example::

            maps = result.location_maps()
            maps[c, 1].round(1)     # model B's segments of cluster c: a bright corner = a corner concept
        """
        size = int(size)
        if size < 1:
            raise ValueError(f"size={size!r} is not valid; expected an integer >= 1")
        h, w = self.images.shape[1:3]
        out = np.zeros((self.n_clusters, 2, size, size))
        box = np.array(list(self.segments["bbox"]), dtype=float).reshape(-1, 4)
        ey, ex = np.linspace(0, h, size + 1), np.linspace(0, w, size + 1)
        # Covered share of each cell along each axis, then their product per segment.
        oy = np.clip(np.minimum(box[:, 2:3], ey[None, 1:]) - np.maximum(box[:, 0:1], ey[None, :-1]), 0, None) / (h / size)
        ox = np.clip(np.minimum(box[:, 3:4], ex[None, 1:]) - np.maximum(box[:, 1:2], ex[None, :-1]), 0, None) / (w / size)
        cover = oy[:, :, None] * ox[:, None, :]
        cl = self.segments["cluster"].to_numpy()
        mo = (self.segments["model"] == "B").to_numpy().astype(int)
        for c in range(self.n_clusters):
            for m in (0, 1):
                sel = (cl == c) & (mo == m)
                if sel.any():
                    out[c, m] = cover[sel].mean(axis=0)
        return out

    def _region(self, seg: pd.DataFrame) -> tuple[str, float]:
        """The 3×3 region of the image (e.g. 'top-left corner') most of ``seg``'s centres lie in, and its share."""
        h, w = self.images.shape[1:3]
        box = np.array(list(seg["bbox"]), dtype=float).reshape(-1, 4)
        ry = np.minimum((box[:, 0] + box[:, 2]) / 2 * 3 // h, 2).astype(int)
        rx = np.minimum((box[:, 1] + box[:, 3]) / 2 * 3 // w, 2).astype(int)
        counts = np.bincount(ry * 3 + rx, minlength=9)
        best = int(counts.argmax())
        names = [["top-left corner", "top edge", "top-right corner"], ["left edge", "centre", "right edge"],
                 ["bottom-left corner", "bottom edge", "bottom-right corner"]]
        return names[best // 3][best % 3], counts[best] / max(len(seg), 1)

    def what_changed(self, cluster: int) -> str:
        """One sentence on how the two models differ on a cluster, e.g. "B relies on this concept, A
        does not: mean attribution 0.42 vs 0.01; 48 of B's 50 false positives have a segment here;
        92% of B's segments come from the top-left corner."

        Example::

            result.what_changed(result.clusters.cluster[0])
        """
        self._check_cluster(cluster)
        row = self.clusters.set_index("cluster").loc[cluster]
        means = {"A": float(row["mean_a"]), "B": float(row["mean_b"])}
        hi = "B" if abs(means["B"]) >= abs(means["A"]) else "A"
        lo = "A" if hi == "B" else "B"
        m_hi, m_lo = means[hi], means[lo]
        nums = f"mean attribution {m_hi:.2f} vs {m_lo:.2f}"
        if abs(m_hi - m_lo) < max(0.02, 0.25 * abs(m_hi)):
            text = f"Both models weigh this concept alike: mean attribution {means['A']:.2f} (A) vs {means['B']:.2f} (B)"
        elif m_hi < 0:
            text = f"{hi} counts this concept against {self.target_label!r}, {lo} {'does not' if abs(m_lo) < 0.2 * abs(m_hi) else 'less so'}: {nums}"
        elif abs(m_lo) < 0.2 * abs(m_hi) or m_lo < 0:
            text = f"{hi} relies on this concept, {lo} does not: {nums}"
        else:
            text = f"{hi} relies on this concept more than {lo}: {nums}"
        seg = self.segments[(self.segments["cluster"] == cluster) & (self.segments["model"] == hi)]
        all_fp = self.segments.loc[(self.segments["model"] == hi) & (self.segments["outcome"] == "FP"), "image"].nunique()
        fp = seg.loc[seg["outcome"] == "FP", "image"].nunique()
        if fp:
            text += f"; {fp} of {hi}'s {all_fp} false positives have a segment here"
        if len(seg) >= 5:
            region, share = self._region(seg)
            if share >= 0.6:
                text += f"; {share:.0%} of {hi}'s segments here come from the {region}"
        return text + "."

    def _check_cluster(self, cluster: int) -> None:
        valid = set(self.clusters["cluster"])
        if cluster not in valid:
            raise ValueError(f"cluster={cluster!r} is not valid; expected one of {sorted(valid)}")

    # -- display ---------------------------------------------------------------------------------
    @property
    def target_name(self) -> str:
        """The target as the user gave it ('circle', not 0)."""
        return self.target_label

    def thumbnail(self, row: pd.Series) -> np.ndarray:
        """The pixels of one segment row (its bbox crop of the source image)."""
        y0, x0, y1, x1 = row["bbox"]
        return self.images[int(row["image"])][y0:y1, x0:x1]

    def view(self) -> Any:
        """The interactive viewer (an anywidget): cluster histograms, concept clusters, cluster
        confusion matrices, source-image hover, outcome filter, re-cluster with another k.

        Example::

            result.view()      # in a notebook cell
        """
        from mlnb.widgets.imacs_viewer import ImacsViewer

        return ImacsViewer(self)

    def chart(self, view: str = "all", *, cluster: int | None = None, outcomes: Any = None,
              sort_by: str = "imbalance", top: int = 3, per_model: int = 5) -> Any:
        """The static fallback, an Altair chart of one view (or 'all': histograms and concept tiles).

        ``view``: 'histograms' (per cluster, both models' attribution histograms on one shared
        axis), 'concepts' (the top clusters' highest-attributed thumbnails beside their composition
        and importance bars), 'confusion' (``cluster``'s two confusion matrices) or 'all'.
        ``outcomes`` keeps only segments of those outcomes (e.g. ['FP']); clusters are ordered by
        ``sort_by``. Exported offline as SVG/PNG by the viewer (vl-convert).

        Example::

            result.chart("histograms", outcomes=["FP"])
        """
        import altair as alt

        from mlnb.widgets._charts import use_offline_renderer

        use_offline_renderer()  # no CDN script, no data inside a <script> block

        if view not in ("all", "histograms", "concepts", "confusion"):
            raise ValueError(f"view={view!r} is not valid; expected one of 'all', 'histograms', 'concepts', 'confusion'")
        outs = list(OUTCOMES) if outcomes is None else list(outcomes)
        for o in outs:
            if o not in OUTCOMES:
                raise ValueError(f"outcomes={outcomes!r} is not valid; expected a list of {OUTCOMES}")
        ordered = self.sorted_clusters(sort_by)["cluster"].tolist()
        order = [f"cluster {c}" for c in ordered]
        segs = self.segments[self.segments["outcome"].isin(outs)]
        colors = alt.Scale(domain=list(MODEL_COLORS), range=list(MODEL_COLORS.values()))
        title = f"IMACS: model A vs model B on class {self.target_name}"

        def histograms() -> Any:
            seg = segs[["cluster", "model", "attribution", "outcome"]].copy()
            seg["cluster"] = "cluster " + seg["cluster"].astype(str)
            return alt.Chart(seg).mark_bar(opacity=0.6).encode(
                x=alt.X("attribution:Q", bin=alt.Bin(maxbins=30),
                        title=f"attribution (Shapley, class {self.target_name})"),
                y=alt.Y("count():Q", stack=None, title="segments"),
                color=alt.Color("model:N", scale=colors),
            ).properties(width=320, height=60).facet(row=alt.Row("cluster:N", sort=order, title=None))

        def concepts() -> Any:
            thumbs = []
            for c in ordered[:top]:
                for model in ("A", "B"):
                    best = self.cluster_segments(int(c), model)
                    best = best[best["outcome"].isin(outs)][:per_model]
                    for i, (_, r) in enumerate(best.iterrows()):
                        thumbs.append({"cluster": f"cluster {c}", "model": model, "rank": i,
                                       "url": _png_data_url(self.thumbnail(r)), "attribution": float(r["attribution"]),
                                       "outcome": r["outcome"], "image": int(r["image"])})
            stats = self.clusters[self.clusters["cluster"].isin(ordered[:top])].melt(
                id_vars="cluster", value_vars=["mean_a", "mean_b"], var_name="model", value_name="mean attribution")
            stats["model"] = stats["model"].str[-1].str.upper()
            stats["cluster"] = "cluster " + stats["cluster"].astype(str)
            bars = alt.Chart(stats).mark_bar().encode(
                x=alt.X("mean attribution:Q"), y=alt.Y("model:N", title=None), color=alt.Color("model:N", scale=colors),
            ).properties(width=120, height=100).facet(row=alt.Row("cluster:N", sort=order[:top], title=None))
            if not thumbs:
                return bars
            tiles = alt.Chart(pd.DataFrame(thumbs)).mark_image(width=40, height=40).encode(
                x=alt.X("rank:O", title="highest attribution first"),
                y=alt.Y("model:N", title=None),
                url="url:N",
                tooltip=["model", "attribution", "outcome", "image"],
            ).properties(width=per_model * 48, height=100).facet(row=alt.Row("cluster:N", sort=order[:top], title=None))
            return alt.hconcat(tiles, bars)

        def confusion() -> Any:
            c = ordered[0] if cluster is None or cluster < 0 else int(cluster)
            self._check_cluster(c)
            conf = self.confusion(c).stack(["model", "predicted"], future_stack=True).rename("segments").reset_index()
            base = alt.Chart(conf).encode(x=alt.X("predicted:N", sort=["target", "other"]),
                                          y=alt.Y("actual:N", sort=["target", "other"]))
            cells = base.mark_rect().encode(color=alt.Color("segments:Q", scale=alt.Scale(scheme="greys")))
            text = base.mark_text(fontSize=16).encode(text="segments:Q")
            return alt.layer(cells, text).properties(width=140, height=140).facet(
                column=alt.Column("model:N", title=f"cluster {c}: segments by outcome"))

        if view == "histograms":
            return histograms().properties(title=title)
        if view == "concepts":
            return concepts().properties(title=title)
        if view == "confusion":
            return confusion().properties(title=title)
        return alt.hconcat(histograms(), concepts()).properties(title=f"{title} (clusters by {sort_by})")

    def _table_html(self) -> str:
        cols = ["cluster", "n_a", "n_b", "mean_a", "mean_b", "imbalance", "importance", "std_a", "std_b"]
        return self.clusters[cols].to_html(index=False, float_format=lambda v: f"{v:.4f}")

    def _repr_html_(self) -> str:
        """The cluster table and notes (the chart is added by :meth:`_ipython_display_`)."""
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        changed = "".join(f"<li>cluster {int(c)}: {html.escape(self.what_changed(int(c)))}</li>"
                          for c in self.clusters["cluster"][:3])
        parts = [f"<h4>IMACS: class {html.escape(self.target_name)}, {len(self.segments)} segments, "
                 f"{len(self.clusters)} clusters (largest imbalance first)</h4>", self._table_html()]
        parts.append(f"<p>What changed, by cluster:</p><ul>{changed}</ul>")
        if notes:
            parts.append(f"<p>Notes on the sample:</p><ul>{notes}</ul>")
        return "\n".join(parts)

    def shown_in(self, viewer: Any) -> "ImacsResult":
        """Mark this result as already on screen in ``viewer`` (``%imacs`` displays its viewer
        before the run): the next automatic display of the result is skipped, so the cell's
        output shows one viewer, not two. Returns the result."""
        self.__dict__["_shown_in"] = viewer
        return self

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        if self.__dict__.pop("_shown_in", None) is not None:
            return
        try:
            viewer = self.view()
        except (ImportError, RuntimeError):  # no anywidget or no built bundle: the static fallback
            # The chart is its own output, so the front end renders it natively (offline; no
            # vega scripts from a CDN inside our HTML).
            display(HTML(self._repr_html_()))
            display(self.chart())
            return
        display(viewer)

    def __repr__(self) -> str:
        return (f"ImacsResult(target={self.target_name!r}, segments={len(self.segments)}, "
                f"clusters={len(self.clusters)})\n{self.clusters.to_string(index=False)}")
