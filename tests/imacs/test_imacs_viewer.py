"""The IMACS viewer widget: its state mirrors the result (typed arrays, one sprite sheet whose tiles
match the segments), its commands (source image, re-cluster, export) and `%imacs` showing it."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

pytest.importorskip("anywidget")
import traitlets
from PIL import Image

from mlnb import imacs
from mlnb.widgets.imacs_viewer import OUTCOMES, THUMB, ImacsViewer, _thumbnail


def colour_embedder(crops):
    return np.array([np.r_[c.reshape(-1, 3).mean(0), c.reshape(-1, 3).std(0)] for c in crops])


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(0)
    x = rng.random((60, 16, 16, 3)).astype(np.float32)
    w1, w2 = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    x[:20, :4, :4] = 1.0  # a bright corner on a third of the images
    y = rng.integers(0, 3, 60)
    models = (lambda b: b.mean(axis=(1, 2)) @ w1, lambda b: b.mean(axis=(1, 2)) @ w2 + 3 * b[:, :4, :4].mean(axis=(1, 2, 3))[:, None] * np.eye(3)[1])
    names = ["<b>cat</b>", "dog", "fish"]
    result = imacs.compare(*models, x, y, target="dog", class_names=names, n_per_model=20, n_clusters=4,
                           embedder=colour_embedder, record=False)
    return result, models, x, y, names


def decode(value):
    return np.frombuffer(bytes(value["buffer"]), dtype=value["dtype"]).reshape(value["shape"])


def test_state_mirrors_the_result_and_sprites_match_segments(small):
    from mlnb.widgets._testing import check_fixture

    result, *_ = small
    v = ImacsViewer(result)
    check_fixture(v, "small")  # the contract js/test/imacs_viewer.test.ts renders
    state = v.get_state()
    seg = result.segments
    n = len(seg)
    assert decode(state["seg_attr"]).tolist() == pytest.approx(seg["attribution"].tolist(), abs=1e-6)
    assert decode(state["seg_cluster"]).tolist() == seg["cluster"].tolist()
    assert [OUTCOMES[i] for i in decode(state["seg_outcome"])] == seg["outcome"].tolist()
    assert decode(state["seg_bbox"]).tolist() == [list(b) for b in seg["bbox"]]
    assert decode(state["locations"]).shape == (4, 2, 8, 8)
    assert [c["cluster"] for c in v.clusters] == result.clusters["cluster"].tolist()
    assert all(c["what_changed"] == result.what_changed(c["cluster"]) for c in v.clusters)
    assert v.target == "dog" and v.class_names[0] == "<b>cat</b>"
    # One PNG holds every distinct thumbnail; each segment's tile is its own crop.
    sheet = np.asarray(Image.open(io.BytesIO(v.sprites)).convert("RGB")).astype(np.float32) / 255
    index = decode(state["seg_sprite"])
    assert len(index) == n and index.max() < v.sprite_cols * (sheet.shape[0] // THUMB)
    assert len(np.unique(index)) == len(set(zip(seg["image"], seg["segment"])))
    for r in range(0, n, 7):
        j = int(index[r])
        tile = sheet[(j // v.sprite_cols) * THUMB:(j // v.sprite_cols + 1) * THUMB,
                     (j % v.sprite_cols) * THUMB:(j % v.sprite_cols + 1) * THUMB]
        y0, x0, y1, x1 = seg["bbox"].iloc[r]
        want = _thumbnail(result.images[seg["image"].iloc[r]][y0:y1, x0:x1])
        assert np.abs(tile - want).max() <= 1 / 255 + 1e-6


def test_recluster_command_keeps_attributions_and_updates_the_state(small):
    result, *_ = small
    v = result.view()
    attr, sprites = bytes(v.get_state()["seg_attr"]["buffer"]), v.sprites
    assert v.recluster(n_clusters=3) == {"n_clusters": 3}
    assert v.result is not result and v.result.attributions is result.attributions
    assert len(v.clusters) == 3 and decode(v.get_state()["seg_cluster"]).max() == 2
    assert bytes(v.get_state()["seg_attr"]["buffer"]) == attr and v.sprites is sprites  # not re-sent
    assert v.cluster in {c["cluster"] for c in v.clusters}
    with pytest.raises(ValueError, match="n_clusters=0 is not valid"):
        v.recluster(n_clusters=0)
    assert len(v.clusters) == 3 and v.progress["stage"] == ""


def test_source_images_command_sends_one_sprite_sheet(small):
    result, models, x, y, names = small
    v = ImacsViewer(result)
    images = sorted(set(result.segments["image"]))[:5]
    value, (png,) = v.source_images(images=images)
    sheet = np.asarray(Image.open(io.BytesIO(png))).astype(np.float32) / 255
    assert value["cols"] == 3 and (value["height"], value["width"]) == (16, 16) and sheet.shape == (32, 48, 3)
    for j, image in enumerate(images):
        r, c = divmod(j, value["cols"])
        assert np.abs(sheet[r * 16:(r + 1) * 16, c * 16:(c + 1) * 16] - x[image]).max() <= 1 / 255
        info = value["images"][j]
        assert info["image"] == image and info["label"] == names[y[image]]
        assert info["b"]["predicted"] == names[int(models[1](x[image:image + 1]).argmax())]
        assert 0 < info["a"]["probability"] <= 1
    with pytest.raises(ValueError, match=r"images=\[9999\] is not valid"):
        v.source_images(images=[9999])
    with pytest.raises(ValueError, match="expected a list of 1 to 256"):
        v.source_images(images=[])


def test_export_and_view_state_validation(small):
    result, *_ = small
    v = ImacsViewer(result)
    meta, (svg,) = v.export(view="histograms", format="svg")
    assert meta["filename"] == "imacs-histograms.svg" and svg.lstrip().startswith(b"<svg")
    v.outcomes = ["FP", "TN"]
    meta, (png,) = v.export(view="confusion", format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="format='gif' is not valid"):
        v.export(view="concepts", format="gif")
    with pytest.raises(traitlets.TraitError, match="view='table' is not valid"):
        v.view = "table"
    with pytest.raises(traitlets.TraitError, match="outcomes='XX' is not valid"):
        v.outcomes = ["XX"]
    with pytest.raises(traitlets.TraitError, match="sort_by='size' is not valid"):
        v.sort_by = "size"
    # Class names are user strings: escaped in the static fallback.
    html = v._static_html()
    assert "&lt;b&gt;cat&lt;/b&gt;" in html or "<b>cat</b>" not in html


def test_imacs_magic_shows_progress_then_the_viewer(small, monkeypatch):
    _, models, x, y, names = small
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_line_magic("load_ext", "mlnb")
    ip.user_ns.update(ma=models[0], mb=models[1], xs=x, ys=y, names=names)
    shown = []
    seen_progress = []
    updates = []

    class Handle:
        def update(self, obj):
            updates.append(obj._static_html())

    def fake_display(obj, *a, **k):
        shown.append(obj)
        return Handle() if k.get("display_id") else None

    monkeypatch.setattr("IPython.display.display", fake_display)
    orig = ImacsViewer.set_progress

    def spy(self, stage, done, total):
        seen_progress.append(stage)
        orig(self, stage, done, total)

    monkeypatch.setattr(ImacsViewer, "set_progress", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # notes stay in the result and the view
        result = ip.run_line_magic("imacs", "ma mb xs ys --target dog --class-names names --per-model 12 --clusters 3")
    assert len(shown) == 1 and isinstance(shown[0], ImacsViewer) and shown[0].result is result
    assert list(dict.fromkeys(seen_progress)) == list(imacs.STAGES)
    assert shown[0].progress["stage"] == "" and len(shown[0].clusters) == 3
    # The output is re-rendered with the result, so a saved notebook's static fallback shows it.
    assert len(updates) == 1 and "mean_b" in updates[0] and "running" not in updates[0]
    assert all("'dog'" in n for n in shown[0].notes if "target" in n)
    result._ipython_display_()  # the viewer is on screen already: not shown a second time
    assert len(shown) == 1
