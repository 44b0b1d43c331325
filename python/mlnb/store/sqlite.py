"""The session store: one SQLite file (WAL mode) shared by every kernel and the server.

Writers are kernels (UMLAUT sessions, ACUMEN/IMACS runs); readers are the server extension and
``%umlaut list``. WAL lets readers run while a kernel writes; ``busy_timeout`` makes concurrent
writers from several kernels wait for each other instead of failing. Every write is its own
transaction, committed immediately, so a kernel that dies loses nothing it already recorded.
"""

from __future__ import annotations

import json
import math
import os
import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

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


class Store:
    """Runs, per-epoch metrics and findings of every mlnb tool, in one SQLite file.

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

    def __init__(self, path: str | os.PathLike | None = None, timeout: float = 30.0):
        self.path = str(default_path() if path is None else path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._timeout = timeout
        self._local = threading.local()
        db = self._connect()
        db.executescript(_SCHEMA)  # idempotent; executescript manages its own transaction
        _migrate(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- connection handling -------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        # One connection per thread: sqlite3 connections must not be shared across threads.
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
            self._local.db = db
        return db

    class _Tx:
        def __init__(self, db: sqlite3.Connection):
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            # IMMEDIATE takes the write lock up front, so two writers never deadlock on upgrade.
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type, exc, tb) -> None:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")

    def _transaction(self) -> "Store._Tx":
        return Store._Tx(self._connect())

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

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
        """Record a new run and return its id. Context not given is read from the running kernel."""
        check_choice("tool", tool, ("umlaut", "acumen", "imacs"))
        if not isinstance(name, str) or not name:
            raise ValueError(f"name={name!r} is not valid; expected a non-empty string")
        from mlnb.notebook import kernel_context

        ctx = kernel_context()
        now = _now()
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO runs (tool, name, notebook_path, kernel_id, cell_id, execution_count, pid,"
                " hostname, status, config, started, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
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
                ),
            )
            return int(cur.lastrowid)

    def log_metrics(self, run_id: int, epoch: int, metrics: Mapping[str, float | None]) -> None:
        """Record one epoch's metrics (a later call for the same epoch and name replaces the value)."""
        now = _now()
        rows = [(run_id, int(epoch), str(k), _as_float(v), now) for k, v in metrics.items()]
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO metrics VALUES (?,?,?,?,?)", rows)
            db.execute("UPDATE runs SET updated=? WHERE id=?", (now, run_id))

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
    ) -> int:
        """Insert a finding, or merge it into the one with the same (run, key, subject).

        ``subject`` tells apart findings of one key about different things (e.g. two layers).
        Merging unions the epochs and keeps the latest context, so one problem seen over many
        epochs stays one row.
        """
        check_choice("severity", severity, SEVERITIES)
        now = _now()
        new_epochs = sorted({int(e) for e in epochs})
        with self._transaction() as db:
            row = db.execute(
                "SELECT id, epochs FROM findings WHERE run_id=? AND key=? AND subject=?",
                (run_id, key, subject),
            ).fetchone()
            ctx = schema.json_dumps(dict(context or {}))
            loc = schema.json_dumps(dict(location)) if location else None
            if row is None:
                cur = db.execute(
                    "INSERT INTO findings (run_id, key, subject, severity, title, epochs, context,"
                    " location, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (run_id, key, subject, severity, title, json.dumps(new_epochs), ctx, loc, now, now),
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
            db.execute("UPDATE runs SET updated=? WHERE id=?", (now, run_id))
            return finding_id

    def end_run(self, run_id: int, status: str = "finished") -> None:
        check_choice("status", status, RUN_STATUSES[1:])
        now = _now()
        with self._transaction() as db:
            db.execute("UPDATE runs SET status=?, ended=?, updated=? WHERE id=?", (status, now, now, run_id))

    def dismiss_finding(self, run_id: int, key: str, subject: str = "", dismissed: bool = True) -> None:
        """Mark the finding (``key``, ``subject``) of a run as a false alarm, or undo that.

        A dismissed finding stays recorded (later epochs still merge into it) but is not counted
        in :meth:`runs` and is hidden by ``%umlaut show``.
        """
        with self._transaction() as db:
            cur = db.execute("UPDATE findings SET dismissed=? WHERE run_id=? AND key=? AND subject=?",
                             (1 if dismissed else 0, run_id, key, subject))
            if cur.rowcount == 0:
                raise KeyError(f"key={key!r}, subject={subject!r} matches no finding of run {run_id}")
            db.execute("UPDATE runs SET updated=? WHERE id=?", (_now(), run_id))

    def delete_run(self, run_id: int) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM runs WHERE id=?", (run_id,))

    # -- reads ---------------------------------------------------------------------------------
    def runs(self, tool: str | None = None, notebook_path: str | None = None) -> list[dict]:
        """All runs, newest first, each with ``latest_epoch`` and ``findings`` counts by severity."""
        where, args = [], []
        if tool is not None:
            where.append("r.tool=?")
            args.append(tool)
        if notebook_path is not None:
            where.append("r.notebook_path=?")
            args.append(notebook_path)
        sql = _RUN_QUERY + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY r.id DESC"
        return [_run_dict(row) for row in self._connect().execute(sql, args)]

    def run(self, run_id: int) -> dict:
        """One run as returned by :meth:`runs`; ``KeyError`` if there is none with that id."""
        row = self._connect().execute(_RUN_QUERY + " WHERE r.id=?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(f"no run with id {run_id}")
        return _run_dict(row)

    def metrics(self, run_id: int) -> list[dict]:
        """Per-epoch metrics as ``[{'epoch': 0, 'loss': ..., 'accuracy': ...}, ...]``, by epoch."""
        by_epoch: dict[int, dict] = {}
        for row in self._connect().execute(
            "SELECT epoch, name, value FROM metrics WHERE run_id=? ORDER BY epoch", (run_id,)
        ):
            value = row["value"]
            by_epoch.setdefault(row["epoch"], {"epoch": row["epoch"]})[row["name"]] = (
                float(value) if isinstance(value, str) else value
            )
        return list(by_epoch.values())

    def findings(self, run_id: int) -> list[dict]:
        """Findings of a run, most severe first, then by first appearance."""
        order = "CASE severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, first_seen, id"
        rows = self._connect().execute(f"SELECT * FROM findings WHERE run_id=? ORDER BY {order}", (run_id,))
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
    return d
