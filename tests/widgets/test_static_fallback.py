"""Outputs of mlnb outside a live JupyterLab: a notebook run by a real kernel, saved without
widget state (JupyterLab's default) and exported with nbconvert, shows the findings widget's
static cards and mlnb's charts as offline SVG; no user string becomes markup; nothing loads from
the network."""

from __future__ import annotations

import base64
import re

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")

PAYLOAD = "</script><script>window.__pwned=1</script><img src=x onerror=alert(1)>{{7*7}}"

CELLS = [
    "%load_ext mlnb",
    f"PAYLOAD = {PAYLOAD!r}",
    "from mlnb.widgets import FindingsWidget\n"
    "FindingsWidget(findings=[{'key': 'missing-activation', 'severity': 'error', 'title': PAYLOAD,\n"
    "    'epochs': [-1, 2], 'context': {PAYLOAD: PAYLOAD}, 'description': PAYLOAD, 'snippet': PAYLOAD}])",
    "import altair as alt, pandas as pd\n"
    "from mlnb.widgets._charts import use_offline_renderer\n"
    "use_offline_renderer()\n"
    "alt.Chart(pd.DataFrame({'x': [1, 2], 'name': ['ok', PAYLOAD]})).mark_bar().encode(x='x:Q', y='name:N')",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    client = nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}})
    client.store_widget_state = False  # as a notebook saved from JupyterLab by default
    client.execute()
    return nb


def test_outputs_carry_a_static_representation(executed):
    widget_out = executed.cells[2].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in widget_out
    assert "<details" in widget_out["text/html"]
    chart_out = executed.cells[3].outputs[0]["data"]
    assert "application/vnd.vega.v5+json" in chart_out  # JupyterLab renders it itself (interactive)
    assert chart_out["image/svg+xml"].lstrip().startswith("<svg")


def test_nbconvert_html_shows_the_fallback_and_nothing_executes(executed):
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter().from_notebook_node(executed)
    # The findings widget shows as its static cards, with the user's string as text.
    assert "UMLAUT findings" in html and "mlnb-static-findings" in html
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    # The chart is an offline SVG image; its data strings are escaped inside it.
    svgs = [base64.b64decode(m).decode() for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]
    assert svgs and any("&lt;/script&gt;" in s for s in svgs)
    # No payload became markup anywhere (the code cells show it highlighted, hence escaped, too).
    assert "<script>window.__pwned" not in html
    assert "onerror=alert(1)>" not in html.replace("onerror=alert(1)&gt;", "")
    # mlnb's outputs reference no network resource (nbconvert's own template may load MathJax etc.).
    for output in (executed.cells[2].outputs[0]["data"]["text/html"], *svgs):
        assert not re.search(r"(src|href)=[\"']?https?://", output)
