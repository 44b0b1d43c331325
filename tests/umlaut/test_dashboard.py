"""The UMLAUT dashboard's engine side and widget state: session events during real training,
dismissals in the store (with the migration of older stores), session comparison, %umlaut compare."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from mlnb.umlaut.findings import Finding
from mlnb.umlaut.session import Session

keras = pytest.importorskip("keras")

from programs import digits  # noqa: E402  (tests/umlaut is on sys.path under pytest)


def decode(value) -> np.ndarray:
    """An array trait as the front end decodes it (through the kit's wire format)."""
    from mlnb.widgets._serializers import array_from_json, array_to_json

    return array_from_json(array_to_json(value, None), None)


def mlp(hidden_activation=None, name=None):
    return keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation=hidden_activation),
                             keras.layers.Dense(10, activation="softmax")], name=name)


def fit(model, session, epochs=3, scale="unit", **kwargs):
    from mlnb.umlaut import UmlautCallback

    x, y, xv, yv = digits(scale=scale)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = UmlautCallback(session=session, output_type="classification")
    model.fit(x, y, validation_data=(xv, yv), epochs=epochs, batch_size=32, verbose=0, callbacks=[cb], **kwargs)
    return cb.session


def test_listeners_fire_per_epoch_and_the_widget_follows(monkeypatch):
    from mlnb.umlaut import session as session_module
    from mlnb.widgets.umlaut_dashboard import UmlautDashboard

    monkeypatch.setattr(session_module, "BATCH_INTERVAL", 0.0)  # report the running loss every batch
    session = Session("live", echo=False, record=False)
    events = []
    session.observe(lambda event, payload: events.append((event, payload)))
    widget = UmlautDashboard(session)
    seen_epochs = []
    widget.observe(lambda change: seen_epochs.append(change["new"]), names="epochs")
    fit(mlp(), session, epochs=3)

    epoch_events = [p for e, p in events if e == "epoch"]
    assert [p["epoch"] for p in epoch_events] == [0, 1, 2]
    assert set(epoch_events[0]["metrics"]) >= {"loss", "val_loss", "accuracy", "val_accuracy"}
    batches = [p for e, p in events if e == "batch"]
    assert len(batches) >= 3 * 11 and all(b["epoch"] <= b["x"] <= b["epoch"] + 1 for b in batches)  # 12 batches/epoch
    assert [p["status"] for e, p in events if e == "status"] == ["running", "finished"]
    found = [f.key for e, p in events if e == "findings" for f in p["new"]]
    assert "missing-activation" in found  # the static finding arrives before the first epoch
    assert events.index(next(ev for ev in events if ev[0] == "findings")) < events.index(
        next(ev for ev in events if ev[0] == "epoch"))

    # the widget was pushed every epoch, from the training thread, before fit returned
    assert seen_epochs == [1, 2, 3]
    matrix = decode(widget.metrics)
    assert matrix.shape == (len(widget.metric_names), 3)
    assert np.allclose(matrix[widget.metric_names.index("loss")], session.history["loss"])
    running = decode(widget.running)
    assert running.shape[0] == 2 and running.shape[1] > 0
    card = next(c for c in widget.cards if c["key"] == "missing-activation")
    assert card["patch"]["key"] == "missing-activation" and card["severity"] == "error" and not card["dismissed"]
    assert widget.status == "finished"
    json.dumps({k: v for k, v in widget.get_state().items() if k not in ("metrics", "running", "baseline_metrics")})


def test_contract_fixture_for_the_view():
    """The state the TypeScript tests render (js/test/fixtures/umlaut_dashboard/basic.json)."""
    from mlnb.notebook import Location
    from mlnb.widgets._testing import check_fixture
    from mlnb.widgets.umlaut_dashboard import UmlautDashboard

    s = Session("demo <b>", record=False, echo=False)
    s.start()
    s.add([Finding("missing-activation", "error", "Missing activation after dense", [-1],
                   {"layer": "dense", "layer_type": "Dense", "next_layer": "dense_1"},
                   Location(file="<x>", line=3, cell_id="c1", execution_count=2, code="keras.layers.Dense(32),"),
                   subject="dense")])
    for e in range(6):
        s.log_epoch(e, {"loss": 2.0 / (e + 1), "val_loss": 2.2 / (e + 1) + 0.05 * e, "accuracy": 0.1 * e,
                        "val_accuracy": 0.09 * e})
        s.running.append((e + 0.5, 2.1 / (e + 1)))
    s.add([Finding("overfitting", "warning", "Validation loss rises", [3, 4, 5], {})])
    w = UmlautDashboard(s)
    check_fixture(w, "basic")


def test_a_live_push_sends_only_the_changed_cards_and_the_state_stays_whole():
    from mlnb.widgets import umlaut_dashboard as module
    from mlnb.widgets.umlaut_dashboard import UmlautDashboard

    s = Session("delta", record=False, echo=False)
    s.start()
    s.add([Finding("high-dropout", "warning", f"dropout {i}", [-1], {}, subject=f"d{i}") for i in range(100)])
    w = UmlautDashboard(s)
    assert len(w.findings) == 100 and w.findings_delta == []
    sent = []
    w.observe(lambda change: sent.append((change["name"], len(change["new"]))), names=["findings", "findings_delta"])
    s.log_epoch(0, {"loss": 1.0})
    s.add([Finding("nan-loss", "critical", "NaN loss", [0], {})])
    assert sent == [("findings_delta", 1)]  # one card travels, not 101
    assert [c["key"] for c in w.cards][:1] == ["nan-loss"] and len(w.cards) == 101
    state = w.get_state()
    merged = {c["id"]: c for c in [*state["findings"], *state["findings_delta"]]}
    assert sorted(merged) == sorted(c["id"] for c in w.cards)  # what a new view merges is every card
    # many changes compact into `findings` again, so the delta stays small
    s.add([Finding("high-dropout", "warning", f"dropout {i}", [-1, 0], {}, subject=f"d{i}") for i in range(100)])
    assert len(w.findings) == 101 and w.findings_delta == [] and len(w.findings) <= 101
    assert module.DELTA_LIMIT < 100
    w.close()


def test_no_listener_means_no_running_loss_work():
    session = Session("quiet", echo=False, record=False)
    assert not session.batch_due()
    stop = session.observe(lambda e, p: None, "status")
    assert session.batch_due()
    stop()
    assert not session.batch_due()


def test_dismiss_persists_in_the_store_and_is_respected(capsys):
    from mlnb.store import default_store
    from mlnb.umlaut import load_session, show_session
    from mlnb.umlaut.cli import main as cli
    from mlnb.widgets.umlaut_dashboard import UmlautDashboard

    session = fit(mlp(), Session("to-dismiss", echo=False), epochs=1)
    widget = UmlautDashboard(session)
    card = next(c for c in widget.cards if c["key"] == "missing-activation")
    # the front end's dismiss message
    widget.dismiss(card["key"], card["subject"], True)  # the front end's request(model, 'dismiss', ...)
    assert next(c for c in widget.cards if c["id"] == card["id"])["dismissed"] is True

    store = default_store()
    (row,) = [f for f in store.findings(session.run_id) if f["key"] == "missing-activation"]
    assert row["dismissed"] is True
    run = store.run(session.run_id)
    assert run["findings"]["error"] == sum(f.severity == "error" for f in session.findings) - 1

    again = load_session("to-dismiss")
    assert ("missing-activation", card["subject"]) in again.dismissed
    shown = show_session("to-dismiss")
    assert "missing-activation" not in repr(shown) and "dismissed as false alarms" in repr(shown)
    assert "missing-activation" not in shown._static_html()
    assert next(c for c in shown.cards if c["key"] == "missing-activation")["dismissed"]  # struck through live

    assert cli(["show", "to-dismiss"]) == 0
    assert "missing-activation" not in capsys.readouterr().out
    assert cli(["show", "to-dismiss", "--all"]) == 0
    assert "missing-activation" in capsys.readouterr().out

    again.dismiss("missing-activation", card["subject"], dismissed=False)  # undo, from a loaded session
    assert not [f for f in store.findings(session.run_id) if f["key"] == "missing-activation"][0]["dismissed"]
    with pytest.raises(KeyError, match="key='nope'"):
        again.dismiss("nope")

    # the CLI deletes a finished session (its findings go with it)
    assert cli(["delete", "to-dismiss"]) == 0
    assert "Deleted session" in capsys.readouterr().out
    assert store.findings(session.run_id) == []
    assert cli(["delete", "to-dismiss"]) == 2 and "matches no UMLAUT session" in capsys.readouterr().err


def test_stores_from_before_dismissals_are_migrated(tmp_path):
    from mlnb.store.sqlite import Store

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, tool TEXT NOT NULL, name TEXT NOT NULL,
            notebook_path TEXT, kernel_id TEXT, cell_id TEXT, execution_count INTEGER, pid INTEGER, hostname TEXT,
            status TEXT NOT NULL DEFAULT 'running', config TEXT NOT NULL DEFAULT '{}', started REAL NOT NULL,
            ended REAL, updated REAL NOT NULL);
        CREATE TABLE findings (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL, key TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '', severity TEXT NOT NULL, title TEXT NOT NULL,
            epochs TEXT NOT NULL DEFAULT '[]', context TEXT NOT NULL DEFAULT '{}', location TEXT,
            first_seen REAL NOT NULL, last_seen REAL NOT NULL, UNIQUE (run_id, key, subject));
        INSERT INTO runs (tool, name, status, started, updated) VALUES ('umlaut', 'old', 'finished', 1, 1);
        INSERT INTO findings (run_id, key, severity, title, first_seen, last_seen)
            VALUES (1, 'overfitting', 'warning', 'Possible overfitting', 1, 1);
        PRAGMA user_version = 1;
    """)
    db.close()
    store = Store(path)
    (f,) = store.findings(1)
    assert f["dismissed"] is False
    store.dismiss_finding(1, "overfitting")
    assert store.findings(1)[0]["dismissed"] is True and store.run(1)["findings"]["warning"] == 0
    assert Store(path).findings(1)[0]["dismissed"] is True  # opening again migrates nothing twice


def test_compare_buggy_and_fixed_runs_by_name():
    from mlnb import umlaut

    buggy = fit(mlp(None), Session("buggy", echo=False), epochs=2, scale="raw")
    fixed = fit(mlp("relu"), Session("fixed", echo=False), epochs=3)
    c = umlaut.compare("buggy", "fixed")
    assert {"missing-activation", "input-not-normalized"} <= set(c.fixed["key"])
    assert not set(c.new["key"]) & {"missing-activation", "input-not-normalized"}
    assert set(c.findings["status"]) <= {"fixed", "new", "persisting"}
    settings = dict(zip(c.config["setting"], zip(c.config["a"], c.config["b"])))
    assert settings["epochs"] == (2, 3)
    assert set(c.curves["session"]) == {"a", "b"} and len(c.curves[c.curves["metric"] == "loss"]) == 5
    assert "fixed" in repr(c) and "missing-activation" in c._repr_html_()

    view = c.view()
    assert view.baseline_name == "buggy" and view.name == "fixed"
    assert decode(view.baseline_metrics).shape[1] == 2
    assert {r["key"] for r in view.diff["findings"] if r["status"] == "fixed"} == set(c.fixed["key"])
    # sessions in memory work the same; a bad argument is named
    assert set(umlaut.compare(buggy, fixed).fixed["key"]) == set(c.fixed["key"])
    with pytest.raises(KeyError, match="^.a: name_or_id='nope'"):
        umlaut.compare("nope", "fixed")
    with pytest.raises(TypeError, match="b=3.5 is not valid"):
        umlaut.compare(buggy, 3.5)


def test_compare_pairs_findings_of_renamed_layers():
    from mlnb.umlaut import compare

    a, b = Session("a", record=False, echo=False), Session("b", record=False, echo=False)
    a.add([Finding("missing-activation", "error", "after dense_3", [-1], subject="dense_3"),
           Finding("high-dropout", "warning", "rate 0.8", [-1], subject="dropout_1")])
    b.add([Finding("missing-activation", "error", "after dense_7", [-1], subject="dense_7"),
           Finding("overfitting", "warning", "val loss rises", [4, 5], subject="")])
    c = compare(a, b)
    status = dict(zip(c.findings["key"], c.findings["status"]))
    assert status == {"missing-activation": "persisting", "high-dropout": "fixed", "overfitting": "new"}
    b.dismiss("overfitting")  # a dismissed false alarm is not "new"
    assert "overfitting" not in set(compare(a, b).findings["key"])


def test_umlaut_compare_magic():
    from IPython.core.interactiveshell import InteractiveShell

    a, b = Session("m-a", echo=False), Session("m-b", echo=False)
    for s, keys in ((a, ["high-dropout", "overfitting"]), (b, ["overfitting"])):
        s.start()
        s.add([Finding(k, "warning", k, [-1]) for k in keys])
        s.log_epoch(0, {"loss": 1.0})
        s.end()
    shell = InteractiveShell.instance()
    assert shell.run_cell("%load_ext mlnb").success
    try:
        result = shell.run_cell("%umlaut compare m-a m-b")
        assert result.success, result.error_in_exec
        view = result.result
        assert [r["key"] for r in view.diff["findings"] if r["status"] == "fixed"] == ["high-dropout"]
        assert not shell.run_cell("%umlaut compare m-a").success
        assert not shell.run_cell("%umlaut compare m-a nope").success
    finally:
        shell.run_cell("%unload_ext mlnb")


def test_a_displayed_callback_shows_the_dashboard_of_the_session_fit_then_uses():
    from mlnb.umlaut import UmlautCallback

    cb = UmlautCallback(echo=False, record=False, name="shown")
    data, _ = cb._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data and "UMLAUT session &#x27;shown&#x27;" in data["text/html"]
    shown = cb.session
    x, y, xv, yv = digits()
    model = mlp("relu")
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0, callbacks=[cb])
    assert cb.session is shown and shown.history["loss"]
