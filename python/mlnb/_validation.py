"""Parameter validation shared by every engine (scikit-learn style).

Each error names the argument, the value it got and what is allowed, e.g.
``ValueError: sampling='some' is not valid; expected one of 'balanced', 'all'``.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, Iterable, TypeVar

T = TypeVar("T")


def check_choice(name: str, value: T, allowed: Iterable[Any]) -> T:
    """``value`` if it is one of ``allowed``, else a ``ValueError`` that lists them."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not valid; expected one of {', '.join(map(repr, allowed))}")
    return value


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as an ``int`` if it is an integer in ``[low, high]``, else a ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low or (high is not None and value > high):
        allowed = f"an integer >= {low}" + (f" and <= {high}" if high is not None else "")
        raise ValueError(f"{name}={value!r} is not valid; expected {allowed}")
    return int(value)
