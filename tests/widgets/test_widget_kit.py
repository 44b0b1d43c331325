"""The widget kit's Python side: binary array traits, the base widget's commands, progress and
error state, its static fallback, offline charts, and engines' change notifications."""

from __future__ import annotations

import math

import numpy as np
import pytest
import traitlets

from mlnb._events import Observable
from mlnb.schema import json_dumps, json_revive, json_safe
from mlnb.widgets import _bundles
from mlnb.widgets._base import MlnbWidget, command
from mlnb.widgets._serializers import array_from_json, array_to_json, array_trait


@pytest.mark.parametrize("dtype", ["float32", "int32", "uint8", "float64"])
def test_arrays_round_trip_as_binary_buffers(dtype):
    a = np.array([[0, 1, 2], [3, 4, 250]], dtype=dtype)
    wire = array_to_json(a, None)
    assert wire["dtype"] == dtype and wire["shape"] == [2, 3]
    assert isinstance(wire["buffer"], memoryview) and wire["buffer"].nbytes == a.nbytes
    np.testing.assert_array_equal(array_from_json(wire, None), a)


def test_nan_survives_and_int64_travels_as_int32_when_it_fits():
    back = array_from_json(array_to_json(np.array([np.nan, np.inf, 1.0], np.float32), None), None)
    assert math.isnan(back[0]) and back[1] == np.inf
    assert array_to_json(np.arange(4), None)["dtype"] == "int32"
    assert array_to_json(np.array([2**40]), None)["dtype"] == "float64"
    assert array_to_json(None, None) is None
    with pytest.raises(TypeError, match="cannot be sent to a view"):
        array_to_json(np.array(["a"]), None)


class Demo(MlnbWidget):
    _bundle = "findings"  # any built bundle: these tests exercise the Python side
    points = array_trait("float32", ndim=2).tag(sync=True)

    @command
    def page(self, start: int, stop: int) -> dict:
        if stop < start:
            raise ValueError(f"stop={stop} is not valid; expected stop >= start={start}")
        return {"rows": list(range(start, stop))}

    @command
    def blob(self) -> tuple:
        return {"n": 3}, [b"abc"]

    @command
    def crash(self) -> None:
        raise RuntimeError("boom")


def _call(widget, name, msg):
    return type(widget)._anywidget_commands[name](widget, msg, [])


def test_commands_answer_ok_or_error_and_stay_plain_methods():
    w = Demo()
    assert w.page(0, 2) == {"rows": [0, 1]}
    assert _call(w, "page", {"start": 1, "stop": 3}) == ({"ok": True, "value": {"rows": [1, 2]}}, [])
    assert _call(w, "blob", {}) == ({"ok": True, "value": {"n": 3}}, [b"abc"])
    answer, _ = _call(w, "page", {"start": 3, "stop": 1})
    assert answer == {"ok": False, "error": "stop=1 is not valid; expected stop >= start=3"}
    assert _call(w, "crash", {})[0] == {"ok": False, "error": "RuntimeError: boom"}
    assert _call(w, "page", {"nope": 1})[0]["ok"] is False


def test_array_traits_validate_and_sync_as_buffers():
    w = Demo(points=[[1, 2], [3, 4]])
    assert w.points.dtype == np.float32
    state = w.get_state()
    assert state["points"]["shape"] == [2, 2] and isinstance(state["points"]["buffer"], memoryview)
    with pytest.raises(traitlets.TraitError, match="expected an array with 2 dimension"):
        w.points = [1, 2, 3]


def test_progress_error_and_static_fallback_in_the_mime_bundle():
    w = Demo()
    w.set_progress("Embedding", 3, 10)
    assert w.progress == {"stage": "Embedding", "done": 3, "total": 10}
    w.clear_progress()
    assert w.progress["stage"] == ""
    w.set_error("store is read-only")
    assert w.get_state()["error"] == "store is read-only"
    data, _ = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/html"].startswith("<p>Demo: run the notebook")


def test_static_chart_is_an_offline_svg():
    import altair as alt
    import pandas as pd

    class Charted(Demo):
        def _static_chart(self):
            return alt.Chart(pd.DataFrame({"x": [1, 2], "n": ["</script><b>", "b"]})).mark_bar().encode(x="x:Q", y="n:N")

    data, _ = Charted()._repr_mimebundle_()
    svg = data["image/svg+xml"]
    assert svg.startswith("<svg") and "<script" not in svg and "&lt;/script&gt;" in svg


def test_missing_css_is_not_required(tmp_path, monkeypatch):
    monkeypatch.setattr(_bundles, "STATIC", tmp_path)
    assert _bundles.css("findings") == ""


def test_json_encoding_is_strict_and_reversible():
    value = {"loss": float("nan"), "lr": np.float32(0.5), "hi": float("inf"), "e": (1, 2)}
    text = json_dumps(value)
    assert text == '{"loss": "NaN", "lr": 0.5, "hi": "Infinity", "e": [1, 2]}'
    back = json_revive(json_safe(value))
    assert math.isnan(back["loss"]) and back["hi"] == math.inf


def test_observable_notifies_filters_unsubscribes_and_survives_a_broken_listener():
    class Engine(Observable):
        def step(self, n):
            self._notify("metrics", epoch=n)
            self._notify("status", status="running")

    engine, seen, only = Engine(), [], []
    stop = engine.observe(lambda e, p: seen.append((e, p)))
    engine.observe(lambda e, p: only.append(p["epoch"]), events="metrics")
    engine.observe(lambda e, p: 1 / 0)
    with pytest.warns(RuntimeWarning, match="a view of Engine failed on 'metrics'"):
        engine.step(0)
    engine.step(1)  # reported once, not per call
    stop()
    engine.step(2)
    assert seen == [("metrics", {"epoch": 0}), ("status", {"status": "running"}),
                    ("metrics", {"epoch": 1}), ("status", {"status": "running"})]
    assert only == [0, 1, 2]
    with pytest.raises(TypeError, match="expected a callable"):
        engine.observe("nope")
