"""Comparing two UMLAUT sessions (the thesis's future work, §3.9): which findings a change fixed,
which it introduced and which persist, what differs in the configuration, and both runs' curves.

Example
-------
>>> from mlnb.umlaut.session import Session
>>> from mlnb.umlaut.findings import Finding
>>> a, b = Session("buggy", record=False, echo=False), Session("fixed", record=False, echo=False)
>>> _ = a.add([Finding("missing-activation", "error", "Missing activation after dense", [-1], subject="dense")])
>>> a.log_epoch(0, {"loss": 2.0}); b.log_epoch(0, {"loss": 0.5})
>>> c = compare(a, b)
>>> list(c.fixed["key"])
['missing-activation']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from mlnb.umlaut.session import Session

__all__ = ["Comparison", "compare"]

STATUSES = ("fixed", "new", "persisting")
_IGNORED_CONFIG = ("location",)  # where fit was called differs between any two runs


def _session(value: Any, argument: str) -> Session:
    if isinstance(value, Session):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        from mlnb.umlaut.api import load_session

        try:
            return load_session(value)
        except KeyError as exc:
            raise KeyError(f"{argument}: {exc.args[0]}") from None
    raise TypeError(f"{argument}={value!r} is not valid; expected an umlaut.Session, a session name or an id")


def _flat(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (config or {}).items():
        name = f"{prefix}{key}"
        if key in _IGNORED_CONFIG:
            continue
        if isinstance(value, Mapping):
            out.update(_flat(value, name + "."))
        else:
            out[name] = value
    return out


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return x == y


def _match(a: list, b: list) -> list[tuple[Any, Any]]:
    """Pairs (finding of a or None, finding of b or None). Same (key, subject) first; then the
    remaining findings of one key in order of appearance, since auto-generated layer names
    (``dense_3`` vs ``dense_7``) differ between two models built in one kernel."""
    pairs, rest_b = [], list(b)
    rest_a = []
    for f in a:
        twin = next((g for g in rest_b if g.key == f.key and g.subject == f.subject), None)
        if twin is not None:
            rest_b.remove(twin)
            pairs.append((f, twin))
        else:
            rest_a.append(f)
    for f in rest_a:
        twin = next((g for g in rest_b if g.key == f.key), None)
        if twin is not None:
            rest_b.remove(twin)
        pairs.append((f, twin))
    pairs.extend((None, g) for g in rest_b)
    return pairs


@dataclass
class Comparison:
    """Two sessions side by side: ``a`` (before, e.g. the buggy run) and ``b`` (after).

    ``findings``: one row per finding with ``status`` 'fixed' (in a only), 'new' (in b only) or
    'persisting'; ``config``: the settings that differ; ``curves``: both runs' metrics in long
    form (session, epoch, metric, value). Findings dismissed as false alarms are left out.
    """

    a: Session
    b: Session

    def __post_init__(self) -> None:
        import pandas as pd

        rows = []
        live_a = [f for f in self.a.findings if not self.a.is_dismissed(f)]
        live_b = [f for f in self.b.findings if not self.b.is_dismissed(f)]
        for fa, fb in _match(live_a, live_b):
            f = fb or fa
            rows.append({
                "status": "fixed" if fb is None else "new" if fa is None else "persisting",
                "key": f.key, "severity": f.severity, "title": f.title,
                "subject_a": fa.subject if fa else None, "subject_b": fb.subject if fb else None,
                "epochs_a": list(fa.epochs) if fa else [], "epochs_b": list(fb.epochs) if fb else [],
            })
        order = {s: i for i, s in enumerate(STATUSES)}
        rank = {"critical": 0, "error": 1, "warning": 2}
        rows.sort(key=lambda r: (order[r["status"]], rank.get(r["severity"], 3), r["key"]))
        self.findings = pd.DataFrame(rows, columns=["status", "key", "severity", "title", "subject_a", "subject_b",
                                                    "epochs_a", "epochs_b"])
        ca, cb = _flat(self._config(self.a)), _flat(self._config(self.b))
        diffs = [{"setting": k, "a": ca.get(k), "b": cb.get(k)} for k in sorted(set(ca) | set(cb))
                 if not _same(ca.get(k), cb.get(k))]
        self.config = pd.DataFrame(diffs, columns=["setting", "a", "b"])
        curves = []
        for label, s in (("a", self.a), ("b", self.b)):
            for metric, series in s.history.items():
                curves.extend({"session": label, "name": s.name, "epoch": e, "metric": metric, "value": v}
                              for e, v in enumerate(series))
        self.curves = pd.DataFrame(curves, columns=["session", "name", "epoch", "metric", "value"])

    @staticmethod
    def _config(s: Session) -> dict[str, Any]:
        config = dict(getattr(s, "config", None) or {})
        config.setdefault("framework", s.framework)
        config.setdefault("input_type", s.input_type)
        config.setdefault("output_type", s.output_type)
        config["epochs"] = max((len(v) for v in s.history.values()), default=0)
        return config

    def _status(self, status: str) -> Any:
        return self.findings[self.findings["status"] == status].reset_index(drop=True)

    @property
    def fixed(self) -> Any:
        """Findings of ``a`` that ``b`` no longer has."""
        return self._status("fixed")

    @property
    def new(self) -> Any:
        """Findings of ``b`` that ``a`` did not have."""
        return self._status("new")

    @property
    def persisting(self) -> Any:
        """Findings both sessions have."""
        return self._status("persisting")

    def view(self) -> Any:
        """The dashboard of ``b`` with ``a``'s curves overlaid and the findings diff."""
        from mlnb.widgets.umlaut_dashboard import UmlautDashboard

        return UmlautDashboard(self.b, baseline=self.a, comparison=self)

    def summary(self) -> str:
        counts = {s: int((self.findings["status"] == s).sum()) for s in STATUSES}
        return (f"UMLAUT {self.a.name!r} -> {self.b.name!r}: {counts['fixed']} fixed, {counts['new']} new, "
                f"{counts['persisting']} persisting; {len(self.config)} setting(s) differ")

    def __repr__(self) -> str:
        lines = [self.summary()]
        for row in self.findings.itertuples():
            lines.append(f"  {row.status:<10} [{row.severity}] {row.key}: {row.title}")
        for row in self.config.itertuples():
            lines.append(f"  setting {row.setting}: {row.a!r} -> {row.b!r}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        e = html.escape
        rows = "".join(f"<tr><td>{e(r.status)}</td><td>{e(r.severity)}</td><td><code>{e(r.key)}</code></td>"
                       f"<td>{e(r.title)}</td></tr>" for r in self.findings.itertuples())
        config = "".join(f"<tr><td>{e(str(r.setting))}</td><td>{e(repr(r.a))}</td><td>{e(repr(r.b))}</td></tr>"
                         for r in self.config.itertuples())
        return (f"<div class='mlnb-umlaut-compare'><h4>{e(self.summary())}</h4>"
                f"<table><tr><th>status</th><th>severity</th><th>key</th><th>title</th></tr>{rows}</table>"
                + (f"<h4>Settings that differ</h4><table><tr><th>setting</th><th>{e(str(self.a.name))}</th>"
                   f"<th>{e(str(self.b.name))}</th></tr>{config}</table>" if config else "") + "</div>")


def compare(a: Any, b: Any) -> Comparison:
    """Compare two UMLAUT sessions: ``a`` before a change, ``b`` after it.

    ``a`` and ``b`` are :class:`~mlnb.umlaut.session.Session` objects or names/ids of recorded
    sessions (``%umlaut list``). Returns a :class:`Comparison` with DataFrames ``findings``
    (status fixed/new/persisting), ``config`` (settings that differ) and ``curves``; ``.view()``
    shows the curves overlaid with the findings diff (``%umlaut compare A B``).

    Example
    -------
    >>> c = umlaut.compare("buggy", "fixed")     # doctest: +SKIP
    >>> c.fixed[["key", "title"]]                # doctest: +SKIP
    """
    return Comparison(_session(a, "a"), _session(b, "b"))
