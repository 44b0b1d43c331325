"""A displayable list of findings: plain text in a terminal, HTML cards in a notebook."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from mlnb.schema import SEVERITIES
from mlnb.umlaut.findings import Finding


@dataclass
class Report:
    """The findings of one session, worst first; ``repr`` and ``_repr_html_`` show full explanations."""

    name: str
    findings: list[Finding]
    framework: str = "keras"
    thresholds: Any = None
    status: str = ""
    history: dict[str, list[float]] = field(default_factory=dict)
    dismissed: set = field(default_factory=set)  # (key, subject) of findings dismissed as false alarms

    def __post_init__(self) -> None:
        # Dismissed findings are false alarms by the user's judgement: left out, but counted.
        self.n_dismissed = sum((f.key, f.subject) in self.dismissed for f in self.findings)
        self.findings = sorted((f for f in self.findings if (f.key, f.subject) not in self.dismissed),
                               key=lambda f: (f.rank, min(f.epochs or [0])))

    def __len__(self) -> int:
        return len(self.findings)

    def _header(self) -> str:
        counts = {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        return f"UMLAUT session {self.name!r}" + (f" ({self.status})" if self.status else "") + ": " + (
            ", ".join(f"{n} {s}" for s, n in counts.items()) if self.findings else "no findings") + (
            f" ({self.n_dismissed} dismissed as false alarms)" if self.n_dismissed else "")

    def __repr__(self) -> str:
        from mlnb.umlaut.explain import explain

        parts = [self._header()]
        for f in self.findings:
            parts.append(explain(f, framework=self.framework, thresholds=self.thresholds))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        from mlnb.umlaut.explain import to_html

        cards = "".join(to_html(f, framework=self.framework, thresholds=self.thresholds) for f in self.findings)
        return f"<div class='mlnb-umlaut-report'><h4>{html.escape(self._header())}</h4>{cards}</div>"
