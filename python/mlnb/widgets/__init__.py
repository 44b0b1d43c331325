"""anywidget views of mlnb results. Each class's traitlets are its whole state; the front end
(``js/widgets/<name>.ts``, built into ``mlnb/static/<name>.js``) renders from that state alone."""

from __future__ import annotations

from mlnb.widgets.findings import FindingsWidget

__all__ = ["FindingsWidget"]
