"""A displayable list of findings: plain text in a terminal, the findings widget in a notebook."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from mlnb.schema import SEVERITIES
from mlnb.umlaut.findings import Finding


@dataclass
class Report:
    """The findings of one session, worst first.

    In a notebook it displays as the findings widget (:meth:`view`: collapsed cards with "go to
    code", a severity filter, and a static HTML fallback); ``repr`` is the full text.
    """

    name: str
    findings: list[Finding]
    framework: str = "keras"
    thresholds: Any = None
    status: str = ""
    history: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.findings = sorted(self.findings, key=lambda f: (f.rank, min(f.epochs or [0])))

    def __len__(self) -> int:
        return len(self.findings)

    def _header(self) -> str:
        counts = {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        return f"UMLAUT session {self.name!r}" + (f" ({self.status})" if self.status else "") + ": " + (
            ", ".join(f"{n} {s}" for s, n in counts.items()) if self.findings else "no findings")

    def __repr__(self) -> str:
        from mlnb.umlaut.explain import explain

        parts = [self._header()]
        for f in self.findings:
            parts.append(explain(f, framework=self.framework, thresholds=self.thresholds))
        return "\n\n".join(parts)

    def view(self) -> Any:
        """The findings widget of this report (:class:`mlnb.widgets.FindingsWidget`)."""
        from mlnb.widgets import FindingsWidget

        return FindingsWidget.from_findings(self.findings, framework=self.framework, thresholds=self.thresholds)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        try:
            data, metadata = self.view()._repr_mimebundle_()
        except Exception:  # noqa: BLE001 - e.g. JS bundles not built: the HTML cards still show
            return {"text/html": self._repr_html_(), "text/plain": repr(self)}
        data["text/plain"] = repr(self)
        return data, metadata

    def _repr_html_(self) -> str:
        from mlnb.umlaut.explain import to_html

        cards = "".join(to_html(f, framework=self.framework, thresholds=self.thresholds) for f in self.findings)
        return f"<div class='mlnb-umlaut-report'><h4>{html.escape(self._header())}</h4>{cards}</div>"
