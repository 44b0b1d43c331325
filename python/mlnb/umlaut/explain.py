"""Render a finding as a one-line summary, a plain-text card, or a self-contained HTML card.

A card follows the UMLAUT error message (thesis Fig. 3.3): title and severity, where and when it
was seen, the theory (why it matters), the heuristic with the thresholds in use, the program
context that triggered it, the fix with a code snippet for the user's framework, and
documentation and Stack Overflow links.

``finding`` is duck-typed: anything with ``key, severity, title, epochs, context, location,
subject`` (a :class:`mlnb.umlaut.findings.Finding`), or a store row (a dict with those keys).

Example
-------
>>> from types import SimpleNamespace
>>> f = SimpleNamespace(key="high-dropout", severity="warning", title="Dropout rate 0.8 in dropout",
...                     epochs=[-1], context={"rate": 0.8}, location=None, subject="dropout")
>>> summary_line(f)
'UMLAUT [warning] high-dropout: Dropout rate 0.8 in dropout'
>>> "Dropout(rate=0.2)" in explain(f)
True
"""

from __future__ import annotations

import dataclasses
import html
import textwrap
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote_plus

from mlnb.umlaut.catalog import CatalogEntry, entry

__all__ = ["summary_line", "explain", "to_html", "stack_overflow_url", "format_epochs"]

# Accepted spellings of a framework -> the snippet it gets (Hugging Face's Trainer runs PyTorch).
_FRAMEWORKS = {"keras": "keras", "tensorflow": "keras", "tf": "keras",
               "torch": "torch", "pytorch": "torch", "hf": "torch", "huggingface": "torch", "transformers": "torch"}
_LABEL = {"keras": "Keras", "torch": "PyTorch"}
_SO_TAG = {"keras": "keras", "torch": "pytorch"}
# (accent, badge text) per severity; readable on light and dark JupyterLab themes.
_COLOURS = {"critical": ("#b3261e", "#ffffff"), "error": ("#e8590c", "#ffffff"), "warning": ("#f0b400", "#1f1f1f")}
_WIDTH = 92
_MAX_VALUE = 1200  # characters of one context value shown (tracebacks, per-class counts)


# ---------------------------------------------------------------------------------- the card model
@dataclass(frozen=True)
class _Card:
    """Everything both renderers show, computed once."""

    entry: CatalogEntry
    framework: str
    severity: str
    title: str
    subject: str
    where: str | None
    code: str | None  # the source line at the location, when known
    cell_id: str | None
    line: int | None
    epochs: str
    heuristic: str
    context: list[tuple[str, str]]
    snippet: str
    docs: list[tuple[str, str]]


def _field(finding: Any, name: str, default: Any = None) -> Any:
    if isinstance(finding, Mapping):
        return finding.get(name, default)
    return getattr(finding, name, default)


def _framework(framework: str) -> str:
    fw = _FRAMEWORKS.get(str(framework).lower()) if isinstance(framework, str) else None
    if fw is None:
        raise ValueError(f"framework={framework!r} is not valid; expected one of {', '.join(sorted(_FRAMEWORKS))}")
    return fw


def _threshold_values(thresholds: Any) -> dict[str, Any]:
    """Threshold values by name: the engine's defaults overridden by ``thresholds``."""
    try:
        from mlnb.umlaut.config import Thresholds
    except ImportError:  # the catalog is usable on its own; placeholders then stay readable
        Thresholds = None  # noqa: N806
    if Thresholds is not None:
        return dataclasses.asdict(Thresholds.coerce(thresholds))
    if thresholds is None:
        return {}
    if isinstance(thresholds, Mapping):
        return dict(thresholds)
    if dataclasses.is_dataclass(thresholds) and not isinstance(thresholds, type):
        return dataclasses.asdict(thresholds)
    raise TypeError(f"thresholds={thresholds!r} is not valid; expected a Thresholds, a dict or None")


def _location(location: Any) -> tuple[str | None, str | None, str | None, int | None]:
    """(text, source line, cell id, line) of a Location, a store row's location dict, or None."""
    if location is None:
        return None, None, None, None
    if isinstance(location, Mapping):
        from mlnb.notebook import Location

        names = {f.name for f in dataclasses.fields(Location)}
        try:
            location = Location(**{k: v for k, v in location.items() if k in names})
        except TypeError:  # an incomplete dict: show what it has
            return ", ".join(f"{k}={v}" for k, v in location.items() if v is not None), None, None, None
    code = getattr(location, "code", None)
    return str(location), (code.strip() if isinstance(code, str) and code.strip() else None), \
        getattr(location, "cell_id", None), getattr(location, "line", None)


def format_epochs(epochs: Any) -> str:
    """``[-1, 0, 1, 2, 5]`` → ``'before training; epochs 0–2, 5 (counting from 0)'``.

    Example
    -------
    >>> format_epochs([3, 1, 2, 7])
    'epochs 1–3, 7 (counting from 0)'
    """
    values = sorted({int(e) for e in (epochs or [])})
    parts = ["before training"] if values and values[0] < 0 else []
    runs: list[list[int]] = []
    for e in (v for v in values if v >= 0):
        if runs and e == runs[-1][-1] + 1:
            runs[-1].append(e)
        else:
            runs.append([e])
    if runs:
        spans = ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
        word = "epoch" if len(runs) == 1 and len(runs[0]) == 1 else "epochs"
        parts.append(f"{word} {spans} (counting from 0)")
    return "; ".join(parts) or "not recorded"


def _value(value: Any) -> str:
    """A context value as short, readable text."""
    if isinstance(value, bool) or value is None:
        text = str(value)
    elif isinstance(value, float):
        text = f"{value:.4g}"
    elif isinstance(value, Mapping):
        text = ", ".join(f"{k}: {_value(v)}" for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_value(v) for v in value) + "]"
    else:
        text = str(value)
    if len(text) > _MAX_VALUE:
        text = text[:_MAX_VALUE] + f" … ({len(text) - _MAX_VALUE} more characters)"
    return text


def stack_overflow_url(cat: CatalogEntry, framework: str = "keras") -> str:
    """The Stack Overflow search for ``cat``, restricted to the framework's tag.

    Example
    -------
    >>> stack_overflow_url(entry("nan-loss"), "torch")
    'https://stackoverflow.com/search?q=%5Bpytorch%5D+loss+is+nan'
    """
    return "https://stackoverflow.com/search?q=" + quote_plus(f"[{_SO_TAG[_framework(framework)]}] {cat.so_query}")


def _card(finding: Any, framework: str, thresholds: Any) -> _Card:
    fw = _framework(framework)
    cat = entry(_field(finding, "key"))
    where, code, cell_id, line = _location(_field(finding, "location"))
    other = "PyTorch:" if fw == "keras" else "Keras:"
    docs = [(label, url) for label, url in cat.docs if not label.startswith(other)]
    docs.append((f"Stack Overflow: [{_SO_TAG[fw]}] {cat.so_query}", stack_overflow_url(cat, fw)))
    context = _field(finding, "context") or {}
    return _Card(
        entry=cat,
        framework=fw,
        severity=str(_field(finding, "severity") or cat.severity),
        title=" ".join(str(_field(finding, "title") or cat.title).split()),
        subject=str(_field(finding, "subject") or ""),
        where=where,
        code=code,
        cell_id=cell_id,
        line=line,
        epochs=format_epochs(_field(finding, "epochs")),
        heuristic=cat.fill_heuristic(_threshold_values(thresholds)),
        context=[(str(k), _value(v)) for k, v in context.items()],
        snippet=cat.snippets[fw],
        docs=docs,
    )


# ---------------------------------------------------------------------------------- renderers
def summary_line(finding: Any) -> str:
    """One line for inline output next to the training progress.

    Example: ``UMLAUT [error] missing-activation: Missing activation after dense_2 — cell [4], line 3``
    """
    title = " ".join(str(_field(finding, "title") or "").split())
    line = f"UMLAUT [{_field(finding, 'severity')}] {_field(finding, 'key')}: {title}"
    where = _location(_field(finding, "location"))[0]
    return f"{line} — {where}" if where else line


def explain(finding: Any, framework: str = "keras", thresholds: Any = None) -> str:
    """The full plain-text card of ``finding``.

    ``framework`` ('keras' or 'torch'; 'pytorch', 'tensorflow', 'huggingface' are accepted)
    picks the snippet, documentation and Stack Overflow tag. ``thresholds`` (a
    :class:`~mlnb.umlaut.config.Thresholds`, a dict of overrides, or None for the defaults)
    fills the numbers into the heuristic text.
    """
    c = _card(finding, framework, thresholds)

    def para(text: str) -> str:
        return textwrap.fill(text, _WIDTH, initial_indent="  ", subsequent_indent="  ")

    out = [f"UMLAUT [{c.severity.upper()}] {c.entry.title}  ({c.entry.key})", f"  {c.title}"]
    out.append(f"  Where:   {c.where or 'location not known'}" + (f"    {c.code}" if c.code else ""))
    out.append(f"  When:    {c.epochs}")
    if c.subject:
        out.append(f"  Subject: {c.subject}")
    out += ["", "What is wrong", para(c.entry.description), "", "How mlnb detected it", para(c.heuristic)]
    if c.context:
        out += ["", "Program context"]
        for key, value in c.context:
            first, *rest = value.splitlines() or [""]
            out.append(f"  {key}: {first}")
            out += [f"      {more}" for more in rest]
    out += ["", "Fix", para(c.entry.fix), "", f"  {_LABEL[c.framework]}:"]
    out += [f"    {code}".rstrip() for code in c.snippet.splitlines()]
    out += ["", "Learn more"] + [f"  {label}: {url}" for label, url in c.docs]
    return "\n".join(out) + "\n"


def to_html(finding: Any, framework: str = "keras", thresholds: Any = None, *, collapsed: bool = False) -> str:
    """The card of :func:`explain` as self-contained HTML (inline styles, every value escaped).

    The header (severity, titles, where, when) is always shown; the explanation, context, fix and
    links sit in a ``<details>`` element, closed when ``collapsed`` (for lists of many findings).
    """
    c = _card(finding, framework, thresholds)
    e = html.escape
    accent, badge_text = _COLOURS.get(c.severity, ("#6c757d", "#ffffff"))
    h4 = 'style="margin:10px 0 2px;font-size:13px"'
    p = 'style="margin:0"'
    where_attrs = "".join(f' data-{name}="{e(str(v))}"' for name, v in (("cell-id", c.cell_id), ("line", c.line)) if v is not None)
    open_attr = "" if collapsed else ' open=""'
    where = e(c.where or "location not known") + (f" <code>{e(c.code)}</code>" if c.code else "")
    parts = [
        f'<div class="mlnb-umlaut-finding" data-key="{e(c.entry.key)}" data-severity="{e(c.severity)}" '
        f'style="border-left:4px solid {accent};padding:6px 12px;margin:6px 0;font-size:13px;line-height:1.45">',
        f'<div><span style="background:{accent};color:{badge_text};border-radius:3px;padding:1px 6px;'
        f'font-size:11px;font-weight:600;text-transform:uppercase">{e(c.severity)}</span> '
        f'<strong>{e(c.entry.title)}</strong> <code style="opacity:.7">{e(c.entry.key)}</code></div>',
        f'<div style="margin-top:2px">{e(c.title)}</div>',
        f'<div style="opacity:.8"><span class="mlnb-where"{where_attrs}>Where: {where}</span> · When: {e(c.epochs)}'
        + (f" · Subject: {e(c.subject)}" if c.subject else "") + "</div>",
        f'<details{open_attr}><summary style="cursor:pointer;margin-top:4px;opacity:.8">'
        "Why it matters, how it was detected, how to fix it</summary>",
        f"<h4 {h4}>What is wrong</h4><p {p}>{e(c.entry.description)}</p>",
        f"<h4 {h4}>How mlnb detected it</h4><p {p}>{e(c.heuristic)}</p>",
    ]
    if c.context:
        rows = "".join(
            f'<tr><th style="text-align:left;vertical-align:top;padding:1px 10px 1px 0;font-weight:600;font-size:12px">{e(k)}</th>'
            f'<td style="padding:1px 0"><pre style="margin:0;white-space:pre-wrap;font-size:12px">{e(v)}</pre></td></tr>'
            for k, v in c.context
        )
        parts.append(f"<h4 {h4}>Program context</h4><table style=\"border-collapse:collapse\">{rows}</table>")
    parts.append(f"<h4 {h4}>Fix</h4><p {p}>{e(c.entry.fix)}</p>")
    parts.append(
        f'<div style="margin-top:4px;font-size:12px;opacity:.8">{_LABEL[c.framework]}</div>'
        f'<pre style="margin:2px 0;padding:6px 8px;overflow-x:auto;font-size:12px;'
        f'background:rgba(127,127,127,.12);border-radius:3px"><code>{e(c.snippet)}</code></pre>'
    )
    links = "".join(f'<li><a href="{e(url)}" target="_blank" rel="noopener noreferrer">{e(label)}</a></li>' for label, url in c.docs)
    parts.append(f"<h4 {h4}>Learn more</h4><ul style=\"margin:0;padding-left:18px\">{links}</ul></details></div>")
    return "\n".join(parts)
