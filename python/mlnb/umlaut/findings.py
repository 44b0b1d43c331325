"""The one result type of UMLAUT: a :class:`Finding` (a raised heuristic with its program context)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlnb.schema import SEVERITIES

_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def severity_of(key: str) -> str:
    """The catalog severity of ``key`` (the catalog is the single source of truth)."""
    from mlnb.umlaut.catalog import entry

    return entry(key).severity


@dataclass
class Finding:
    """One problem found in a training program.

    ``key`` is the catalog id (``finding.entry`` has the explanation); ``title`` is specific
    ("Missing activation after dense_2"); ``epochs`` lists where it was seen (-1 = before
    training); ``context`` holds the values that triggered it; ``location`` is where in the
    user's code (a :class:`mlnb.notebook.Location`); ``subject`` tells repeats of one key apart
    (a layer or module name, or '').

    Example
    -------
    >>> f = Finding("high-dropout", "warning", "Dropout rate 0.8 in dropout", epochs=[-1],
    ...             context={"rate": 0.8}, subject="dropout")
    >>> f.to_dict()["key"]
    'high-dropout'
    """

    key: str
    severity: str
    title: str
    epochs: list[int] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    location: Any = None  # mlnb.notebook.Location | None
    subject: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity={self.severity!r} is not valid; expected one of {', '.join(SEVERITIES)}")

    @property
    def entry(self) -> Any:
        """The catalog entry (title, description, heuristic, fix, snippets, links) of this key."""
        from mlnb.umlaut.catalog import entry

        return entry(self.key)

    @property
    def withdrawn(self) -> bool:
        """True when later epochs contradicted the finding (``context['withdrawn']`` says why)."""
        return bool(self.context.get("withdrawn"))

    @property
    def rank(self) -> int:
        """0 for critical, 1 for error, 2 for warning (sort key)."""
        return _RANK[self.severity]

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "key": self.key,
            "severity": self.severity,
            "title": self.title,
            "epochs": list(self.epochs),
            "context": dict(self.context),
            "location": loc.to_dict() if hasattr(loc, "to_dict") else loc,
            "subject": self.subject,
        }

    def explain(self, framework: str = "keras", thresholds: Any = None) -> str:
        """The full plain-text card (what, why, heuristic, context, fix, snippet, links)."""
        from mlnb.umlaut.explain import explain

        return explain(self, framework=framework, thresholds=thresholds)

    def __str__(self) -> str:
        from mlnb.umlaut.explain import summary_line

        return summary_line(self)
