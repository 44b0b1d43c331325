"""The session store: schema, merging of repeated findings, NaN metrics, concurrent writers."""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys

import pytest

from mlnb.store import Store, default_path, default_store


def test_default_path_follows_env(isolated_store):
    assert default_path() == isolated_store
    assert default_store().path == str(isolated_store)


def test_default_path_is_under_jupyter_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("MLNB_STORE")
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "mlnb" / "sessions.sqlite"


def test_wal_mode_and_schema(isolated_store):
    store = Store()
    run = store.start_run("umlaut", "fit-1", notebook_path="nb.ipynb", cell_id="abc", config={"epochs": 3})
    db = sqlite3.connect(isolated_store)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = db.execute("SELECT tool, name, notebook_path, cell_id, status, config FROM runs WHERE id=?", (run,)).fetchone()
    assert row == ("umlaut", "fit-1", "nb.ipynb", "abc", "running", '{"epochs": 3}')


def test_run_lifecycle_metrics_and_findings():
    store = Store()
    run = store.start_run("umlaut", "fit-1")
    store.log_metrics(run, 0, {"loss": 2.3, "accuracy": 0.1})
    store.log_metrics(run, 1, {"loss": float("nan"), "accuracy": 0.1})
    store.record_finding(run, key="nan-loss", severity="critical", title="NaN loss", epochs=[1],
                         context={"lr": 10.0}, location={"file": "x.py", "line": 3})
    store.record_finding(run, key="nan-loss", severity="critical", title="NaN loss", epochs=[2, 1],
                         context={"lr": 10.0, "batch": 7})
    store.record_finding(run, key="missing-activation", severity="error", title="Missing activation after d1",
                         epochs=[-1], subject="d1")
    store.record_finding(run, key="missing-activation", severity="error", title="Missing activation after d2",
                         epochs=[-1], subject="d2")
    store.end_run(run, "finished")

    metrics = store.metrics(run)
    assert metrics[0] == {"epoch": 0, "loss": 2.3, "accuracy": 0.1}
    assert math.isnan(metrics[1]["loss"])  # a NaN loss survives the round trip

    findings = store.findings(run)
    assert [f["key"] for f in findings] == ["nan-loss", "missing-activation", "missing-activation"]
    nan = findings[0]
    assert nan["epochs"] == [1, 2]
    assert nan["context"] == {"lr": 10.0, "batch": 7}
    assert nan["location"] == {"file": "x.py", "line": 3}  # kept when a repeat has none

    (summary,) = store.runs()
    assert summary["status"] == "finished" and summary["ended"] is not None
    assert summary["latest_epoch"] == 1
    assert summary["findings"] == {"critical": 1, "error": 2, "warning": 0}
    assert store.run(run)["name"] == "fit-1"


def test_numpy_values_in_context_are_stored():
    np = pytest.importorskip("numpy")
    store = Store()
    run = store.start_run("umlaut", "np")
    store.record_finding(run, key="k", severity="warning", title="t", context={"x": np.float32(1.5), "a": np.arange(3)})
    assert store.findings(run)[0]["context"] == {"x": 1.5, "a": [0, 1, 2]}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s: s.start_run("tensorboard", "x"), "tool='tensorboard' is not valid"),
        (lambda s: s.start_run("umlaut", ""), "name='' is not valid"),
        (lambda s: s.record_finding(1, key="k", severity="fatal", title="t"), "severity='fatal' is not valid"),
        (lambda s: s.end_run(1, "running"), "status='running' is not valid"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call(Store())


def test_unknown_run_is_a_key_error():
    with pytest.raises(KeyError, match="no run with id 99"):
        Store().run(99)


def _writer(path: str, worker: int, n_epochs: int) -> None:
    os.environ["MLNB_STORE"] = path
    store = Store()
    run = store.start_run("umlaut", f"worker-{worker}")
    for epoch in range(n_epochs):
        store.log_metrics(run, epoch, {"loss": 1.0 / (epoch + 1), "worker": float(worker)})
        store.record_finding(run, key="overfitting", severity="warning", title="t", epochs=[epoch])
        store.record_finding(run, key=f"k{epoch % 3}", severity="error", title="t", epochs=[epoch], subject=str(worker))
    store.end_run(run)


def test_concurrent_writers_from_several_processes(isolated_store):
    n_workers, n_epochs = 6, 40
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(isolated_store), w, n_epochs)) for w in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = Store()
    runs = store.runs()
    assert sorted(r["name"] for r in runs) == sorted(f"worker-{w}" for w in range(n_workers))
    for r in runs:
        assert r["status"] == "finished"
        metrics = store.metrics(r["id"])
        assert [m["epoch"] for m in metrics] == list(range(n_epochs))
        assert {m["worker"] for m in metrics} == {float(r["name"].split("-")[1])}
        findings = store.findings(r["id"])
        assert len(findings) == 4
        overfit = next(f for f in findings if f["key"] == "overfitting")
        assert overfit["epochs"] == list(range(n_epochs))
    assert sqlite3.connect(isolated_store).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_killed_writer_keeps_what_it_recorded(isolated_store):
    code = (
        "import os, signal; from mlnb.store import Store; s = Store(); r = s.start_run('umlaut', 'doomed');"
        "s.log_metrics(r, 0, {'loss': 1.0}); s.record_finding(r, key='k', severity='error', title='t', epochs=[0]);"
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "MLNB_STORE": str(isolated_store)})
    assert proc.returncode == -9
    (run,) = Store().runs()
    assert run["status"] == "running"  # the server shows it as dead: its pid is gone
    assert Store().metrics(run["id"]) == [{"epoch": 0, "loss": 1.0}]
    assert len(Store().findings(run["id"])) == 1


def test_delete_refuses_a_running_run_and_deletes_finished_runs_of_a_notebook(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    running = store.start_run("umlaut", "a", notebook_path="nb.ipynb")
    store.log_metrics(running, 3, {"loss": 1.0})
    assert store.run(running)["epochs"] == 4 and store.run(running)["latest_epoch"] == 3
    with pytest.raises(ValueError, match="still running"):
        store.delete_run(running)
    done = store.start_run("umlaut", "b", notebook_path="nb.ipynb")
    store.record_finding(done, key="nan-loss", severity="critical", title="NaN", epochs=[0])
    store.end_run(done)
    elsewhere = store.start_run("umlaut", "c", notebook_path="other.ipynb")
    store.end_run(elsewhere)
    assert store.delete_finished_runs("nb.ipynb") == [done]
    assert [r["name"] for r in store.runs()] == ["c", "a"]
    assert store.findings(done) == []  # the run's findings went with it
    with pytest.raises(KeyError):
        store.delete_run(done)
    store.delete_run(running, allow_running=True)
    assert [r["name"] for r in store.runs()] == ["c"]
