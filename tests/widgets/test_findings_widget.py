"""FindingsWidget: its synced state is what the view renders, so the state is what we test."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from mlnb.widgets import FindingsWidget
from mlnb.widgets import _bundles

FINDING = {
    "key": "missing-activation",
    "severity": "error",
    "title": "Missing activation after dense_1",
    "epochs": [3, -1, 3],
    "location": {
        "file": "/tmp/ipykernel_1/123.py",
        "line": 4,
        "cell_id": "abc-123",
        "execution_count": 2,
        "notebook_path": "train.ipynb",
        "code": "x = Dense(64)(x)",
    },
    "context": {"layer": "dense_1", "loss": float("nan"), "lr": np.float32(0.5), "shape": np.array([2, 3])},
    "description": "Two linear layers in a row collapse into one.",
    "fix": "Add `activation='relu'`.",
    "snippet": "Dense(64, activation='relu')",
    "links": ["https://keras.io/api/layers/", {"label": "Stack Overflow", "url": "https://stackoverflow.com/q/1"}],
}


def test_bundle_is_built_and_is_the_esm():
    path = _bundles.bundle_path("findings")
    assert path.is_file(), _bundles.NOT_BUILT
    w = FindingsWidget()
    assert w._esm == path.read_text()
    assert "mlnb:reveal" in w._esm  # the built view, not the "not built" placeholder
    assert w._css == _bundles.bundle_path("findings", "css").read_text()
    assert "--mlnb-sev-error" in w._css  # the design tokens travel with the view


def test_state_fixtures_are_the_contract_the_view_renders():
    """js/test/findings-widget.test.ts renders these exact states (see mlnb.widgets._testing)."""
    from mlnb.umlaut.findings import Finding
    from mlnb.widgets._testing import check_fixture

    check_fixture(FindingsWidget(), "empty")
    check_fixture(FindingsWidget(findings=[FINDING, {
        "key": "overfitting", "severity": "warning", "title": "Possible overfitting", "epochs": [5, 6, 7]}]), "two")
    payload = "</script><script>window.__pwned=1</script><img src=x onerror=alert(1)>"
    check_fixture(FindingsWidget(findings=[{
        **FINDING, "title": payload, "description": payload, "snippet": payload,
        "links": [{"label": payload, "url": "javascript:alert(1)"}],
        "location": {**FINDING["location"], "code": payload}, "context": {payload: payload}}]), "injection")
    many = [Finding("dead-relu", "warning", f"Dead ReLU units in dense_{i}", epochs=[i % 50], subject=f"dense_{i}")
            for i in range(200)]
    check_fixture(FindingsWidget.from_findings(many[:3] + [Finding(
        "nan-loss", "critical", "Loss became NaN at epoch 3", epochs=[3], context={"loss": float("nan")})]), "explained")
    w = FindingsWidget(findings=many)
    w.set_progress("Epoch", 3, 10)
    check_fixture(w, "many")


def test_static_fallback_is_escaped_html_of_the_cards():
    payload = "</script><script>alert(1)</script>"
    w = FindingsWidget(findings=[{**FINDING, "title": payload}])
    data, _ = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    html = data["text/html"]
    assert "<script" not in html and "&lt;/script&gt;&lt;script&gt;" in html
    assert "cell [2], line 4" in html and "<details" in html


def test_state_is_normalised_and_json_safe():
    w = FindingsWidget(findings=[FINDING])
    (f,) = w.findings
    assert f["epochs"] == [-1, 3]
    assert f["context"] == {"layer": "dense_1", "loss": "NaN", "lr": 0.5, "shape": [2, 3]}
    assert f["location"]["cell_id"] == "abc-123" and f["location"]["line"] == 4
    assert f["links"] == [
        {"label": "https://keras.io/api/layers/", "url": "https://keras.io/api/layers/"},
        {"label": "Stack Overflow", "url": "https://stackoverflow.com/q/1"},
    ]
    # What travels to the browser must be strict JSON (no bare NaN).
    state = w.get_state()
    json.dumps(state["findings"], allow_nan=False)


def test_assignment_updates_state_and_accepts_finding_objects():
    @dataclasses.dataclass
    class Finding:
        key: str
        severity: str
        title: str
        epochs: list
        location: object = None

    w = FindingsWidget()
    assert w.findings == []
    w.findings = [Finding("nan-loss", "critical", "Loss became NaN", [5])]
    assert w.findings[0]["severity"] == "critical"
    assert w.findings[0]["location"] is None
    assert w.get_state()["findings"][0]["title"] == "Loss became NaN"


@pytest.mark.parametrize(
    ("finding", "message"),
    [
        ({**FINDING, "severity": "fatal"}, "findings[0]['severity']='fatal' is not valid"),
        ({**FINDING, "title": ""}, "findings[0]['title']='' is not valid"),
        ({**FINDING, "epochs": ["x"]}, "findings[0]['epochs']=['x'] is not valid"),
        ({**FINDING, "links": [3]}, "findings[0]['links'] contains 3"),
    ],
)
def test_bad_findings_name_the_field_and_value(finding, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        FindingsWidget(findings=[finding])


def test_non_mapping_finding_is_rejected():
    with pytest.raises(TypeError, match=r"findings\[0\]=42 is not valid"):
        FindingsWidget(findings=[42])


def test_missing_bundle_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(_bundles, "STATIC", tmp_path)
    with pytest.raises(RuntimeError, match="JS bundles are not built; run `npm run build:prod`"):
        FindingsWidget()
    # The placeholder module shows the same message in the output area.
    assert "npm run build:prod" in _bundles.esm("findings")


def test_from_findings_adds_the_catalog_explanation():
    from mlnb.umlaut.catalog import entry
    from mlnb.umlaut.findings import Finding

    finding = Finding("nan-loss", "critical", "Loss became NaN at epoch 3", epochs=[3], context={"loss": float("nan")})
    (keras,) = FindingsWidget.from_findings([finding]).findings
    cat = entry("nan-loss")
    assert keras["description"] == cat.description and keras["fix"] == cat.fix
    assert keras["snippet"] == cat.snippets["keras"]
    assert keras["heuristic"]
    assert keras["context"] == {"loss": "NaN"}
    assert any("stackoverflow.com/search" in link["url"] for link in keras["links"])
    assert not any(link["label"].startswith("PyTorch:") for link in keras["links"])
    (torch,) = FindingsWidget.from_findings([finding], framework="torch").findings
    assert torch["snippet"] == cat.snippets["torch"]
    with pytest.raises(ValueError, match="framework='jax' is not valid"):
        FindingsWidget.from_findings([finding], framework="jax")
