"""Altair charts that render with no network.

Altair's default renderer loads Vega from a CDN (offline: "Error loading script") and embeds the
spec in a ``<script>`` block that a ``</script>`` in any data string breaks out of. mlnb never
uses it. Its charts display as JSON specs that the front end renders itself, plus an SVG made
offline by vl-convert (for nbconvert, GitHub and front ends without Vega). JupyterLab 4.6 renders
Vega 5 and Vega-Lite 3-5, not the Vega-Lite 6 specs Altair 6 writes, so the bundle also carries
the chart compiled to Vega 5 by vl-convert: interactive (tooltips) in JupyterLab and Notebook 7.
None of these parses data strings as HTML.

Example
-------
>>> import altair as alt, pandas as pd                                  # doctest: +SKIP
>>> chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q")  # doctest: +SKIP
>>> sorted(chart_bundle(chart))                                          # doctest: +SKIP
['application/vnd.vega.v5+json', 'application/vnd.vegalite.v6+json', 'image/svg+xml', 'text/plain']
"""

from __future__ import annotations

from typing import Any

RENDERER = "mlnb"
VEGA_MIMETYPE = "application/vnd.vega.v5+json"
VEGA_LITE_FOR_VEGA5 = "5.20"  # the newest Vega-Lite whose compiler emits Vega 5 specs


def vegalite_mimetype() -> str:
    import altair as alt

    return f"application/vnd.vegalite.v{alt.SCHEMA_VERSION.lstrip('v').split('.')[0]}+json"


def chart_svg(chart_or_spec: Any) -> str:
    """The chart as an SVG document, rendered offline."""
    import vl_convert

    spec = chart_or_spec if isinstance(chart_or_spec, dict) else chart_or_spec.to_dict()
    return vl_convert.vegalite_to_svg(spec)


def chart_png(chart_or_spec: Any, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes, rendered offline."""
    import vl_convert

    spec = chart_or_spec if isinstance(chart_or_spec, dict) else chart_or_spec.to_dict()
    return vl_convert.vegalite_to_png(spec, scale=scale)


SVG_MAX_ROWS = 5000  # beyond this an SVG is megabytes and seconds to make; the spec alone is shown


def _rows(spec: dict) -> int:
    rows = sum(len(v) for v in (spec.get("datasets") or {}).values() if isinstance(v, list))
    values = (spec.get("data") or {}).get("values") if isinstance(spec.get("data"), dict) else None
    return rows + (len(values) if isinstance(values, list) else 0)


def chart_bundle(chart_or_spec: Any, svg: bool = True) -> dict[str, Any]:
    """The mime bundle mlnb displays a chart with: the Vega-Lite spec and an offline SVG (for
    charts of at most ``SVG_MAX_ROWS`` data rows)."""
    spec = chart_or_spec if isinstance(chart_or_spec, dict) else chart_or_spec.to_dict()
    bundle: dict[str, Any] = {vegalite_mimetype(): spec, "text/plain": "<mlnb chart>"}
    try:
        import vl_convert

        bundle[VEGA_MIMETYPE] = vl_convert.vegalite_to_vega(spec, vl_version=VEGA_LITE_FOR_VEGA5)
    except Exception:  # noqa: BLE001 - a Vega-Lite 6 feature: the SVG still shows it
        pass
    if svg and _rows(spec) <= SVG_MAX_ROWS:
        try:
            bundle["image/svg+xml"] = chart_svg(spec)
        except Exception:  # noqa: BLE001 - the interactive spec is still there
            pass
    return bundle


def _render(spec: dict, **metadata: Any) -> tuple[dict, dict]:
    return chart_bundle(spec), {}


def use_offline_renderer() -> None:
    """Register Altair's ``"mlnb"`` renderer and make it active when Altair's CDN-loading
    default is: every chart then renders offline. A renderer the user chose is left alone."""
    import altair as alt

    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, _render)
    if alt.renderers.active in ("default", "html"):
        alt.renderers.enable(RENDERER)
