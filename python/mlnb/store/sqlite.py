"""The session store: one SQLite file (WAL mode) shared by every kernel and the server.

Writers are kernels (UMLAUT sessions, ACUMEN/IMACS runs); readers are the server extension and
``%umlaut list``. WAL lets readers run while a kernel writes; a short ``busy_timeout`` makes
concurrent writers from several kernels wait for each other for a moment. Every write is its own
transaction, committed immediately, so a kernel that dies loses nothing it already recorded.

A write that cannot commit (the write lock held by another process, a full disk, a read-only or
damaged file) is not lost and does not stall training: it stays in an in-memory queue, in order,
and a background thread retries it until the store takes it (and once more at exit). A run
started meanwhile gets a provisional (negative) id that later writes use; it is mapped to the real
id when the run arrives. Reads of a store in trouble raise :class:`StoreError`: one message
with the path, the cause and what to do. A read-only store can still be read.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import json
import math
import os
import socket
import sqlite3
import threading
import time
import warnings
import weakref
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from mlnb import schema
from mlnb._validation import check_choice

SCHEMA_VERSION = 2  # 2: findings.dismissed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tool            TEXT NOT NULL,
    name            TEXT NOT NULL,
    notebook_path   TEXT,
    kernel_id       TEXT,
    cell_id         TEXT,
    execution_count INTEGER,
    pid             INTEGER,
    hostname        TEXT,
    status          TEXT NOT NULL DEFAULT 'running',
    config          TEXT NOT NULL DEFAULT '{}',
    started         REAL NOT NULL,
    ended           REAL,
    updated         REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_notebook ON runs(notebook_path);
CREATE TABLE IF NOT EXISTS metrics (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch   INTEGER NOT NULL,
    name    TEXT NOT NULL,
    value   REAL,
    time    REAL NOT NULL,
    PRIMARY KEY (run_id, epoch, name)
);
CREATE TABLE IF NOT EXISTS findings (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    subject   TEXT NOT NULL DEFAULT '',
    severity  TEXT NOT NULL,
    title     TEXT NOT NULL,
    epochs    TEXT NOT NULL DEFAULT '[]',
    context   TEXT NOT NULL DEFAULT '{}',
    location  TEXT,
    first_seen REAL NOT NULL,
    last_seen  REAL NOT NULL,
    dismissed INTEGER NOT NULL DEFAULT 0,
    UNIQUE (run_id, key, subject)
);
"""

_RUN_QUERY = (
    "SELECT r.*, (SELECT MAX(epoch) FROM metrics m WHERE m.run_id=r.id) AS latest_epoch,"
    + ",".join(
        f" (SELECT COUNT(*) FROM findings f WHERE f.run_id=r.id AND f.severity='{s}' AND f.dismissed=0) AS n_{s}"
        for s in schema.SEVERITIES
    )
    + " FROM runs r"
)

# "dead" is not stored: the server infers it for a running run whose kernel is gone.
RUN_STATUSES = tuple(s for s in schema.RUN_STATUSES if s != "dead")
SEVERITIES = schema.SEVERITIES


def default_path() -> Path:
    """Where the store lives: ``$MLNB_STORE`` if set, else ``<jupyter data dir>/mlnb/sessions.sqlite``."""
    override = os.environ.get("MLNB_STORE")
    if override:
        return Path(override).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "mlnb" / "sessions.sqlite"


def _now() -> float:
    return time.time()


#: How long a write waits for another writer before it is queued (training must not stall longer).
WRITE_WAIT = 1.0
#: Seconds between retries of queued writes.
RETRY_INTERVAL = 1.0

_KINDS = {
    "locked": ("is locked by another process",
               "mlnb keeps its writes and retries them; if this lasts, stop the program that holds the file "
               "open for writing"),
    "full": ("cannot grow: the disk (or the file's size limit) is full",
             "free some space; mlnb keeps its writes and retries them"),
    "read-only": ("is read-only",
                  "make the file and its folder writable, or set MLNB_STORE to a writable file; recorded "
                  "sessions can still be listed"),
    "damaged": ("is damaged",
                "move the file away (mlnb then starts a new store) or restore a backup; `sqlite3 FILE .recover` "
                "saves what is readable"),
    "unavailable": ("cannot be opened",
                    "check that its folder exists and is accessible, or set MLNB_STORE to another file"),
}


class StoreError(RuntimeError):
    """The store cannot be read or written, as one message: the path, the cause and what to do.

    ``kind`` is one of 'locked', 'full', 'read-only', 'damaged' or 'unavailable'.

    Example
    -------
    >>> print(StoreError("/tmp/s.sqlite", "full", "database or disk is full"))  # doctest: +ELLIPSIS
    mlnb store /tmp/s.sqlite cannot grow: ... (database or disk is full); free some space; ...
    """

    def __init__(self, path: str, kind: str, detail: str):
        self.path, self.kind, self.detail = path, kind, detail
        what, advice = _KINDS[kind]
        super().__init__(f"mlnb store {path} {what} ({detail}); {advice.replace('FILE', path)}")


def _classify(exc: BaseException, path: str) -> StoreError:
    """The :class:`StoreError` for an sqlite3 or OS error met on the store at ``path``."""
    detail = " ".join(str(exc).split()) or type(exc).__name__
    text = detail.lower()
    if "locked" in text or "busy" in text:
        kind = "locked"
    elif "full" in text or getattr(exc, "errno", None) == 28:
        kind = "full"
    elif "readonly" in text or "read-only" in text or isinstance(exc, PermissionError) or (
            "unable to open" in text and not _writable(path)):
        kind = "read-only"
    elif "not a database" in text or "malformed" in text or "corrupt" in text or "quick_check" in text:
        kind = "damaged"
    else:
        kind = "unavailable"
    return StoreError(path, kind, detail)


def _writable(path: str) -> bool:
    folder = os.path.dirname(os.path.abspath(path))
    return os.access(folder, os.W_OK) and (not os.path.exists(path) or os.access(path, os.W_OK))


_open_stores: "weakref.WeakSet[Store]" = weakref.WeakSet()


class Store:
    """Runs, per-epoch metrics and findings of every mlnb tool, in one SQLite file.

    Writes never raise for trouble with the store itself (locked, full, read-only, damaged): they
    are queued in order and retried; :attr:`problem` says what is wrong meanwhile, :meth:`flush`
    waits for the queue. Reads of a store in trouble raise :class:`StoreError`.

    Example
    -------
    >>> store = Store(":memory:")
    >>> run = store.start_run("umlaut", "fit-1")
    >>> store.log_metrics(run, epoch=0, metrics={"loss": 0.7, "accuracy": 0.5})
    >>> _ = store.record_finding(run, key="overfitting", severity="warning",
    ...                          title="Possible overfitting", epochs=[3])
    >>> store.end_run(run)
    >>> [r["status"] for r in store.runs()]
    ['finished']
    """

    def __init__(self, path: str | os.PathLike | None = None, timeout: float = 5.0):
        self.path = str(default_path() if path is None else path)
        self._timeout = timeout  # how long a read waits (WAL readers rarely wait at all)
        self._local = threading.local()
        self._queue: collections.deque[tuple[Callable[[sqlite3.Connection], Any], int | None]] = collections.deque()
        self._queue_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._writer: sqlite3.Connection | None = None
        self._ids: dict[int, int] = {}  # provisional run id -> real run id
        self._next_provisional = -1
        self._retry_thread: threading.Thread | None = None
        self._warned = False
        #: What keeps the store from taking writes now (``None`` when it is fine).
        self.problem: StoreError | None = None
        self.read_only = False
        with self._write_lock:
            self._open_writer()
        _open_stores.add(self)

    # -- connections -----------------------------------------------------------------------------
    def _open_writer(self) -> bool:
        """(Re)open the connection that writes; on failure set :attr:`problem` and return False."""
        db = None
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=WRITE_WAIT, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT * 1000)}")
            # Damaged pages are found here, at open, not in the middle of someone's training.
            check = [r[0] for r in db.execute("PRAGMA quick_check(5)")]
            if check != ["ok"]:
                raise sqlite3.DatabaseError("quick_check: " + "; ".join(check))
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal" and self.path != ":memory:":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"runs", "metrics", "findings"} <= tables or \
                    db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                db.executescript(_SCHEMA)  # idempotent; executescript manages its own transaction
                _migrate(db)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except (sqlite3.Error, OSError) as exc:
            if db is not None:
                db.close()
            self.problem = _classify(exc, self.path)
            if self.problem.kind == "read-only":
                self.read_only = True
            return False
        self._writer = db
        if self.read_only:  # writable again: readers may reopen normally
            self.read_only = False
            self._close_reader()
        return True

    def _reader(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections must not be shared across threads.
        db = getattr(self._local, "db", None)
        if db is None:
            if self.read_only:
                db = self._open_read_only()
            else:
                db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
                db.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    def _open_read_only(self) -> sqlite3.Connection:
        from urllib.parse import quote

        uri = "file:" + quote(os.path.abspath(self.path))
        try:
            db = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=self._timeout, isolation_level=None)
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.Error:
            # A WAL file in a read-only folder cannot get its shared-memory index: read the file as is.
            return sqlite3.connect(uri + "?immutable=1", uri=True, timeout=self._timeout, isolation_level=None)

    def _close_reader(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _read(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Rows of a query; a store in trouble raises :class:`StoreError`."""
        if self.problem is not None and self.problem.kind in ("damaged", "unavailable"):
            with self._write_lock:  # maybe it was fixed: try again
                if self._writer is None and not self._open_writer() and self.problem.kind in ("damaged", "unavailable"):
                    raise self.problem
        try:
            if self.path == ":memory:":
                with self._write_lock:
                    return list(self._writer.execute(sql, tuple(args)))  # type: ignore[union-attr]
            return list(self._reader().execute(sql, tuple(args)))
        except sqlite3.Error as exc:
            self._close_reader()
            raise _classify(exc, self.path) from None

    def close(self) -> None:
        """Close this thread's reading connection (queued writes stay queued; see :meth:`flush`)."""
        self._close_reader()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that commits now or raises :class:`StoreError`: for interactive
        actions (a user dismissing a finding) that must say at once that they failed. Training
        records go through the queue instead."""
        with self._write_lock:
            if self._writer is None and not self._open_writer():
                raise self.problem  # type: ignore[misc]
            db = self._writer
            assert db is not None
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback(db)
                raise _classify(exc, self.path) from None
            except BaseException:
                self._rollback(db)
                raise

    # -- the write queue -------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """How many writes wait for the store to take them."""
        with self._queue_lock:
            return len(self._queue)

    def _submit(self, op: Callable[[sqlite3.Connection], Any], provisional: int | None = None) -> None:
        with self._queue_lock:
            self._queue.append((op, provisional))
            outage = self._retry_thread is not None
        if not outage:  # during an outage the retry thread writes, in order; the caller goes on
            self._drain(raise_errors=True)

    def _drain(self, raise_errors: bool) -> None:
        """Commit queued writes in order until the queue is empty or the store refuses one."""
        with self._write_lock:
            while True:
                with self._queue_lock:
                    if not self._queue:
                        break
                    op, provisional = self._queue[0]
                if self._writer is None and not self._open_writer():
                    self._start_retrying()
                    return
                db = self._writer
                assert db is not None
                try:
                    db.execute("BEGIN IMMEDIATE")  # the write lock up front: two writers never deadlock
                    result = op(db)
                    db.execute("COMMIT")
                except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError, ValueError,
                        KeyError, TypeError) as exc:
                    # The write itself is wrong (a bug, not the store's state): retrying cannot help.
                    self._rollback(db)
                    with self._queue_lock:
                        self._queue.popleft()
                    if raise_errors:
                        raise
                    warnings.warn(f"mlnb: a queued write to {self.path} was dropped: {exc}", RuntimeWarning, stacklevel=2)
                    continue
                except sqlite3.Error as exc:
                    self._rollback(db)
                    self.problem = _classify(exc, self.path)
                    if self.problem.kind in ("damaged", "read-only", "unavailable"):
                        db.close()
                        self._writer = None
                        self.read_only = self.problem.kind == "read-only"
                    self._start_retrying()
                    return
                with self._queue_lock:
                    self._queue.popleft()
                    if provisional is not None:
                        self._ids[provisional] = int(result)
                self.problem = None
                self._warned = False

    @staticmethod
    def _rollback(db: sqlite3.Connection) -> None:
        try:
            if db.in_transaction:
                db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _start_retrying(self) -> None:
        if not self._warned and self.problem is not None:
            self._warned = True
            warnings.warn(f"{self.problem} [{self.pending} write(s) kept for now]", RuntimeWarning, stacklevel=4)
        with self._queue_lock:
            if self._retry_thread is not None:
                return
            self._retry_thread = threading.Thread(target=_retry, args=(weakref.ref(self),), daemon=True,
                                                  name="mlnb-store-retry")
        self._retry_thread.start()

    def flush(self, timeout: float = 10.0) -> int:
        """Retry queued writes for up to ``timeout`` seconds; return how many are still queued."""
        deadline = time.monotonic() + timeout
        while True:
            self._drain(raise_errors=False)
            left = self.pending
            if not left or time.monotonic() >= deadline:
                return left
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def _resolve(self, run_id: int) -> int:
        """The real id of a run (a provisional id is mapped once its run arrived in the store)."""
        run_id = int(run_id)
        if run_id >= 0:
            return run_id
        if run_id not in self._ids:
            raise KeyError(f"run {run_id} is not recorded yet: the store is unavailable ({self.problem})")
        return self._ids[run_id]

    # -- writes --------------------------------------------------------------------------------
    def start_run(
        self,
        tool: str,
        name: str,
        *,
        notebook_path: str | None = None,
        kernel_id: str | None = None,
        cell_id: str | None = None,
        execution_count: int | None = None,
        config: Mapping[str, Any] | None = None,
        pid: int | None = None,
    ) -> int:
        """Record a new run and return its id. Context not given is read from the running kernel.

        If the store cannot take it now, the id is provisional (negative); later writes may use it.
        """
        check_choice("tool", tool, ("umlaut", "acumen", "imacs"))
        if not isinstance(name, str) or not name:
            raise ValueError(f"name={name!r} is not valid; expected a non-empty string")
        from mlnb.notebook import kernel_context

        ctx = kernel_context()
        now = _now()
        row = (
            tool,
            name,
            notebook_path if notebook_path is not None else ctx["notebook_path"],
            kernel_id if kernel_id is not None else ctx["kernel_id"],
            cell_id if cell_id is not None else ctx["cell_id"],
            execution_count if execution_count is not None else ctx["execution_count"],
            pid if pid is not None else os.getpid(),
            socket.gethostname(),
            "running",
            schema.json_dumps(dict(config or {})),
            now,
            now,
        )

        def write(db: sqlite3.Connection) -> int:
            cur = db.execute(
                "INSERT INTO runs (tool, name, notebook_path, kernel_id, cell_id, execution_count, pid,"
                " hostname, status, config, started, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                row,
            )
            return int(cur.lastrowid)

        with self._queue_lock:
            provisional = self._next_provisional
            self._next_provisional -= 1
        self._submit(write, provisional)
        return self._ids.get(provisional, provisional)

    def log_metrics(self, run_id: int, epoch: int, metrics: Mapping[str, float | None]) -> None:
        """Record one epoch's metrics (a later call for the same epoch and name replaces the value)."""
        now = _now()
        values = [(int(epoch), str(k), _as_float(v), now) for k, v in metrics.items()]

        def write(db: sqlite3.Connection) -> None:
            rid = self._resolve(run_id)
            db.executemany("INSERT OR REPLACE INTO metrics VALUES (?,?,?,?,?)", [(rid, *v) for v in values])
            db.execute("UPDATE runs SET updated=? WHERE id=?", (now, rid))

        self._submit(write)

    def record_finding(
        self,
        run_id: int,
        *,
        key: str,
        severity: str,
        title: str,
        epochs: Iterable[int] = (),
        context: Mapping[str, Any] | None = None,
        location: Mapping[str, Any] | None = None,
        subject: str = "",
    ) -> int | None:
        """Insert a finding, or merge it into the one with the same (run, key, subject).

        ``subject`` tells apart findings of one key about different things (e.g. two layers).
        Merging unions the epochs and keeps the latest context, so one problem seen over many
        epochs stays one row. Returns the finding's id (``None`` while the write is queued).
        """
        check_choice("severity", severity, SEVERITIES)
        now = _now()
        new_epochs = sorted({int(e) for e in epochs})
        ctx = schema.json_dumps(dict(context or {}))
        loc = schema.json_dumps(dict(location)) if location else None
        result: list[int] = []

        def write(db: sqlite3.Connection) -> int:
            rid = self._resolve(run_id)
            row = db.execute(
                "SELECT id, epochs FROM findings WHERE run_id=? AND key=? AND subject=?", (rid, key, subject)
            ).fetchone()
            if row is None:
                cur = db.execute(
                    "INSERT INTO findings (run_id, key, subject, severity, title, epochs, context,"
                    " location, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (rid, key, subject, severity, title, json.dumps(new_epochs), ctx, loc, now, now),
                )
                finding_id = int(cur.lastrowid)
            else:
                merged = sorted(set(json.loads(row["epochs"])) | set(new_epochs))
                db.execute(
                    "UPDATE findings SET severity=?, title=?, epochs=?, context=?,"
                    " location=COALESCE(?, location), last_seen=? WHERE id=?",
                    (severity, title, json.dumps(merged), ctx, loc, now, row["id"]),
                )
                finding_id = int(row["id"])
            db.execute("UPDATE runs SET updated=? WHERE id=?", (now, rid))
            result.append(finding_id)
            return finding_id

        self._submit(write)
        return result[0] if result else None

    def end_run(self, run_id: int, status: str = "finished") -> None:
        check_choice("status", status, RUN_STATUSES[1:])
        now = _now()

        def write(db: sqlite3.Connection) -> None:
            db.execute("UPDATE runs SET status=?, ended=?, updated=? WHERE id=?",
                       (status, now, now, self._resolve(run_id)))

        self._submit(write)

    def dismiss_finding(self, run_id: int, key: str, subject: str = "", dismissed: bool = True) -> None:
        """Mark the finding (``key``, ``subject``) of a run as a false alarm, or undo that.

        A dismissed finding stays recorded (later epochs still merge into it) but is not counted
        in :meth:`runs` and is hidden by ``%umlaut show``.
        """
        run_id = self._resolve(run_id)
        with self._transaction() as db:
            cur = db.execute("UPDATE findings SET dismissed=? WHERE run_id=? AND key=? AND subject=?",
                             (1 if dismissed else 0, run_id, key, subject))
            if cur.rowcount == 0:
                raise KeyError(f"key={key!r}, subject={subject!r} matches no finding of run {run_id}")
            db.execute("UPDATE runs SET updated=? WHERE id=?", (_now(), run_id))

    def delete_run(self, run_id: int, *, allow_running: bool = False) -> None:
        """Delete a run with its metrics and findings, now (an interactive action: it raises).

        A run still marked ``'running'`` is refused with ``ValueError`` (its kernel would keep
        writing into a run that no longer exists) unless ``allow_running`` says its process is
        known to be gone (the server's "dead" runs). ``KeyError`` if there is no such run.

        Example
        -------
        >>> store = Store(":memory:")
        >>> run = store.start_run("umlaut", "fit-1"); store.end_run(run)
        >>> store.delete_run(run); store.runs()
        []
        """
        rid = self._resolve(run_id) if _valid_id(run_id) else None
        with self._transaction() as db:
            row = db.execute("SELECT status FROM runs WHERE id=?", (rid,)).fetchone() if rid is not None else None
            if row is None:
                raise KeyError(f"no run with id {run_id}")
            if row[0] == "running" and not allow_running:
                raise ValueError(f"run {run_id} is still running; expected a finished, failed or interrupted run "
                                 "(stop its cell first)")
            db.execute("DELETE FROM runs WHERE id=?", (rid,))

    def delete_finished_runs(self, notebook_path: str | None) -> list[int]:
        """Delete every run of ``notebook_path`` (``None``: runs outside any notebook) that is not
        running; returns the deleted ids. Running runs stay.

        Example
        -------
        >>> store = Store(":memory:")
        >>> a = store.start_run("umlaut", "a", notebook_path="nb.ipynb"); store.end_run(a)
        >>> b = store.start_run("umlaut", "b", notebook_path="nb.ipynb")
        >>> store.delete_finished_runs("nb.ipynb") == [a], [r["name"] for r in store.runs()]
        (True, ['b'])
        """
        with self._transaction() as db:
            where = "notebook_path IS NULL" if notebook_path is None else "notebook_path=?"
            args = () if notebook_path is None else (notebook_path,)
            ids = [r[0] for r in db.execute(f"SELECT id FROM runs WHERE {where} AND status != 'running'", args)]
            db.executemany("DELETE FROM runs WHERE id=?", [(i,) for i in ids])
        return ids

    # -- reads ---------------------------------------------------------------------------------
    def runs(self, tool: str | None = None, notebook_path: str | None = None) -> list[dict]:
        """All runs, newest first, each with ``latest_epoch``, ``epochs`` (their count, see
        :func:`epoch_count`) and ``findings`` counts by severity."""
        where, args = [], []
        if tool is not None:
            where.append("r.tool=?")
            args.append(tool)
        if notebook_path is not None:
            where.append("r.notebook_path=?")
            args.append(notebook_path)
        sql = _RUN_QUERY + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY r.id DESC"
        return [_run_dict(row) for row in self._read(sql, args)]

    def run(self, run_id: int) -> dict:
        """One run as returned by :meth:`runs`; ``KeyError`` if there is none with that id."""
        rows = self._read(_RUN_QUERY + " WHERE r.id=?", (self._resolve(run_id),)) if _valid_id(run_id) else []
        if not rows:
            raise KeyError(f"no run with id {run_id}")
        return _run_dict(rows[0])

    def finding_titles(self) -> dict[int, list[str]]:
        """``run id -> titles of its findings`` for every run (what the sidebar's search looks in).

        Example
        -------
        >>> store = Store(":memory:")
        >>> run = store.start_run("umlaut", "fit-1")
        >>> _ = store.record_finding(run, key="nan-loss", severity="critical", title="NaN loss", epochs=[2])
        >>> store.finding_titles() == {run: ["NaN loss"]}
        True
        """
        out: dict[int, list[str]] = {}
        for row in self._read("SELECT run_id, title FROM findings ORDER BY id"):
            out.setdefault(row["run_id"], []).append(row["title"])
        return out

    def metrics(self, run_id: int) -> list[dict]:
        """Per-epoch metrics as ``[{'epoch': 0, 'loss': ..., 'accuracy': ...}, ...]``, by epoch."""
        by_epoch: dict[int, dict] = {}
        for row in self._read("SELECT epoch, name, value FROM metrics WHERE run_id=? ORDER BY epoch",
                              (self._resolve(run_id),)):
            value = row["value"]
            by_epoch.setdefault(row["epoch"], {"epoch": row["epoch"]})[row["name"]] = (
                float(value) if isinstance(value, str) else value
            )
        return list(by_epoch.values())

    def findings(self, run_id: int) -> list[dict]:
        """Findings of a run, most severe first, then by first appearance."""
        order = "CASE severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, first_seen, id"
        rows = self._read(f"SELECT * FROM findings WHERE run_id=? ORDER BY {order}", (self._resolve(run_id),))
        return [
            {
                "id": r["id"],
                "run_id": r["run_id"],
                "key": r["key"],
                "subject": r["subject"],
                "severity": r["severity"],
                "title": r["title"],
                "epochs": json.loads(r["epochs"]),
                "context": schema.json_revive(json.loads(r["context"])),
                "location": json.loads(r["location"]) if r["location"] else None,
                "first_seen": r["first_seen"],
                "last_seen": r["last_seen"],
                "dismissed": bool(r["dismissed"]),
            }
            for r in rows
        ]


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a store made by an older mlnb up to :data:`SCHEMA_VERSION` (adds missing columns)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(findings)")}
    if "dismissed" not in columns:  # version 1 stores
        try:
            db.execute("ALTER TABLE findings ADD COLUMN dismissed INTEGER NOT NULL DEFAULT 0")
        except sqlite3.OperationalError as exc:  # another kernel migrated it a moment ago
            if "duplicate column" not in str(exc):
                raise


def _valid_id(run_id: Any) -> bool:
    # SQLite integers are 64-bit: a larger id cannot name a run (and would overflow the query).
    return isinstance(run_id, int) and -(2**63) <= run_id < 2**63


def _retry(store_ref: "weakref.ref[Store]") -> None:
    """The retry thread of a store in trouble: retry its queued writes until they are all in."""
    while True:
        time.sleep(RETRY_INTERVAL)
        store = store_ref()
        if store is None:
            return
        store._drain(raise_errors=False)
        with store._queue_lock:
            if not store._queue:
                store._retry_thread = None
                return
        del store


@atexit.register
def _flush_at_exit() -> None:
    for store in list(_open_stores):
        if store.pending and store.flush(timeout=5.0):
            import sys

            print(f"mlnb: {store.pending} write(s) could not be recorded: {store.problem}", file=sys.stderr)


def _as_float(value: Any) -> float | str | None:
    if value is None:
        return None
    value = float(value)
    # SQLite turns NaN into NULL; a NaN loss is exactly what must survive, so non-finite values
    # are stored as text ('nan', 'inf', '-inf') and read back with float().
    return value if math.isfinite(value) else str(value)


def _run_dict(row: sqlite3.Row) -> dict:
    d = dict(row)
    d["config"] = schema.json_revive(json.loads(d["config"]))
    d["findings"] = {s: d.pop(f"n_{s}") for s in SEVERITIES}
    d["epochs"] = epoch_count(d["latest_epoch"])
    return d


def epoch_count(latest_epoch: int | None) -> int:
    """How many epochs a run has: epochs count from 0, so the latest epoch plus one (0 with none).

    The one place mlnb counts epochs: the store's runs carry it as ``epochs``, and ``%umlaut list``,
    the CLI and the sidebar all show that number.

    Example
    -------
    >>> epoch_count(3), epoch_count(None)
    (4, 0)
    """
    return 0 if latest_epoch is None else int(latest_epoch) + 1
