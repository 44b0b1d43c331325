"""ImacsResult: the pipeline's output — segments, clusters, sort helpers, confusion matrices, a static view."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


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
class ImacsResult:
    """What :func:`mlnb.imacs.compare` returns.

    ``segments``: one row per (sampled image, model, top segment): image (index into the images),
    model ('A'|'B'), segment (id in the image's label map), rank (0 = best pre-ranked), bbox
    ((y0, x0, y1, x1) pixels, end-exclusive), attribution (Shapley value for the target class's
    probability), outcome ('TP'|'FP'|'TN'|'FN' of that model on that image), label, predicted,
    classes / class_attributions (Shapley values for the model's top-k classes), cluster, distance
    (to the cluster centroid).
    ``clusters``: see :func:`mlnb.imacs.clustering.summarize`; sorted by imbalance, largest first.
    """

    segments: pd.DataFrame
    clusters: pd.DataFrame
    target: int
    class_names: list[str] | None
    images: np.ndarray = field(repr=False)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)    # wall seconds per stage
    cpu_times: dict[str, float] = field(default_factory=dict)  # this process's CPU seconds per stage
    config: dict[str, Any] = field(default_factory=dict)
    run_id: int | None = None
    embeddings: np.ndarray | None = field(default=None, repr=False)  # (n_segments, d), rows as in segments

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

    def _check_cluster(self, cluster: int) -> None:
        valid = set(self.clusters["cluster"])
        if cluster not in valid:
            raise ValueError(f"cluster={cluster!r} is not valid; expected one of {sorted(valid)}")

    # -- display ---------------------------------------------------------------------------------
    @property
    def target_name(self) -> str:
        return self.class_names[self.target] if self.class_names else str(self.target)

    def thumbnail(self, row: pd.Series) -> np.ndarray:
        """The pixels of one segment row (its bbox crop of the source image)."""
        y0, x0, y1, x1 = row["bbox"]
        return self.images[int(row["image"])][y0:y1, x0:x1]

    def view(self, top: int = 3, per_model: int = 5) -> Any:
        """A static Altair chart: per-cluster attribution histograms of both models (clusters in
        imbalance order, shared axis) and the top clusters' highest-attributed segment thumbnails."""
        import altair as alt

        from mlnb.widgets._charts import use_offline_renderer

        use_offline_renderer()  # no CDN script, no data inside a <script> block

        order = [f"cluster {c}" for c in self.clusters["cluster"]]
        seg = self.segments[["cluster", "model", "attribution", "outcome"]].copy()
        seg["cluster"] = "cluster " + seg["cluster"].astype(str)
        colors = alt.Scale(domain=["A", "B"], range=["#e8871e", "#1f77b4"])
        hist = alt.Chart(seg).mark_bar(opacity=0.6).encode(
            x=alt.X("attribution:Q", bin=alt.Bin(maxbins=30), title=f"attribution (Shapley, class {self.target_name})"),
            y=alt.Y("count():Q", stack=None, title="segments"),
            color=alt.Color("model:N", scale=colors),
        ).properties(width=320, height=60).facet(row=alt.Row("cluster:N", sort=order, title=None))

        thumbs = []
        for c in self.clusters["cluster"][:top]:
            for model in ("A", "B"):
                best = self.cluster_segments(int(c), model)[:per_model]
                for i, (_, r) in enumerate(best.iterrows()):
                    thumbs.append({"cluster": f"cluster {c}", "model": model, "rank": i,
                                   "url": _png_data_url(self.thumbnail(r)), "attribution": float(r["attribution"]),
                                   "outcome": r["outcome"], "image": int(r["image"])})
        if not thumbs:
            return hist
        tiles = alt.Chart(pd.DataFrame(thumbs)).mark_image(width=40, height=40).encode(
            x=alt.X("rank:O", title="highest attribution first"),
            y=alt.Y("model:N", title=None),
            url="url:N",
            tooltip=["model", "attribution", "outcome", "image"],
        ).properties(width=5 * 48, height=100).facet(row=alt.Row("cluster:N", sort=order[:top], title=None))
        return alt.hconcat(hist, tiles).properties(
            title=f"IMACS: model A vs model B on class {self.target_name} (clusters by imbalance)")

    def _table_html(self) -> str:
        cols = ["cluster", "n_a", "n_b", "mean_a", "mean_b", "imbalance", "importance", "std_a", "std_b"]
        return self.clusters[cols].to_html(index=False, float_format=lambda v: f"{v:.4f}")

    def _repr_html_(self) -> str:
        """The cluster table and notes (the chart is added by :meth:`_ipython_display_`)."""
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        parts = [f"<h4>IMACS: class {html.escape(self.target_name)}, {len(self.segments)} segments, "
                 f"{len(self.clusters)} clusters (largest imbalance first)</h4>", self._table_html()]
        if notes:
            parts.append(f"<ul>{notes}</ul>")
        return "\n".join(parts)

    def _ipython_display_(self) -> None:
        # The chart is displayed as its own output, so the front end renders it natively (offline;
        # no vega scripts from a CDN inside our HTML).
        from IPython.display import HTML, display

        display(HTML(self._repr_html_()))
        display(self.view())

    def __repr__(self) -> str:
        return (f"ImacsResult(target={self.target_name!r}, segments={len(self.segments)}, "
                f"clusters={len(self.clusters)})\n{self.clusters.to_string(index=False)}")
