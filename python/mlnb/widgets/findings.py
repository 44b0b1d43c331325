"""The findings widget: UMLAUT finding cards, rendered by ``js/widgets/findings/``.

The worked example of the widget kit: traitlets are the whole state, the front end draws from
them alone and updates in place, and the static fallback shows the same cards as plain HTML.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping
from typing import Any, Iterable

import traitlets

from mlnb.schema import SEVERITIES, SEVERITY_COLORS, json_safe
from mlnb.widgets._base import MlnbWidget

_TEXT_FIELDS = ("key", "subject", "title", "description", "heuristic", "fix", "snippet")
_LOCATION_FIELDS = ("file", "line", "cell_id", "execution_count", "notebook_path", "code")



def _as_mapping(item: Any, index: int) -> Mapping[str, Any]:
    if isinstance(item, Mapping):
        return item
    if hasattr(item, "to_dict") and callable(item.to_dict):
        return item.to_dict()
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return dataclasses.asdict(item)
    raise TypeError(
        f"findings[{index}]={item!r} is not valid; expected a dict or a finding object "
        "(a dataclass or an object with to_dict())"
    )


def normalize_finding(item: Any, index: int = 0) -> dict[str, Any]:
    """One finding as the view expects it (keys key, severity, title, epochs, location, context,
    description, heuristic, fix, snippet, links), with a clear error for values it cannot show."""
    f = _as_mapping(item, index)
    severity = f.get("severity")
    if severity not in SEVERITIES:
        raise ValueError(
            f"findings[{index}]['severity']={severity!r} is not valid; expected one of "
            + ", ".join(map(repr, SEVERITIES))
        )
    title = f.get("title")
    if not isinstance(title, str) or not title:
        raise ValueError(f"findings[{index}]['title']={title!r} is not valid; expected a non-empty string")
    out: dict[str, Any] = {k: str(f.get(k) or "") for k in _TEXT_FIELDS}
    out["severity"] = severity
    try:
        out["epochs"] = sorted({int(e) for e in (f.get("epochs") or ())})
    except (TypeError, ValueError):
        raise ValueError(
            f"findings[{index}]['epochs']={f.get('epochs')!r} is not valid; expected a list of ints "
            "(-1 = before training)"
        ) from None
    location = f.get("location")
    if location is not None and not isinstance(location, Mapping):
        location = _as_mapping(location, index)
    out["location"] = json_safe({k: location.get(k) for k in _LOCATION_FIELDS}) if location else None
    out["context"] = json_safe(dict(f.get("context") or {}))
    out["links"] = _links(f.get("links") or (), index)
    return out


def _links(links: Iterable[Any], index: int) -> list[dict[str, str]]:
    out = []
    for link in links:
        if isinstance(link, str):
            out.append({"label": link, "url": link})
        elif isinstance(link, Mapping) and isinstance(link.get("url"), str):
            out.append({"label": str(link.get("label") or link.get("title") or link["url"]), "url": link["url"]})
        else:
            raise ValueError(
                f"findings[{index}]['links'] contains {link!r}; expected URL strings or "
                "{'label': ..., 'url': ...} dicts"
            )
    return out


class FindingList(traitlets.List):
    """A ``List(Dict())`` that first turns each item into the view's finding dict, so finding
    objects can be assigned and bad values are reported by field (not as a bare TraitError)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(traitlets.Dict(), **kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            value = [normalize_finding(item, i) for i, item in enumerate(value)]
        return super().validate(obj, value)


class FindingsWidget(MlnbWidget):
    """Cards for UMLAUT findings: one collapsed line each (severity, title, where, epochs) that
    expands to why it matters, what was observed, how to fix it (with a snippet) and links.
    "Go to code" opens the cell and line, as the sidebar does. Findings can be filtered by severity.

    ``findings`` is the whole state: a list of dicts (finding objects with ``to_dict()`` or
    dataclasses are converted on assignment).

    Example
    -------
    >>> w = FindingsWidget(findings=[{"key": "missing-activation", "severity": "error",
    ...     "title": "Missing activation after dense_1", "epochs": [-1]}])   # doctest: +SKIP
    >>> w.findings[0]["severity"]                                            # doctest: +SKIP
    'error'
    """

    _bundle = "findings"
    findings = FindingList().tag(sync=True)

    def __init__(self, findings: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(findings=list(findings), **kwargs)

    def _static_html(self) -> str:
        return findings_html(self.findings)

    @classmethod
    def from_findings(
        cls, findings: Iterable[Any], framework: str = "keras", thresholds: Any = None
    ) -> "FindingsWidget":
        """Cards for UMLAUT findings with their catalog explanation: why it matters, how it was
        detected, the fix with a ``framework`` ('keras' or 'torch') snippet, documentation and
        Stack Overflow links.

        Example
        -------
        >>> w = FindingsWidget.from_findings(cb.session.findings)   # doctest: +SKIP
        """
        from mlnb.umlaut.explain import _card

        items = []
        for i, finding in enumerate(findings):
            item = dict(_as_mapping(finding, i))
            card = _card(item, framework, thresholds)
            item.setdefault("description", card.entry.description)
            item.setdefault("heuristic", card.heuristic)
            item.setdefault("fix", card.entry.fix)
            item.setdefault("snippet", card.snippet)
            item.setdefault("links", [{"label": label, "url": url} for label, url in card.docs])
            items.append(item)
        return cls(findings=items)


def findings_html(findings: Iterable[Mapping[str, Any]]) -> str:
    """The cards as static HTML (collapsed ``<details>``, no script): the widget's fallback for
    nbconvert, GitHub and a notebook opened without its kernel. Every string is escaped."""
    e = html.escape
    items = list(findings)
    if not items:
        return '<div class="mlnb-static-findings"><p>UMLAUT: no problems found.</p></div>'
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    counts = " · ".join(f"{n} {s}" for s in SEVERITIES if (n := sum(f["severity"] == s for f in items)))
    out = [f'<div class="mlnb-static-findings"><p><b>UMLAUT findings</b>: {e(counts)}</p>']
    for f in sorted(items, key=lambda f: rank.get(f["severity"], 9)):
        meta = []
        if f.get("epochs"):
            meta.append("epochs " + ", ".join("before training" if x == -1 else str(x) for x in f["epochs"]))
        loc = f.get("location") or {}
        if loc.get("execution_count") is not None or loc.get("cell_id"):
            cell = f"cell [{loc['execution_count']}]" if loc.get("execution_count") is not None else "cell"
            meta.append(f"{cell}, line {loc['line']}" if loc.get("line") else cell)
        elif loc.get("file"):
            meta.append(f"{loc['file']}:{loc.get('line')}" if loc.get("line") else str(loc["file"]))
        body = []
        for heading, field in (("Why", "description"), ("How mlnb detects it", "heuristic"), ("How to fix", "fix")):
            if f.get(field):
                body.append(f"<p><b>{heading}</b>: {e(f[field])}</p>")
        if f.get("snippet"):
            body.append(f"<pre>{e(f['snippet'])}</pre>")
        out.append(
            f'<details style="border-left:4px solid {SEVERITY_COLORS.get(f["severity"], "#888")};padding:2px 8px;margin:4px 0">'
            f'<summary><b>{e(f["severity"].upper())}</b> {e(f["title"])}'
            + (f' <span style="opacity:.7">({e(" · ".join(meta))})</span>' if meta else "")
            + "</summary>" + "".join(body) + "</details>"
        )
    out.append("</div>")
    return "".join(out)
