"""Change notifications from engines to whoever watches them (widgets, the store, tests).

Engines never import widgets: an engine object (an UMLAUT ``Session``, an ACUMEN ``Explorer``, an
IMACS result) mixes in :class:`Observable` and calls :meth:`Observable._notify` when its state
changes; a view subscribes with :meth:`Observable.observe` and mirrors what it is told. A listener
that raises is reported once as a warning and never breaks the engine (training goes on).

Example
-------
>>> class Counter(Observable):
...     def bump(self):
...         self._notify("count", value=1)
>>> seen = []
>>> c = Counter()
>>> stop = c.observe(lambda event, payload: seen.append((event, payload)))
>>> c.bump(); stop(); c.bump()
>>> seen
[('count', {'value': 1})]
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Iterable

Listener = Callable[[str, dict[str, Any]], None]


class Observable:
    """Mixin: ``observe(listener, events=None)`` subscribes ``listener(event, payload)``."""

    def observe(self, listener: Listener, events: Iterable[str] | str | None = None) -> Callable[[], None]:
        """Call ``listener(event, payload)`` on every change (or only on ``events``); returns the
        function that unsubscribes it."""
        if not callable(listener):
            raise TypeError(f"listener={listener!r} is not valid; expected a callable(event, payload)")
        wanted = None if events is None else frozenset([events] if isinstance(events, str) else events)
        entry = (listener, wanted)
        listeners = self.__dict__.setdefault("_listeners", [])
        listeners.append(entry)

        def unobserve() -> None:
            if entry in listeners:
                listeners.remove(entry)

        return unobserve

    def _notify(self, event: str, **payload: Any) -> None:
        for listener, wanted in list(self.__dict__.get("_listeners", ())):
            if wanted is not None and event not in wanted:
                continue
            try:
                listener(event, payload)
            except Exception as exc:  # noqa: BLE001 - a view must never break the engine
                key = (id(listener), type(exc))
                reported = self.__dict__.setdefault("_listener_errors", set())
                if key not in reported:
                    reported.add(key)
                    warnings.warn(f"mlnb: a view of {type(self).__name__} failed on {event!r}: {exc!r}",
                                  RuntimeWarning, stacklevel=2)
