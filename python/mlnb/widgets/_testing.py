"""Contract fixtures: a widget's synced state as a JSON file that the TypeScript tests render.

pytest calls :func:`check_fixture` for representative cases; the file under
``js/test/fixtures/<bundle>/<case>.json`` must equal the widget's current state, so a change to
what Python sends fails pytest until the fixture is rewritten (``MLNB_UPDATE_FIXTURES=1``), and
vitest then renders the new state: the two sides cannot drift. Binary buffers are written as
``{"$base64": ...}`` (``js/test/fixtures.ts`` turns them back into ``DataView``s).
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[3] / "js" / "test" / "fixtures"
_SKIP = {"_esm", "_css", "_anywidget_id", "_dom_classes", "layout", "tabbable", "tooltip", "comm", "keys", "log"}


def _encode(value: Any) -> Any:
    if isinstance(value, (memoryview, bytes, bytearray)):
        return {"$base64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def state_fixture(widget: Any) -> dict[str, Any]:
    """The widget's synced state as the front end receives it (minus ipywidgets' plumbing)."""
    state = widget.get_state()
    return _encode({k: v for k, v in sorted(state.items()) if k not in _SKIP and not k.startswith("_model") and not k.startswith("_view")})


def check_fixture(widget: Any, case: str) -> Path:
    """Compare (or with ``MLNB_UPDATE_FIXTURES=1`` write) the fixture ``<bundle>/<case>.json``."""
    path = FIXTURES / widget._bundle / f"{case}.json"
    text = json.dumps(state_fixture(widget), indent=1, sort_keys=True, allow_nan=False) + "\n"
    if os.environ.get("MLNB_UPDATE_FIXTURES") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path
    if path.read_text() != text:
        raise AssertionError(
            f"{path} is out of date with {type(widget).__name__}'s state: the view's tests render the old "
            "contract. Rerun with MLNB_UPDATE_FIXTURES=1 and check the TypeScript tests still pass.")
    return path
