"""A store in trouble loses nothing and says so in one message.

A write lock held by another process, a full disk (SQLite's max_page_count, which fails writes
with SQLITE_FULL exactly as a full disk does), a damaged file and a read-only folder: writes are
kept in order and arrive once the store recovers; reads give a :class:`StoreError` naming the
path, the cause and what to do; a read-only store can still be listed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings

import pytest

from mlnb.store import Store, StoreError

HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO runs (tool, name, started, updated) VALUES ('umlaut', 'holder', 0, 0)")
print("locked", flush=True)
sys.stdin.readline()  # hold the write lock until the test says so
db.execute("ROLLBACK")
"""


class _Holder:
    """Another process holding the store's write lock (an open write transaction)."""

    def __init__(self, path):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.wait(30) == 0


def _wait_until_written(store, seconds=30.0):
    """Wait for the store's own retry thread (no flush call) to write everything queued."""
    deadline = time.monotonic() + seconds
    while store.pending and time.monotonic() < deadline:
        time.sleep(0.1)
    return store.pending


def test_a_held_write_lock_delays_writes_but_loses_nothing(isolated_store):
    Store(isolated_store)  # the schema exists, as after any earlier session
    holder = _Holder(isolated_store)
    try:
        store = Store(isolated_store)  # a fresh kernel opens the locked store
        start = time.monotonic()
        with pytest.warns(RuntimeWarning, match="is locked by another process"):
            run = store.start_run("umlaut", "while-locked")
        for epoch in range(3):
            store.log_metrics(run, epoch, {"loss": 1.0 / (epoch + 1)})
        store.record_finding(run, key="overfitting", severity="warning", title="t", epochs=[2])
        store.end_run(run)
        elapsed = time.monotonic() - start
        assert run < 0 and store.pending == 6  # provisional id, everything kept in order
        assert elapsed < 10  # one short wait, not a 30 s stall per write
        assert store.problem.kind == "locked" and str(isolated_store) in str(store.problem)
        assert store.runs() == []  # reads go on while another process writes
    finally:
        holder.release()
    assert _wait_until_written(store) == 0  # the retry thread delivered it all
    (stored,) = store.runs()
    assert stored["name"] == "while-locked" and stored["status"] == "finished"
    assert [m["loss"] for m in store.metrics(run)] == [1.0, 0.5, 1.0 / 3]  # the provisional id still works
    assert store.findings(stored["id"])[0]["epochs"] == [2]
    assert store.problem is None


def test_a_lock_taken_mid_run_keeps_that_epochs_metrics(isolated_store):
    store = Store(isolated_store)
    run = store.start_run("umlaut", "mid-run")
    store.log_metrics(run, 0, {"loss": 0.9})
    holder = _Holder(isolated_store)
    try:
        with pytest.warns(RuntimeWarning, match="locked"):
            store.log_metrics(run, 1, {"loss": 0.5})
        store.log_metrics(run, 2, {"loss": 0.25})
        assert store.pending == 2
    finally:
        holder.release()
    assert _wait_until_written(store) == 0
    assert [m["loss"] for m in store.metrics(run)] == [0.9, 0.5, 0.25]


def test_a_full_disk_keeps_writes_until_there_is_space(isolated_store):
    store = Store(isolated_store)
    run = store.start_run("umlaut", "full")
    with store._write_lock:  # the file may not grow any more: writes fail with SQLITE_FULL
        pages = store._writer.execute("PRAGMA page_count").fetchone()[0]
        store._writer.execute(f"PRAGMA max_page_count = {pages}")
    big = {f"metric_{i}": float(i) for i in range(300)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch in range(20):
            store.log_metrics(run, epoch, big)
    assert store.pending > 0 and store.problem.kind == "full"
    assert any("cannot grow" in str(w.message) and "free some space" in str(w.message) for w in caught)
    assert [r["name"] for r in store.runs()] == ["full"]  # still readable
    with store._write_lock:
        store._writer.execute("PRAGMA max_page_count = 1073741823")  # space again
    assert _wait_until_written(store) == 0
    metrics = store.metrics(run)
    assert [m["epoch"] for m in metrics] == list(range(20)) and all(len(m) == 301 for m in metrics)


def test_a_file_that_is_not_a_database(isolated_store):
    isolated_store.write_bytes(b"this is not an SQLite database, just some text " * 100)
    store = Store(isolated_store)  # opening does not raise: it says what is wrong
    assert store.problem.kind == "damaged"
    with pytest.raises(StoreError) as info:
        store.runs()
    message = str(info.value)
    assert str(isolated_store) in message and "damaged" in message and "move the file away" in message
    assert "\n" not in message
    with pytest.warns(RuntimeWarning, match="damaged"):
        run = store.start_run("umlaut", "kept")
    store.log_metrics(run, 0, {"loss": 1.0})
    assert store.pending == 2
    isolated_store.rename(isolated_store.with_suffix(".broken"))  # what the message says to do
    assert store.flush(timeout=10) == 0
    (stored,) = store.runs()
    assert stored["name"] == "kept" and store.metrics(run) == [{"epoch": 0, "loss": 1.0}]


def test_damaged_pages_are_detected_at_open(isolated_store):
    store = Store(isolated_store)
    for i in range(30):
        run = store.start_run("umlaut", f"run-{i}")
        store.log_metrics(run, 0, {f"m{j}": float(j) for j in range(50)})
    del store
    db = sqlite3.connect(isolated_store)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size, page_count = db.execute("PRAGMA page_size").fetchone()[0], db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    assert page_count > 6
    with open(isolated_store, "r+b") as f:  # scribble over the middle of a few b-tree pages
        for page in (3, page_count // 2, page_count - 2):
            f.seek(page * page_size + 64)
            f.write(os.urandom(512))
    store = Store(isolated_store)
    assert store.problem is not None and store.problem.kind == "damaged", store.problem
    with pytest.raises(StoreError, match="is damaged"):
        store.runs()


def test_umlaut_list_and_show_say_it_in_one_line(isolated_store):
    from IPython.core.interactiveshell import InteractiveShell

    isolated_store.write_bytes(b"garbage" * 1000)
    shell = InteractiveShell.instance()
    assert shell.run_cell("%load_ext mlnb").success
    try:
        for line in ("%umlaut list", "%umlaut show fit-1"):
            shown = []
            shell._showtraceback = lambda etype, value, stb, shown=shown: shown.append(stb)
            try:
                result = shell.run_cell(line)
            finally:
                del shell._showtraceback
            assert not result.success and len(shown) == 1 and len(shown[0]) == 1
            assert str(isolated_store) in shown[0][0] and "is damaged" in shown[0][0] and "move the file away" in shown[0][0]
    finally:
        shell.run_cell("%unload_ext mlnb")


def test_cli_list_of_a_damaged_store(isolated_store):
    isolated_store.write_bytes(b"garbage" * 1000)
    proc = subprocess.run([sys.executable, "-m", "mlnb.cli", "umlaut", "list"], capture_output=True, text=True,
                          env={**os.environ, "MLNB_STORE": str(isolated_store)}, timeout=60)
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert str(isolated_store) in line and "is damaged" in line


READ_ONLY_CHECK = """
import json, warnings
from mlnb.store import Store
store = Store()
out = {"kind": store.problem and store.problem.kind, "read_only": store.read_only,
       "names": [r["name"] for r in store.runs()], "epochs": [m["epoch"] for m in store.metrics(store.runs()[0]["id"])]}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    run = store.start_run("umlaut", "not-now")
out["provisional"] = run < 0
out["pending"] = store.pending
out["warning"] = str(caught[0].message) if caught else None
print(json.dumps(out))
"""


def test_a_read_only_store_can_still_be_listed():
    import json

    folder = tempfile.mkdtemp(prefix="mlnb-ro-")  # not under pytest's private tmp: another user must reach it
    os.chmod(folder, 0o755)
    path = os.path.join(folder, "sessions.sqlite")
    env = {**os.environ, "MLNB_STORE": path}
    try:
        subprocess.run([sys.executable, "-c", textwrap.dedent("""
            from mlnb.store import Store
            s = Store(); r = s.start_run("umlaut", "recorded"); s.log_metrics(r, 0, {"loss": 1.0}); s.end_run(r)
        """)], env=env, check=True, timeout=60)
        assert not os.path.exists(path + "-wal")  # closed cleanly: only the database file is left
        os.chmod(path, 0o444)
        os.chmod(folder, 0o555)
        command = [sys.executable, "-c", READ_ONLY_CHECK]
        if os.geteuid() == 0:  # permissions do not bind root: mount the folder read-only for the check
            if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode:
                pytest.skip("running as root without user namespaces: cannot make a folder read-only")
            command = ["unshare", "-rm", "sh", "-c", f'mount --bind "{folder}" "{folder}" && '
                       f'mount -o remount,bind,ro "{folder}" && exec "$0" "$@"', *command]
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        assert out["names"] == ["recorded"] and out["epochs"] == [0]
        assert out["read_only"] and out["kind"] == "read-only"
        assert out["provisional"] and out["pending"] == 1
        assert path in out["warning"] and "read-only" in out["warning"] and "writable" in out["warning"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_umlaut_list_shows_prompt_numbers_and_short_paths(isolated_store, monkeypatch, tmp_path):
    from mlnb.umlaut.api import list_sessions

    import mlnb.notebook

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(mlnb.notebook, "kernel_context", lambda: dict.fromkeys(
        ("kernel_id", "notebook_path", "cell_id", "execution_count")))  # as in a script: no cell
    store = Store(isolated_store)
    store.start_run("umlaut", "in-cell", notebook_path=str(tmp_path / "nb" / "train.ipynb"), execution_count=6)
    store.start_run("umlaut", "script", notebook_path=None, execution_count=None)
    table = list_sessions()
    assert list(table["cell"].astype(object).where(table["cell"].notna(), None)) == [None, 6]
    assert "6.0" not in table.to_string()
    assert table["notebook"].iloc[0] is None or table["notebook"].isna().iloc[0]
    assert table["notebook"].iloc[1] == os.path.join("nb", "train.ipynb")


def test_an_interactive_write_fails_at_once_with_the_message(isolated_store):
    store = Store(isolated_store)
    run = store.start_run("umlaut", "r")
    with store._transaction() as db:  # commits now
        db.execute("UPDATE runs SET name='renamed' WHERE id=?", (run,))
    assert store.run(run)["name"] == "renamed"
    holder = _Holder(isolated_store)
    try:
        with pytest.raises(StoreError, match="is locked by another process"):
            with store._transaction() as db:
                db.execute("UPDATE runs SET name='never' WHERE id=?", (run,))
    finally:
        holder.release()
    assert store.run(run)["name"] == "renamed"
