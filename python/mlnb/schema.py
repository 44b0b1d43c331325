"""The contracts mlnb's Python side shares with its front end, defined once.

``js/common/schema.ts`` mirrors this module: severities, run statuses, tools, input/output types,
and the JSON encoding of values that plain JSON cannot spell (NaN and the infinities travel as the
strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``; the front end's one reviver turns them back).
The store, the REST API and every widget encode through :func:`json_safe`.

Example
-------
>>> json_safe({"loss": float("nan"), "epochs": (0, 1)})
{'loss': 'NaN', 'epochs': [0, 1]}
>>> json_dumps({"x": float("inf")})
'{"x": "Infinity"}'
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

#: Finding severities, most severe first.
SEVERITIES = ("critical", "error", "warning")
#: The status of a run in the store.
RUN_STATUSES = ("running", "finished", "failed", "interrupted", "dead")
#: The tools that record runs.
TOOLS = ("umlaut", "acumen", "imacs")
#: What a model's inputs are, and what it predicts (UMLAUT's ``input_type`` / ``output_type``).
INPUT_TYPES = ("image", "text", "tabular")
OUTPUT_TYPES = ("classification", "regression")

#: Colours of static outputs (HTML fallbacks, Altair charts): the light-theme values of the design
#: tokens in ``js/common/tokens.css``, which the live views use.
SEVERITY_COLORS = {"critical": "#b71c1c", "error": "#d32f2f", "warning": "#f57c00"}
MODEL_COLORS = {"A": "#1f77b4", "B": "#e6550d"}
OUTCOME_COLORS = {"TP": "#2e7d32", "FP": "#c62828", "TN": "#78909c", "FN": "#f9a825"}

_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON data: mappings, sequences, numpy scalars and arrays, dataclasses and
    objects with ``to_dict()`` become dicts, lists and Python numbers; non-finite floats become
    ``"NaN"``/``"Infinity"``/``"-Infinity"``; anything else becomes its ``str``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return _NON_FINITE.get(value, value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy scalar or array
        return json_safe(value.tolist())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_safe(dataclasses.asdict(value))
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return json_safe(value.to_dict())
    return str(value)


def json_dumps(value: Any, **kwargs: Any) -> str:
    """Strict JSON text of :func:`json_safe` (``value``); never emits ``NaN`` or ``Infinity`` literals."""
    return json.dumps(json_safe(value), allow_nan=False, **kwargs)


def json_revive(value: Any) -> Any:
    """The inverse of :func:`json_safe` for numbers: the strings ``"NaN"``, ``"Infinity"`` and
    ``"-Infinity"`` become floats again, at any depth."""
    if isinstance(value, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value, value)
    if isinstance(value, list):
        return [json_revive(v) for v in value]
    if isinstance(value, dict):
        return {k: json_revive(v) for k, v in value.items()}
    return value
