"""The IMACS viewer: cluster histograms, concept clusters and cluster confusion matrices (thesis §4.5)
over an :class:`~mlnb.imacs.ImacsResult`, rendered by ``js/widgets/imacs_viewer/``.

Traitlets and observers only: the result is the single source of truth. Segment columns travel as
typed arrays, all thumbnails as one PNG sprite sheet; a source image is fetched on demand (hover)
with the ``source_images`` command (a cluster's images at once), a new k with ``recluster``, a view's PNG/SVG with ``export``.
"""

from __future__ import annotations

import html
import io
from typing import Any

import numpy as np
import traitlets

from mlnb.widgets._base import MlnbWidget, command
from mlnb.widgets._serializers import array_trait

OUTCOMES = ("TP", "FP", "TN", "FN")
VIEWS = ("histograms", "concepts", "confusion")
SORTS = ("imbalance", "importance", "centrality")
WITHIN = ("attribution", "centrality")
THUMB = 32          # thumbnail side in the sprite sheet (pixels)
LOCATION_SIZE = 8   # location heatmap resolution
MAX_SOURCES = 256   # source images per request


def _png(arr: np.ndarray) -> bytes:
    from PIL import Image

    a = (np.clip(arr, 0, 1) * 255).round().astype(np.uint8)
    img = Image.fromarray(a[..., 0] if a.shape[-1] == 1 else a)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=3)
    return buf.getvalue()


def _thumbnail(crop: np.ndarray, size: int = THUMB) -> np.ndarray:
    """A crop scaled to size×size (nearest neighbour for small crops: pixels stay sharp)."""
    from PIL import Image

    a = (np.clip(crop, 0, 1) * 255).round().astype(np.uint8)
    if a.shape[-1] == 1:
        a = np.repeat(a, 3, axis=-1)
    img = Image.fromarray(a)
    small = max(a.shape[:2]) <= size
    return np.asarray(img.resize((size, size), Image.NEAREST if small else Image.BILINEAR)).astype(np.float32) / 255


def sprite_sheet(result: Any, size: int = THUMB) -> tuple[bytes, int, np.ndarray]:
    """All distinct segment thumbnails of ``result`` in one PNG: (png bytes, columns, sprite index per
    segment row). Thumbnail j sits at column j % columns, row j // columns, ``size`` px each.

    Example::

        png, cols, index = sprite_sheet(result)
    """
    seg = result.segments
    keys = list(zip(seg["image"].to_numpy(), seg["segment"].to_numpy()))
    first: dict[tuple, int] = {}
    index = np.empty(len(keys), np.int32)
    bboxes = seg["bbox"].tolist()
    crops = []
    for r, key in enumerate(keys):
        if key not in first:
            first[key] = len(crops)
            y0, x0, y1, x1 = bboxes[r]
            crops.append(result.images[int(key[0])][y0:y1, x0:x1])
        index[r] = first[key]
    n = max(len(crops), 1)
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    sheet = np.zeros((rows * size, cols * size, 3), np.float32)
    for j, crop in enumerate(crops):
        r, c = divmod(j, cols)
        sheet[r * size:(r + 1) * size, c * size:(c + 1) * size] = _thumbnail(crop, size)
    return _png(sheet), cols, index


class ImacsViewer(MlnbWidget):
    """The interactive IMACS viewer of a result (``result.view()``; ``%imacs`` shows it).

    Synced view state: ``view`` ('histograms' | 'concepts' | 'confusion'), ``sort_by`` (clusters by
    'imbalance' | 'importance' | 'centrality'), ``within`` (segments by 'attribution' |
    'centrality'), ``outcomes`` (shown outcomes, e.g. ['FP']), ``cluster`` (the confusion view's
    cluster). ``result`` is the :class:`~mlnb.imacs.ImacsResult` shown (None while ``%imacs`` runs).

    Example::

        viewer = result.view()
        viewer.outcomes = ["FP"]          # false positives only
        viewer.recluster(n_clusters=8)    # same attributions, new clusters
    """

    _bundle = "imacs_viewer"

    result = traitlets.Any(None, allow_none=True)

    # the result, mirrored (set by _mirror only)
    target = traitlets.Unicode("").tag(sync=True)
    class_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    n_clusters = traitlets.Int(0).tag(sync=True)
    clusters = traitlets.List().tag(sync=True)   # one dict per cluster (summary + what_changed)
    notes = traitlets.List(traitlets.Unicode()).tag(sync=True)
    image_shape = traitlets.List(traitlets.Int()).tag(sync=True)
    seg_cluster = array_trait("int16", 1).tag(sync=True)   # int16 per segment row
    seg_model = array_trait("uint8", 1).tag(sync=True)     # uint8: 0 = A, 1 = B
    seg_attr = array_trait("float32", 1).tag(sync=True)      # float32 attribution
    seg_outcome = array_trait("uint8", 1).tag(sync=True)   # uint8 index into OUTCOMES
    seg_image = array_trait("int32", 1).tag(sync=True)     # int32 source image
    seg_bbox = array_trait("int16", 2).tag(sync=True)      # int16 (n, 4) y0, x0, y1, x1
    seg_distance = array_trait("float32", 1).tag(sync=True)  # float32 distance to the centroid
    seg_sprite = array_trait("int32", 1).tag(sync=True)    # int32 thumbnail index in the sprite sheet
    locations = array_trait("float32", 4).tag(sync=True)     # float32 (k, 2, 8, 8) location maps
    sprites = traitlets.Bytes(b"").tag(sync=True)  # one PNG sprite sheet
    sprite_cols = traitlets.Int(1).tag(sync=True)
    sprite_size = traitlets.Int(THUMB).tag(sync=True)

    # view state the user changes (Python knows it: e.g. for export and the static fallback)
    view = traitlets.Unicode("histograms").tag(sync=True)
    sort_by = traitlets.Unicode("imbalance").tag(sync=True)
    within = traitlets.Unicode("attribution").tag(sync=True)
    outcomes = traitlets.List(traitlets.Unicode(), default_value=list(OUTCOMES)).tag(sync=True)
    cluster = traitlets.Int(-1).tag(sync=True)

    def __init__(self, result: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.result = result

    # -- validation of the user's view state (one clear error each) ----------------------------
    @traitlets.validate("view")
    def _valid_view(self, proposal: Any) -> str:
        return self._choice("view", proposal["value"], VIEWS)

    @traitlets.validate("sort_by")
    def _valid_sort(self, proposal: Any) -> str:
        return self._choice("sort_by", proposal["value"], SORTS)

    @traitlets.validate("within")
    def _valid_within(self, proposal: Any) -> str:
        return self._choice("within", proposal["value"], WITHIN)

    @traitlets.validate("outcomes")
    def _valid_outcomes(self, proposal: Any) -> list:
        for o in proposal["value"]:
            self._choice("outcomes", o, OUTCOMES)
        return list(proposal["value"])

    @staticmethod
    def _choice(name: str, value: Any, allowed: tuple) -> Any:
        from mlnb._validation import check_choice

        try:
            return check_choice(name, value, allowed)
        except ValueError as exc:
            raise traitlets.TraitError(str(exc)) from None

    # -- mirror the engine ------------------------------------------------------------------------
    @traitlets.observe("result")
    def _mirror(self, change: Any) -> None:
        r = change["new"]
        if r is None:
            return
        seg = r.segments
        new_images = change["old"] is None or change["old"].attributions is not r.attributions
        with self.hold_sync():
            if new_images:  # stage-1 data: only when the attributions change (not on re-cluster)
                self.target = str(r.target_label)
                self.class_names = [str(c) for c in r.class_names] if r.class_names else []
                self.notes = [str(n) for n in r.notes]
                self.image_shape = [int(v) for v in r.images.shape[1:]]
                self.seg_model = (seg["model"] == "B").to_numpy().astype(np.uint8)
                self.seg_attr = seg["attribution"].to_numpy(np.float32)
                self.seg_outcome = seg["outcome"].map({o: i for i, o in enumerate(OUTCOMES)}).to_numpy(np.uint8)
                self.seg_image = seg["image"].to_numpy(np.int32)
                self.seg_bbox = np.array(seg["bbox"].tolist(), np.int16).reshape(-1, 4)
                png, cols, index = sprite_sheet(r)
                self.sprite_cols, self.seg_sprite, self.sprites = cols, index, png
            self.seg_cluster = seg["cluster"].to_numpy(np.int16)
            self.seg_distance = seg["distance"].to_numpy(np.float32)
            self.locations = r.location_maps(LOCATION_SIZE).astype(np.float32)
            rows = []
            for _, row in r.clusters.iterrows():
                c = int(row["cluster"])
                rows.append({k: (float(row[k]) if k not in ("cluster", "n_a", "n_b", "n") else int(row[k]))
                             for k in ("cluster", "n_a", "n_b", "n", "mean_a", "mean_b", "imbalance", "difference",
                                       "importance", "centrality")} | {"what_changed": r.what_changed(c)})
            self.clusters = rows
            self.n_clusters = int(r.n_clusters)
            if self.cluster not in set(r.clusters["cluster"]):
                self.cluster = int(r.clusters["cluster"].iloc[0])
            self.clear_progress()

    # -- commands (front end → Python, on demand) ---------------------------------------------------
    @command
    def source_images(self, images: list) -> tuple[dict, list[bytes]]:
        """Source images as one PNG sprite sheet (image j at column j % cols, row j // cols), each
        with its label and both models' predicted class and probability.

        The viewer asks for the images of a hovered segment's whole cluster at once, so further
        hovers in that cluster need no round trip.
        """
        r = self._need_result()
        if not isinstance(images, (list, tuple)) or not images or len(images) > MAX_SOURCES:
            raise ValueError(f"images={images!r} is not valid; expected a list of 1 to {MAX_SOURCES} image indices")
        wanted = [int(i) for i in images]
        bad = [i for i in wanted if i not in r.predictions.index]
        if bad:
            raise ValueError(f"images={bad[:3]!r} is not valid; expected explained images (indices in result.predictions)")
        name = (lambda c: r.class_names[int(c)] if r.class_names else str(int(c)))
        infos = []
        for i in wanted:
            p = r.predictions.loc[i]
            infos.append({"image": i, "label": name(p["label"]),
                          "a": {"predicted": name(p["pred_a"]), "probability": float(p["prob_a"]),
                                "p_target": float(p["p_target_a"])},
                          "b": {"predicted": name(p["pred_b"]), "probability": float(p["prob_b"]),
                                "p_target": float(p["p_target_b"])}})
        h, w, ch = r.images.shape[1:]
        cols = int(np.ceil(np.sqrt(len(wanted))))
        rows = int(np.ceil(len(wanted) / cols))
        sheet = np.zeros((rows * h, cols * w, ch), np.float32)
        for j, i in enumerate(wanted):
            y, x = divmod(j, cols)
            sheet[y * h:(y + 1) * h, x * w:(x + 1) * w] = r.images[i]
        return {"images": infos, "cols": cols, "height": int(h), "width": int(w)}, [_png(sheet)]

    @command
    def recluster(self, n_clusters: int) -> dict:
        """Re-cluster the shown result with ``n_clusters`` (attributions and embeddings are reused)."""
        r = self._need_result()
        self.set_progress("clustering", 0, 1)
        try:
            self.result = r.recluster(n_clusters=int(n_clusters))
        finally:
            self.clear_progress()
        return {"n_clusters": self.n_clusters}

    @command
    def export(self, view: str, format: str = "svg") -> tuple[dict, list[bytes]]:
        """A view as an offline SVG or PNG (the static Altair chart of that view, via vl-convert)."""
        from mlnb._validation import check_choice

        check_choice("view", view, VIEWS)
        check_choice("format", format, ("svg", "png"))
        import vl_convert as vlc

        spec = self._need_result().chart(view=view, cluster=self.cluster, outcomes=self.outcomes,
                                         sort_by=self.sort_by).to_dict()
        data = vlc.vegalite_to_svg(spec).encode() if format == "svg" else vlc.vegalite_to_png(spec, scale=2)
        return {"filename": f"imacs-{view}.{format}", "mime": "image/svg+xml" if format == "svg" else "image/png"}, [data]

    def _need_result(self) -> Any:
        if self.result is None:
            raise ValueError("the IMACS run has not finished yet; no result to show")
        return self.result

    # -- static fallback (nbconvert, no kernel) --------------------------------------------------
    def _static_html(self) -> str:
        r = self.result
        if r is None:
            if self.error:
                return f"<p>IMACS failed: {html.escape(self.error)}</p>"
            return "<p>IMACS: running…</p>"
        return r._repr_html_()

    def _static_chart(self) -> Any:
        return None if self.result is None else self.result.chart()
