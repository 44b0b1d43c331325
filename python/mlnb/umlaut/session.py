"""One UMLAUT session per training run: findings, metric history, the store, inline output."""

from __future__ import annotations

import math
import sys
import time
import warnings
from typing import TYPE_CHECKING, Any, Iterable, Mapping, TextIO

from mlnb._events import Observable
from mlnb.schema import INPUT_TYPES, OUTPUT_TYPES, SEVERITIES
from mlnb.umlaut.config import Thresholds
from mlnb.umlaut.findings import Finding

if TYPE_CHECKING:
    from mlnb.umlaut.report import Report


def validate_types(input_type: str | None, output_type: str | None) -> None:
    if input_type is not None and input_type not in INPUT_TYPES:
        raise ValueError(f"input_type={input_type!r} is not valid; expected one of {', '.join(INPUT_TYPES)} or None")
    if output_type is not None and output_type not in OUTPUT_TYPES:
        raise ValueError(f"output_type={output_type!r} is not valid; expected one of {', '.join(OUTPUT_TYPES)} or None")


STARTED: list["Session"] = []  # every session started in this process, oldest first (for the CLI)


# What a Session tells its observers (``session.observe(listener, events)``); payloads:
#   "epoch":    epoch (int), metrics (dict name -> float)            once per epoch
#   "batch":    epoch (int), batch (int), x (fractional epoch), loss  at most every BATCH_INTERVAL s
#   "findings": new (list[Finding]), changed (list[Finding])          when findings appear or grow
#   "dismissed": key, subject, dismissed (bool)                       a finding marked a false alarm
#   "status":   status ('running' | 'finished' | 'failed' | 'interrupted')
SESSION_EVENTS = ("epoch", "batch", "findings", "dismissed", "status")
BATCH_INTERVAL = 0.25  # seconds between two running-loss reports (a few per second at most)


class Session(Observable):
    """The record of one training run.

    Findings of the same (key, subject) are merged (their epochs unioned), so a problem seen in
    every epoch stays one finding. With ``record=True`` the session is a run in the mlnb store
    (tool ``umlaut``): metrics and new or changed findings are committed every epoch, so the
    sidebar shows them live and a crash loses nothing. With ``echo=True`` each new finding is
    printed as one line (:func:`mlnb.umlaut.explain.summary_line`).

    Example
    -------
    >>> s = Session(name="demo", record=False, echo=False)
    >>> s.log_epoch(0, {"loss": 0.7})
    >>> s.history["loss"]
    [0.7]
    """

    def __init__(
        self,
        name: str | None = None,
        *,
        thresholds: Thresholds | Mapping[str, Any] | None = None,
        input_type: str | None = None,
        output_type: str | None = None,
        framework: str = "keras",
        record: bool = True,
        echo: bool = True,
        stream: TextIO | None = None,
    ) -> None:
        validate_types(input_type, output_type)
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise ValueError(f"name={name!r} is not valid; expected a non-empty string or None")
        self.name = name
        self.thresholds = Thresholds.coerce(thresholds)
        self.input_type = input_type
        self.output_type = output_type
        self.framework = framework
        self.record = record
        self.echo = echo
        self.stream = stream
        self.chief = True  # set False by adapters on non-chief workers: no store writes, no output
        self.findings: list[Finding] = []
        self.history: dict[str, list[float]] = {}
        self.run_id: int | None = None
        self.status = "new"
        self._dirty: set[tuple[str, str]] = set()
        self._unprinted: list[Finding] = []
        self._store_failed = False
        self.dismissed: set[tuple[str, str]] = set()  # (key, subject) marked as false alarms
        self.running: list[tuple[float, float]] = []  # (fractional epoch, running loss) within epochs
        self._next_batch_report = 0.0
        # Seconds the adapters spent inside their hooks for this session (UMLAUT's own overhead
        # on the training thread; see mlnb.umlaut.adapters.timed and benchmarks/umlaut_overhead.py).
        self.hook_seconds = 0.0

    # -- findings ------------------------------------------------------------------------------
    def add(self, findings: Iterable[Finding]) -> list[Finding]:
        """Merge ``findings`` in; return those that are new (key, subject) pairs."""
        new, changed = [], []
        index = {(f.key, f.subject): f for f in self.findings}
        for f in findings:
            old = index.get((f.key, f.subject))
            if old is None:
                self.findings.append(f)
                index[(f.key, f.subject)] = f
                new.append(f)
                self._unprinted.append(f)
            else:
                merged = sorted(set(old.epochs) | set(f.epochs))
                if merged == old.epochs and (f.severity, f.title, f.context) == (old.severity, old.title, old.context):
                    continue
                # a revision (checks.revise) may change severity, title and context at the same epochs
                old.epochs, old.context, old.title, old.severity = merged, f.context, f.title, f.severity
                if old.location is None:
                    old.location = f.location
                if old not in changed:
                    changed.append(old)
            self._dirty.add((f.key, f.subject))
        if new or changed:
            self._notify("findings", new=new, changed=changed)
        return new

    def dismiss(self, key: str, subject: str = "", dismissed: bool = True) -> None:
        """Mark the finding (``key``, ``subject``) as a false alarm (or undo that with
        ``dismissed=False``). Recorded in the store with the session; views strike it through and
        ``%umlaut show`` hides it.

        Example
        -------
        >>> s = Session(record=False, echo=False)
        >>> _ = s.add([Finding("high-dropout", "warning", "Dropout rate 0.8", [-1], subject="dropout")])
        >>> s.dismiss("high-dropout", "dropout")
        >>> s.is_dismissed(s.findings[0])
        True
        """
        match = [f for f in self.findings if f.key == key and f.subject == subject]
        if not match:
            known = ", ".join(sorted({f"{f.key}/{f.subject}" if f.subject else f.key for f in self.findings})) or "none"
            raise KeyError(f"key={key!r}, subject={subject!r} matches no finding of this session; findings: {known}")
        (self.dismissed.add if dismissed else self.dismissed.discard)((key, subject))
        if (self.record and self.chief or getattr(self, "_stored", False)) and self.run_id is not None:
            self._safely(lambda store: store.dismiss_finding(self.run_id, key, subject, dismissed))
        self._notify("dismissed", key=key, subject=subject, dismissed=bool(dismissed))

    def is_dismissed(self, finding: Finding) -> bool:
        """Whether ``finding`` was dismissed as a false alarm."""
        return (finding.key, finding.subject) in self.dismissed

    @property
    def worst(self) -> str | None:
        """The most severe severity among the findings (None when there are none)."""
        return min(self.findings, key=lambda f: f.rank).severity if self.findings else None

    def by_severity(self, *severities: str) -> list[Finding]:
        return [f for f in self.findings if f.severity in severities]

    # -- epochs --------------------------------------------------------------------------------
    def log_epoch(self, epoch: int, metrics: Mapping[str, Any]) -> None:
        """Append one epoch's metrics to the history (and to the store on :meth:`flush`)."""
        numeric = {}
        for key, value in metrics.items():
            try:
                v = float(value)
            except (TypeError, ValueError):
                continue
            numeric[str(key)] = v
            series = self.history.setdefault(str(key), [])
            series.extend([math.nan] * (epoch - len(series)))  # a metric that skipped epochs (validation_freq)
            if len(series) > epoch:
                series[epoch] = v
            else:
                series.append(v)
        self._pending_metrics = (epoch, numeric)
        self._notify("epoch", epoch=int(epoch), metrics=numeric)

    def batch_due(self) -> bool:
        """Whether an adapter should report the running loss now: someone listens and the last
        report is :data:`BATCH_INTERVAL` seconds old. Costs one clock read, so adapters may ask every batch."""
        if not self.__dict__.get("_listeners"):
            return False
        return time.monotonic() >= self._next_batch_report

    def log_batch(self, epoch: int, batch: int, loss: float, steps: int | None = None) -> None:
        """Report the running (mean so far) training loss within ``epoch`` after ``batch`` batches
        of ``steps`` (when known). Call only when :meth:`batch_due`."""
        self._next_batch_report = time.monotonic() + BATCH_INTERVAL
        try:
            value = float(loss)
        except (TypeError, ValueError):
            return
        x = epoch + (min(batch + 1, steps) / steps if steps else 0.5)
        self.running.append((x, value))
        self._notify("batch", epoch=int(epoch), batch=int(batch), x=x, loss=value)

    # -- the store -----------------------------------------------------------------------------
    def start(self, config: Mapping[str, Any] | None = None) -> None:
        """Open the session's run in the store (once)."""
        if self.status == "new":
            self.status = "running"
            STARTED.append(self)
            _watch(self)
            self._notify("status", status="running")
        self.config = {"input_type": self.input_type, "output_type": self.output_type, "framework": self.framework,
                       "thresholds": self.thresholds.to_dict(), **dict(config or {})}  # for umlaut.compare
        if not (self.record and self.chief) or self.run_id is not None:
            return
        self._safely(lambda store: setattr(self, "run_id", store.start_run("umlaut", self._unique_name(store),
                                                                           config=self.config)))

    def _unique_name(self, store: Any) -> str:
        base = self.name or "fit"
        from mlnb.store import StoreError

        try:
            taken = {r["name"] for r in store.runs(tool="umlaut")}
        except StoreError:  # unreadable for now: the run is still queued, under its plain name
            taken = set()
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        self.name = name
        return name

    def flush(self) -> None:
        """Commit the latest epoch's metrics and every new or changed finding."""
        pending, self._pending_metrics = getattr(self, "_pending_metrics", None), None
        dirty, self._dirty = self._dirty, set()
        if not (self.record and self.chief) or self.run_id is None:
            return

        def write(store: Any) -> None:
            if pending is not None:
                store.log_metrics(self.run_id, pending[0], pending[1])
            for f in self.findings:
                if (f.key, f.subject) in dirty:
                    store.record_finding(
                        self.run_id, key=f.key, severity=f.severity, title=f.title, epochs=f.epochs,
                        context=f.context, location=f.location.to_dict() if hasattr(f.location, "to_dict") else f.location,
                        subject=f.subject)

        self._safely(write)

    def end(self, status: str = "finished") -> None:
        """Flush and close the run as finished/failed/interrupted."""
        if self.status in ("finished", "failed", "interrupted"):
            return
        self.flush()
        self.status = status
        if self.record and self.chief and self.run_id is not None:
            self._safely(lambda store: store.end_run(self.run_id, status=status))
        self._notify("status", status=status)

    def _safely(self, action: Any) -> None:
        # The store is a convenience: if it is unavailable, training must go on.
        try:
            from mlnb.store import default_store

            action(default_store())
        except Exception as exc:  # noqa: BLE001
            if not self._store_failed:
                warnings.warn(f"mlnb: could not record the UMLAUT session in the store: {exc}", RuntimeWarning, stacklevel=3)
            self._store_failed = True

    # -- output --------------------------------------------------------------------------------
    def print_new(self) -> None:
        """Print one line per finding not printed yet (call where it does not break a progress bar)."""
        lines, self._unprinted = self._unprinted, []
        if not (self.echo and self.chief) or not lines:
            return
        from mlnb.umlaut.explain import summary_line

        stream = self.stream or sys.stdout
        for f in sorted(lines, key=lambda f: f.rank):
            print(summary_line(f), file=stream, flush=True)

    # -- display -------------------------------------------------------------------------------
    def report(self, framework: str | None = None) -> "Report":
        """A displayable report of the findings with full explanations."""
        from mlnb.umlaut.report import Report

        return Report(self.name or "session", list(self.findings), framework or self.framework, self.thresholds,
                      status=self.status, history=self.history, dismissed=set(self.dismissed))

    def view(self) -> Any:
        """The UMLAUT dashboard of this session (live while it trains): loss and metric curves,
        the error timeline, the error cards with fixes; see :mod:`mlnb.widgets.umlaut_dashboard`.

        Example
        -------
        >>> cb.session.view()    # doctest: +SKIP
        """
        from mlnb.widgets.umlaut_dashboard import UmlautDashboard

        return UmlautDashboard(self)

    def _repr_html_(self) -> str:
        return self.report()._repr_html_()

    def __repr__(self) -> str:
        counts = {s: len(self.by_severity(s)) for s in SEVERITIES}
        return f"<umlaut.Session {self.name!r} {self.status}: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ">"


# -- ending sessions whose training loop died --------------------------------------------------
# Keras calls no callback when fit raises, and a script may never close its TorchMonitor. A cell
# that raised ends the sessions it started (interrupted or failed); at interpreter exit the
# sessions still running end as failed after an uncaught exception, else finished. A killed
# process leaves its session 'running' and the server marks it dead.
_watching = False
_uncaught = False


def _watch(session: Session) -> None:
    global _watching
    from mlnb.notebook import registry

    session._cell = registry.current  # type: ignore[attr-defined]
    if not _watching:
        _watching = True
        import atexit

        atexit.register(_end_at_exit)
        previous_hook = sys.excepthook

        def excepthook(*args: Any) -> None:
            global _uncaught
            _uncaught = True
            previous_hook(*args)

        sys.excepthook = excepthook
    shell = registry_shell()
    if shell is not None and _end_after_failed_cell not in shell.events.callbacks.get("post_run_cell", []):
        shell.events.register("post_run_cell", _end_after_failed_cell)


def registry_shell() -> Any:
    """The running IPython shell, if any (every shell gets the failed-cell hook once)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def _running() -> list[Session]:
    return [s for s in STARTED if s.status == "running"]


def _end_after_failed_cell(result: Any) -> None:
    error = getattr(result, "error_in_exec", None)
    if error is None:
        return
    from mlnb.notebook import registry

    status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
    for session in _running():
        if getattr(session, "_cell", None) is registry.current:
            session.end(status)


def _end_at_exit() -> None:
    for session in _running():
        session.end("failed" if _uncaught else "finished")
