"""The UMLAUT dashboard (thesis §3.4.3–3.4.4, Fig. 3.1): loss and metric curves, the error timeline
and the error cards with fixes as diffs of the user's line, live while a session trains.

Traitlets and observers only: the view (``js/widgets/umlaut_dashboard/``) renders from the traits.
The widget subscribes to the :class:`~mlnb.umlaut.session.Session`'s events and pushes each epoch's
metrics, the running loss and new findings from the training thread: the kernel is busy while a
cell trains, so nothing waits for the front end. Metrics travel as binary arrays.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import traitlets

from mlnb.schema import SEVERITIES, SEVERITY_COLORS, json_safe

from mlnb.widgets._base import MlnbWidget, command
from mlnb.widgets._serializers import array_trait

__all__ = ["UmlautDashboard"]

# Which curves each finding is about: clicking its card marks these series at its epochs.
SERIES = {
    "overfitting": ("loss", "val_loss"), "loss-not-decreasing": ("loss",), "loss-diverging": ("loss",),
    "loss-oscillating": ("loss",), "nan-loss": ("loss",), "bad-initial-loss": ("loss",),
    "suspicious-val-accuracy": ("val_accuracy", "accuracy"), "weights-unchanged": ("loss",),
    "exploding-gradient": ("loss",), "vanishing-gradient": ("loss",),
}


def _metric_matrix(history: dict[str, list[float]]) -> tuple[list[str], np.ndarray]:
    names = sorted(history, key=lambda n: (n.startswith("val_"), n != "loss", n.removeprefix("val_"), n))
    epochs = max((len(v) for v in history.values()), default=0)
    matrix = np.full((len(names), epochs), np.nan, dtype=np.float64)
    for i, name in enumerate(names):
        series = history[name]
        matrix[i, : len(series)] = series
    return names, matrix


# At most this many cards travel in ``findings_delta``; beyond it, the next push compacts them into
# ``findings``. A live epoch changes a few findings, so it sends a few cards, not thousands.
DELTA_LIMIT = 64
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def _card_rank(card: dict[str, Any]) -> tuple[int, int]:
    return _RANK.get(card["severity"], len(SEVERITIES)), card["order"]


class UmlautDashboard(MlnbWidget):
    """The live dashboard of an UMLAUT session (``session.view()``, ``%%umlaut``, ``%umlaut show``).

    Example
    -------
    >>> from mlnb.umlaut import Session
    >>> s = Session("demo", record=False, echo=False)
    >>> w = UmlautDashboard(s)
    >>> s.log_epoch(0, {"loss": 0.9, "val_loss": 1.0})
    >>> w.epochs, w.metric_names
    (1, ['loss', 'val_loss'])
    """

    _bundle = "umlaut_dashboard"

    name = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("new").tag(sync=True)
    framework = traitlets.Unicode("keras").tag(sync=True)
    epochs = traitlets.Int(0).tag(sync=True)
    metric_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    metrics = array_trait("float64", 2).tag(sync=True)  # (n_metrics, n_epochs), NaN where missing
    running = array_trait("float64", 2).tag(sync=True)  # (2, n): fractional epoch, running loss
    # The cards: ``findings`` holds them all as of the last compaction, ``findings_delta`` the cards
    # added or changed since (each with ``order``, its place among the session's findings). A live
    # epoch sends only the delta, not every card again; the view merges the two by ``id``.
    findings = traitlets.List(traitlets.Dict()).tag(sync=True)
    findings_delta = traitlets.List(traitlets.Dict()).tag(sync=True)
    # the explanation of each key (name, description, heuristic, fix, snippet, links), sent once per
    # key rather than with every card: a large session's card list stays small on every update
    catalog = traitlets.Dict().tag(sync=True)
    show_dismissed = traitlets.Bool(True).tag(sync=True)
    # comparison (umlaut.compare(a, b).view()): the other run's curves and the findings diff
    baseline_name = traitlets.Unicode("").tag(sync=True)
    baseline_metric_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    baseline_metrics = array_trait("float64", 2).tag(sync=True)
    diff = traitlets.Dict().tag(sync=True)

    def __init__(self, session: Any, baseline: Any = None, comparison: Any = None, **kwargs: Any) -> None:
        from mlnb.umlaut.session import Session

        if not isinstance(session, Session):
            raise TypeError(f"session={session!r} is not valid; expected an umlaut.Session")
        super().__init__(**kwargs)
        self.session = session
        self._cards: dict[str, dict[str, Any]] = {}
        self._delta: dict[str, dict[str, Any]] = {}
        self._order: dict[str, int] = {}
        self.name, self.framework = session.name or "session", session.framework
        self.status = session.status
        self._push_metrics()
        self._push_running()
        self._push_findings(session.findings)
        if baseline is not None:
            self.baseline_name = baseline.name or "baseline"
            names, matrix = _metric_matrix(baseline.history)
            self.baseline_metric_names, self.baseline_metrics = names, (matrix if matrix.size else None)
        if comparison is not None:
            self.diff = json_safe({
                "a": comparison.a.name, "b": comparison.b.name,
                "findings": comparison.findings.to_dict(orient="records"),
                "config": comparison.config.to_dict(orient="records"),
            })
        self._unobserve = session.observe(self._on_event)

    # -- from the engine ------------------------------------------------------------------------
    def _on_event(self, event: str, payload: dict[str, Any]) -> None:
        if event == "epoch":
            self._push_metrics()
            self._push_running()
        elif event == "batch":
            self._push_running()
        elif event == "findings":
            self._push_findings([*payload.get("new", ()), *payload.get("changed", ())])
        elif event == "dismissed":
            self._push_findings([f for f in self.session.findings
                                 if (f.key, f.subject) == (payload["key"], payload["subject"])])
        elif event == "status":
            self.status = payload["status"]

    def _push_metrics(self) -> None:
        names, matrix = _metric_matrix(self.session.history)
        with self.hold_sync():
            self.metric_names = names
            self.metrics = matrix if matrix.size else None  # the kit cannot send empty arrays
            self.epochs = matrix.shape[1]

    def _push_running(self) -> None:
        # Only the current and the previous epoch: the epoch curves show the rest.
        points = self.session.running
        last = len(self.session.history.get("loss", ())) - 1
        recent = [p for p in points[-2000:] if p[0] > last - 1] if points else []
        self.running = np.array(recent, dtype=np.float64).reshape(-1, 2).T.copy() if recent else None

    def _push_findings(self, changed: list[Any]) -> None:
        from mlnb.umlaut.catalog import entry
        from mlnb.umlaut.explain import _location, _value  # the cards render values and places as explain does
        from mlnb.umlaut.explain import _card
        from mlnb.umlaut.fixes import suggest_fix

        catalog = dict(self.catalog)
        for f in changed:
            ident = f"{f.key}|{f.subject}"
            if f.key not in catalog:
                card = _card(f, self.session.framework, self.session.thresholds)
                catalog[f.key] = {"name": card.entry.title, "description": card.entry.description,
                                  "heuristic": card.heuristic, "fix": card.entry.fix, "snippet": card.snippet,
                                  "links": [{"label": label, "url": url} for label, url in card.docs]}
            fix = suggest_fix(f, self.session.framework).to_dict()
            fix.pop("snippet")  # in the catalog
            loc = f.location
            # Plain JSON by construction (strings, ints, bools; the fix's fields are too): only the
            # location goes through json_safe, which costs more than the rest for thousands of cards.
            self._cards[ident] = {
                "id": ident, "key": str(f.key), "subject": str(f.subject or ""), "severity": str(f.severity),
                "title": " ".join(str(f.title or entry(f.key).title).split()),
                "epochs": sorted(int(e) for e in f.epochs), "where": _location(loc)[0] or "",
                "location": json_safe(loc.to_dict() if hasattr(loc, "to_dict") else loc),
                "context": [[str(k), _value(v)] for k, v in (f.context or {}).items()],
                "patch": fix, "series": list(SERIES.get(f.key, ())), "dismissed": bool(self.session.is_dismissed(f)),
            }
            self._cards[ident]["order"] = self._order.setdefault(ident, len(self._order))
            self._delta[ident] = self._cards[ident]
        with self.hold_sync():
            if len(catalog) != len(self.catalog):
                self.catalog = catalog
            if len(self._delta) > DELTA_LIMIT or not self.findings:
                # compact: every card once more, and an empty delta
                self.findings, self.findings_delta = self.cards, []
                self._delta.clear()
            elif changed:
                self.findings_delta = sorted(self._delta.values(), key=_card_rank)

    @property
    def cards(self) -> list[dict[str, Any]]:
        """Every card as the view shows them (``findings`` merged with ``findings_delta``): most
        severe first, then in the order the session found them.

        Example
        -------
        >>> [c["key"] for c in dashboard.cards]   # doctest: +SKIP
        ['nan-loss', 'missing-activation', 'overfitting']
        """
        return sorted(self._cards.values(), key=_card_rank)

    # -- from the front end ---------------------------------------------------------------------
    @command
    def dismiss(self, key: str, subject: str = "", dismissed: bool = True) -> dict[str, Any]:
        """Mark a finding as a false alarm, or restore it (``dismissed=False``): struck through in
        the view, recorded in the store with the session, left out by ``%umlaut show``.

        Example
        -------
        >>> dashboard.dismiss("high-dropout", "dropout")   # doctest: +SKIP
        """
        self.session.dismiss(str(key), str(subject or ""), bool(dismissed))
        return {"key": key, "subject": subject, "dismissed": bool(dismissed)}

    def close(self) -> None:
        if hasattr(self, "_unobserve"):
            self._unobserve()
        super().close()

    # -- without a live front end ---------------------------------------------------------------
    def __repr__(self) -> str:
        return repr(self.session.report())

    def _repr_html_(self) -> str:
        return self._static_html()

    def _static_html(self) -> str:
        """The cards as self-contained HTML (dismissed findings left out), with a metrics table."""
        from mlnb.umlaut.explain import to_html

        report = self.session.report()
        e = html.escape
        names, matrix = _metric_matrix(self.session.history)
        rows = "".join(
            f"<tr><td>{epoch}</td>" + "".join(
                f"<td>{'' if math.isnan(v) else f'{v:.4g}'}</td>" for v in matrix[:, epoch]) + "</tr>"
            for epoch in range(matrix.shape[1]))
        table = (f"<table class='mlnb-metrics'><tr><th>epoch</th>{''.join(f'<th>{e(n)}</th>' for n in names)}</tr>"
                 f"{rows}</table>") if names else ""
        cards = "".join(to_html(f, framework=self.session.framework, thresholds=self.session.thresholds,
                                collapsed=True) for f in report.findings)
        return f"<div class='mlnb-umlaut-report'><h4>{e(report._header())}</h4>{table}{cards}</div>"

    def _static_chart(self) -> Any:
        """Curves and the error timeline as one Altair chart (for exports without the live view)."""
        import altair as alt
        import pandas as pd

        names, matrix = _metric_matrix(self.session.history)
        curves = pd.DataFrame([{"epoch": ep, "metric": n, "value": float(matrix[i, ep])}
                               for i, n in enumerate(names) for ep in range(matrix.shape[1])
                               if not math.isnan(matrix[i, ep])], columns=["epoch", "metric", "value"])
        marks = pd.DataFrame([{"epoch": ep, "severity": f.severity, "finding": f.title}
                              for f in self.session.findings if not self.session.is_dismissed(f) for ep in f.epochs],
                             columns=["epoch", "severity", "finding"])
        line = alt.Chart(curves).mark_line(point=True).encode(
            x=alt.X("epoch:Q", title="epoch (from 0; -1 = before training)"), y="value:Q", color="metric:N",
            tooltip=["epoch", "metric", "value"]).properties(width=480, height=200)
        timeline = alt.Chart(marks).mark_bar().encode(
            x="epoch:O", y=alt.Y("count():Q", title="findings"),
            color=alt.Color("severity:N", scale=alt.Scale(domain=list(SEVERITIES),
                                                         range=[SEVERITY_COLORS[s] for s in SEVERITIES])),
            tooltip=["epoch", "severity", "finding"]).properties(width=480, height=80)
        return alt.vconcat(line, timeline)
