"""The findings widget: UMLAUT finding cards, rendered by ``js/widgets/findings.ts``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, Iterable

import anywidget
import traitlets

from mlnb.widgets._bundles import esm, require_bundle

SEVERITIES = ("critical", "error", "warning")
_TEXT_FIELDS = ("key", "title", "description", "heuristic", "fix", "snippet")
_LOCATION_FIELDS = ("file", "line", "cell_id", "execution_count", "notebook_path", "code")


def _json_safe(value: Any) -> Any:
    """Plain JSON values; non-finite floats become "NaN"/"Infinity"/"-Infinity" (as in the REST API)
    and numpy scalars/arrays become Python numbers/lists."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy scalar or array
        return _json_safe(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    return str(value)


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
    out["location"] = _json_safe({k: location.get(k) for k in _LOCATION_FIELDS}) if location else None
    out["context"] = _json_safe(dict(f.get("context") or {}))
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


class FindingsWidget(anywidget.AnyWidget):
    """Cards for UMLAUT findings: severity, title, where (a link to the cell and line), epochs,
    why it matters, how to fix it (with a snippet) and links.

    ``findings`` is the whole state: a list of dicts (finding objects with ``to_dict()`` or
    dataclasses are converted on assignment).

    Example
    -------
    >>> w = FindingsWidget(findings=[{"key": "missing-activation", "severity": "error",
    ...     "title": "Missing activation after dense_1", "epochs": [-1]}])   # doctest: +SKIP
    >>> w.findings[0]["severity"]                                            # doctest: +SKIP
    'error'
    """

    _esm = esm("findings")
    findings = FindingList().tag(sync=True)

    def __init__(self, findings: Iterable[Any] = (), **kwargs: Any) -> None:
        require_bundle("findings")
        super().__init__(findings=list(findings), **kwargs)

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
