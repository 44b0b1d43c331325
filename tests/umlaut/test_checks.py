"""Unit tests of every check on tiny synthetic summaries and arrays (no framework needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlnb.umlaut import Thresholds, check_data
from mlnb.umlaut.checks import REGISTRY, CheckContext, check, run_checks
from mlnb.umlaut.catalog import CATALOG
from mlnb.umlaut.summary import LayerInfo, LayerStats, LossInfo, ModelSummary, Probe

CE = LossInfo("sparse_categorical_crossentropy", "sparse_categorical_crossentropy", "probabilities")
CE_LOGITS = LossInfo("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", "logits")
MSE = LossInfo("mse", "mse", "values")


def chain(*layers: LayerInfo, loss=CE, lr=1e-3, optimizer="Adam") -> ModelSummary:
    prev = None
    for layer in layers:
        layer.inputs = (prev.name,) if prev else ()
        prev = layer
    return ModelSummary("keras", "m", list(layers), outputs=(layers[-1].name,), graph_known=True, loss=loss, lr=lr,
                        optimizer=optimizer)


def dense(name, act="relu", units=8):
    return LayerInfo(name, "dense", activation=act, units=units, type_name="Dense")


def keys(phase, **kw):
    return sorted({f.key for f in run_checks(phase, CheckContext(**kw))})


def test_every_check_has_a_catalog_entry_and_docstring():
    for chk in REGISTRY:
        assert chk.key in CATALOG, chk.key
        assert chk.fn.__doc__ and len(chk.fn.__doc__) > 30, chk.name
    # every catalog key except the internal one is raised by some check
    assert {c.key for c in REGISTRY} | {"internal-check-error"} == set(CATALOG)


# -- static ------------------------------------------------------------------------------------
def test_missing_activation_between_linear_layers_through_dropout():
    m = chain(dense("d1", "linear"), LayerInfo("drop", "dropout", rate=0.2), dense("d2", "softmax", 3))
    found = run_checks("static", CheckContext(model=m))
    assert [f.subject for f in found if f.key == "missing-activation"] == ["d1"]
    assert keys("static", model=chain(dense("d1"), dense("d2", "softmax", 3))) == []


def test_missing_activation_needs_known_dataflow():
    m = chain(dense("d1", "linear"), dense("d2", "softmax", 3))
    m.graph_known = False
    assert "missing-activation" not in keys("static", model=m)


def test_softmax_idioms_are_not_flagged():
    # Dense(n, activation='softmax') + cross-entropy: correct
    assert keys("static", model=chain(dense("d1"), dense("out", "softmax", 3))) == []
    # linear + Activation('softmax') layer: correct
    assert keys("static", model=chain(dense("d1"), dense("out", "linear", 3), LayerInfo("sm", "activation", "softmax"))) == []
    # from_logits=True with a linear output: correct
    assert keys("static", model=chain(dense("d1"), dense("out", "linear", 3), loss=CE_LOGITS)) == []
    # regression head: linear output + MSE
    assert keys("static", model=chain(dense("d1"), dense("out", "linear", 1), loss=MSE)) == []


def test_missing_softmax_and_double_activation():
    assert keys("static", model=chain(dense("d1"), dense("out", "linear", 3))) == ["missing-softmax"]
    assert keys("static", model=chain(dense("d1"), dense("out", "softmax", 3), loss=CE_LOGITS)) == ["double-activation"]
    # ... except on Keras's TensorFlow backend, which computes the loss on the logits behind the softmax
    tf_keras = chain(dense("d1"), dense("out", "softmax", 3), loss=CE_LOGITS)
    tf_keras.backend = "tensorflow"
    assert keys("static", model=tf_keras) == []
    twice = chain(dense("d1"), dense("out", "softmax", 3), LayerInfo("act", "activation", "softmax"))
    assert keys("static", model=twice) == ["double-activation"]


def test_wrong_loss_for_task():
    assert keys("static", model=chain(dense("d1"), dense("out", "softmax", 3)), output_type="regression") == ["wrong-loss-for-task"]
    assert keys("static", model=chain(dense("d1"), dense("out", "softmax", 3), loss=MSE)) == ["wrong-loss-for-task"]
    assert keys("static", model=chain(dense("d1"), dense("out", "linear", 1), loss=MSE), output_type="regression") == []


@pytest.mark.parametrize("lr,problem", [(-1e-3, "negative"), (0.0, "zero"), (1e-9, "low"), (0.5, "high")])
def test_lr_out_of_range_names_the_problem(lr, problem):
    found = run_checks("static", CheckContext(model=chain(dense("d1"), dense("o", "softmax", 3), lr=lr)))
    (f,) = [f for f in found if f.key == "lr-out-of-range"]
    assert f.context["problem"] == problem
    if problem == "negative":
        assert "Negative" in f.title and "low" not in f.title


def test_lr_range_depends_on_optimizer():
    assert keys("static", model=chain(dense("d1"), dense("o", "softmax", 3), lr=0.1, optimizer="SGD")) == []
    assert keys("static", model=chain(dense("d1"), dense("o", "softmax", 3), lr=0.1, optimizer="Adam")) == ["lr-out-of-range"]
    t = Thresholds(lr_max_adaptive=0.2)
    assert keys("static", thresholds=t, model=chain(dense("d1"), dense("o", "softmax", 3), lr=0.1)) == []


def test_high_dropout_is_strictly_above_half():
    m = chain(dense("d1"), LayerInfo("dr", "dropout", rate=0.5), dense("o", "softmax", 3))
    assert keys("static", model=m) == []
    m = chain(dense("d1"), LayerInfo("dr", "dropout", rate=0.8), dense("o", "softmax", 3))
    assert keys("static", model=m) == ["high-dropout"]


# -- data --------------------------------------------------------------------------------------
rng = np.random.default_rng(0)


def test_normalization_accepts_z_scores_and_unit_range():
    raw = rng.integers(0, 256, (200, 8, 8, 1)).astype("float32")
    assert [f.key for f in check_data(raw, input_type="image")] == ["input-not-normalized"]
    assert check_data(raw / 255.0, input_type="image") == []
    z = rng.normal(size=(500, 10)) * 1.0
    z[0, 0] = 6.5  # a z-scored outlier
    assert check_data(z) == []
    tabular = np.c_[rng.normal(size=200), rng.normal(50_000, 10_000, size=200)]
    f = check_data(tabular)
    assert [x.key for x in f] == ["input-not-normalized"] and f[0].context["max"] > 1000


def test_token_ids_are_not_inputs_to_normalize():
    ids = rng.integers(0, 5000, (100, 20))
    assert check_data(ids, input_type="text") == []


def test_image_shape_layout_and_non_square_images():
    nchw = rng.random((10, 3, 32, 48)).astype("float32")
    assert [f.key for f in check_data(nchw, input_type="image")] == ["image-shape"]
    assert check_data(nchw, input_type="image", framework="torch") == []
    nhwc = rng.random((10, 32, 48, 3)).astype("float32")  # non-square is fine
    assert check_data(nhwc, input_type="image") == []
    assert [f.key for f in check_data(nhwc, input_type="image", framework="torch")] == ["image-shape"]


def test_constant_input_and_overlap():
    assert [f.key for f in check_data(np.ones((50, 4)))] == ["constant-input"]
    x = rng.random((100, 4))
    assert [f.key for f in check_data(x, x_val=x[:20])] == ["train-val-overlap"]
    assert check_data(x[:80], x_val=x[80:]) == []


def test_unshuffled_and_imbalance():
    x = rng.random((300, 4))
    sorted_y = np.repeat([0, 1, 2], 100)
    assert [f.key for f in check_data(x, sorted_y, shuffled=False)] == ["unshuffled-data"]
    assert check_data(x, sorted_y, shuffled=True) == []  # Keras shuffles NumPy data each epoch
    assert check_data(x, rng.permutation(sorted_y), shuffled=False) == []
    y = np.r_[np.zeros(290, int), np.ones(10, int)]
    assert [f.key for f in check_data(x, rng.permutation(y))] == ["class-imbalance"]


def test_label_encoding_mismatch():
    m = chain(dense("d1"), dense("o", "softmax", 3), loss=LossInfo("categorical_crossentropy", "categorical_crossentropy", "probabilities"))
    ctx = CheckContext(model=m, y=rng.integers(0, 3, 50))
    assert [f.key for f in run_checks("data", ctx)] == ["label-encoding-mismatch"]
    ctx = CheckContext(model=chain(dense("d1"), dense("o", "softmax", 3)), y=np.eye(3)[rng.integers(0, 3, 50)])
    assert [f.key for f in run_checks("data", ctx)] == ["label-encoding-mismatch"]
    ctx = CheckContext(model=chain(dense("d1"), dense("o", "softmax", 3)), y=rng.integers(0, 5, 50))
    assert [f.context["label_max"] for f in run_checks("data", ctx)] == [4]


# -- epoch trends -----------------------------------------------------------------------------
def trend(**series):
    ctx = CheckContext(history={k: list(v) for k, v in series.items()})
    ctx.epoch = len(next(iter(series.values()))) - 1
    return keys("epoch", **{"history": ctx.history, "epoch": ctx.epoch})


def test_overfitting_needs_persistence():
    assert trend(loss=[1, .8, .6, .5], val_loss=[1, .9, .95, .9]) == []  # one bump is noise
    assert trend(loss=[1, .8, .6, .5, .4], val_loss=[.9, .8, .85, .9, .95]) == ["overfitting"]
    assert trend(loss=[1, .8, .6], val_loss=[1, 1.1, 1.2]) == []  # too few epochs for patience 3


def test_no_validation_data_is_fine():
    assert trend(loss=[1, .8, .6, .5, .4], accuracy=[.5, .6, .7, .8, .9]) == []


def test_suspicious_val_accuracy_needs_a_margin_for_several_epochs():
    assert trend(loss=[1, .5, .4, .3], accuracy=[.9, .96, .97, .98], val_accuracy=[.95, .97, .98, .99]) == []
    assert trend(loss=[1, .9, .8, .7], accuracy=[.4, .45, .5, .5], val_accuracy=[.7, .8, .85, .9]) == ["suspicious-val-accuracy"]
    # Dropout: a clean CNN's validation leads by just over the margin, but its error is not far below
    # the training error (thesis program A/B without bugs) -> no warning.
    assert trend(loss=[2.2, 2.0, 1.9, 1.8], accuracy=[.2, .25, .3, .327], val_accuracy=[.3, .36, .41, .434]) == []


def test_loss_trends():
    assert trend(loss=[1.0, 1.0, 0.999]) == ["loss-not-decreasing"]
    assert trend(loss=[1.0, 0.5, 0.3]) == []
    assert trend(loss=[1.0, 1.2, 1.6, 2.5]) == ["loss-diverging"]
    assert trend(loss=[1.0, 0.6, 0.9, 0.5, 0.9, 0.55, 0.95]) == ["loss-oscillating"]
    assert trend(loss=[1.0, 0.5, 0.4, 0.38, 0.37, 0.371, 0.369]) == []  # converged plateau


def test_nan_loss_with_clean_inputs_names_a_cause():
    ctx = CheckContext(history={"loss": [0.9, math.nan]}, epoch=1,
                       model=chain(dense("d1"), dense("o", "softmax", 3), lr=5.0))
    (f,) = [f for f in run_checks("epoch", ctx) if f.key == "nan-loss"]
    assert "learning rate" in f.context["likely_cause"]
    ctx = CheckContext(history={"loss": [math.nan]}, epoch=0, inputs_nonfinite=True)
    (f,) = run_checks("epoch", ctx)
    assert f.key == "nan-loss" and "inputs" in f.context["likely_cause"]


def probe(epoch, **layers):
    return Probe(epoch, -1, layers={k: LayerStats(**v) for k, v in layers.items()})


def test_probe_checks_need_persistence():
    one = [probe(0, d1={"dead_fraction": 0.9})]
    assert keys("epoch", probes=one, epoch=0) == []
    two = one + [probe(1, d1={"dead_fraction": 0.95})]
    assert keys("epoch", probes=two, epoch=1) == ["dead-relu"]
    sat = [probe(i, h={"saturated_fraction": 0.97}) for i in range(2)]
    assert keys("epoch", probes=sat, epoch=1) == ["saturated-activation"]
    m = chain(dense("d1"), LayerInfo("h", "activation", "sigmoid"))  # the output layer may saturate
    assert keys("epoch", probes=sat, epoch=1, model=m) == []


def test_gradient_checks():
    def gp(epoch, first, last, norm=1.0):
        p = probe(epoch, a={"grad_rms": first}, b={"grad_rms": last})
        p.grad_order, p.grad_norm = ("a", "b"), norm
        return p

    assert keys("epoch", probes=[gp(0, 1e-9, 1e-2), gp(1, 1e-9, 1e-2)], epoch=1) == ["vanishing-gradient"]
    assert keys("epoch", probes=[gp(0, 1e-3, 1e-2), gp(1, 1e-3, 1e-2)], epoch=1) == []
    assert keys("epoch", probes=[gp(0, 1, 1, norm=1e6)], epoch=0) == ["exploding-gradient"]


def test_weights_unchanged_and_bad_initial_loss():
    assert keys("epoch", weight_change=0.0, epoch=0) == ["weights-unchanged"]
    assert keys("epoch", weight_change=1e-3, epoch=0) == []
    m = chain(dense("d1"), dense("o", "softmax", 10))
    assert keys("epoch", model=m, initial_loss=30.0, epoch=0) == ["bad-initial-loss"]
    assert keys("epoch", model=m, initial_loss=2.4, epoch=0) == []


def test_thresholds_validate_and_apply():
    with pytest.raises(ValueError, match="overfit_patience"):
        Thresholds(overfit_patience=0)
    with pytest.raises(ValueError, match="unknown name"):
        Thresholds.coerce({"nope": 1})
    ctx = CheckContext(thresholds=Thresholds(overfit_patience=1), history={"loss": [1, .8], "val_loss": [.9, 1.0]}, epoch=1)
    assert [f.key for f in run_checks("epoch", ctx)] == ["overfitting"]


def test_a_check_that_raises_becomes_an_internal_finding():
    @check("high-dropout", phase="static")
    def broken(ctx):
        """A deliberately broken check for this test (raises ZeroDivisionError)."""
        raise ZeroDivisionError("boom")

    try:
        found = run_checks("static", CheckContext(model=chain(dense("d1"), dense("o", "softmax", 3))))
        (f,) = [f for f in found if f.key == "internal-check-error"]
        assert f.severity == "warning" and "boom" in f.context["error"] and f.subject == "broken"
    finally:
        REGISTRY[:] = [c for c in REGISTRY if c.fn is not broken]


def test_only_the_chief_process_reports(monkeypatch, capsys):
    import json

    from mlnb.store import default_store
    from mlnb.umlaut import Finding, Session
    from mlnb.umlaut.adapters import is_chief

    assert is_chief()
    monkeypatch.setenv("RANK", "1")
    assert not is_chief()
    monkeypatch.setenv("RANK", "0")
    assert is_chief()
    monkeypatch.delenv("RANK")
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["a", "b"]}, "task": {"type": "worker", "index": 1}}))
    assert not is_chief()
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["a", "b"]}, "task": {"type": "worker", "index": 0}}))
    assert is_chief()

    s = Session("worker-1")
    s.chief = False
    s.start()
    s.add([Finding("high-dropout", "warning", "Dropout rate 0.8 in d", [-1], {"rate": 0.8}, None, "d")])
    s.log_epoch(0, {"loss": 1.0})
    s.flush()
    s.print_new()
    s.end()
    assert s.run_id is None and default_store().runs(tool="umlaut") == [] and capsys.readouterr().out == ""
    assert len(s.findings) == 1  # the findings are still there for the worker's own code


def test_session_merges_repeats_and_records_each_epoch(capsys):
    from mlnb.store import default_store
    from mlnb.umlaut import Finding, Session

    s = Session("merge")
    s.start()
    first = Finding("overfitting", "warning", "Possible overfitting", [3], {"a": 1})
    assert s.add([first]) == [first]
    s.log_epoch(3, {"loss": 0.5, "val_loss": float("nan"), "note": "text is skipped"})
    s.flush()
    assert s.add([Finding("overfitting", "warning", "Possible overfitting", [4], {"a": 2})]) == []
    s.log_epoch(4, {"loss": 0.4})
    s.flush()
    s.print_new()
    s.end("interrupted")
    (row,) = default_store().findings(s.run_id)
    assert row["epochs"] == [3, 4] and row["context"] == {"a": 2}
    assert default_store().run(s.run_id)["status"] == "interrupted"
    assert len(capsys.readouterr().out.splitlines()) == 1  # one line per NEW finding
    assert s.history["loss"][3:] == [0.5, 0.4] and math.isnan(s.history["loss"][0])


# -- issue 11: severity matches evidence; standard code is not flagged -------------------------
def _lr_findings(lr, optimizer):
    return [f for f in run_checks("static", CheckContext(model=chain(dense("d1"), dense("o", "softmax", 3), lr=lr,
                                                                       optimizer=optimizer)))
            if f.key == "lr-out-of-range"]


@pytest.mark.parametrize("optimizer,lr,severity", [
    ("Adadelta", 1.0, None), ("Adadelta", 50.0, "warning"), ("Adadelta", 500.0, "error"),
    ("Adagrad", 0.05, None), ("Adagrad", 0.5, "warning"),
    ("Adam", 3e-3, None), ("Adam", 0.05, "warning"), ("Adam", 0.5, "error"),
    ("SGD", 0.5, None), ("SGD", 5.0, "warning"), ("SGD", 10.0, "error"),
    ("Adam", -1e-3, "error"), ("Adadelta", 1e-9, "error"),
])
def test_lr_range_and_severity_depend_on_the_optimizer(optimizer, lr, severity):
    found = _lr_findings(lr, optimizer)
    assert [f.severity for f in found] == ([severity] if severity else []), [f.title for f in found]


def _act(name, act):
    return LayerInfo(name, "activation", activation=act, type_name="Activation")


@pytest.mark.parametrize("first,second,severity", [
    ("relu", "relu", None), ("sigmoid", "relu", None), ("softmax", "relu", None), ("relu6", "relu6", None),
    ("tanh", "tanh", "warning"), ("softmax", "softmax", "error"), ("relu", "sigmoid", "error"),
])
def test_double_activation_severity_matches_harm(first, second, severity):
    model = chain(dense("d1", first), _act("a", second), dense("o", "softmax", 3))
    found = [f for f in run_checks("static", CheckContext(model=model)) if f.key == "double-activation"]
    assert [f.severity for f in found] == ([severity] if severity else [])


def test_log_softmax_output_is_recognised_from_values():
    from mlnb.umlaut.summary import infer_output_activation

    z = np.random.default_rng(0).normal(size=(16, 10))
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    assert infer_output_activation(logp) == "log_softmax"
    assert infer_output_activation(np.exp(logp)) == "softmax"
    assert infer_output_activation(z) == "linear"
    assert infer_output_activation(-np.abs(z)) == "linear"  # all <= 0 but not normalised
    nll = LossInfo("nll_loss", "nll", "log_probabilities")
    model = chain(dense("d1"), dense("o", "linear", 10), loss=nll)
    model.layers.append(LayerInfo("m:output", "activation", activation="log_softmax", units=10,
                                  inputs=("o",), type_name="(observed output)"))
    model.outputs = ("m:output",)
    assert "missing-softmax" not in keys("static", model=model)


def test_unnormalized_regression_inputs_wait_for_evidence_from_the_loss():
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 4, (200, 1))
    x = np.concatenate([t, t**2, t**3], axis=1)
    assert check_data(x, t[:, 0], output_type="regression") == []  # a regression may converge anyway
    (g,) = check_data(x, (t[:, 0] > 2).astype(int), output_type="classification")
    assert (g.key, g.severity) == ("input-not-normalized", "error")
    falling = CheckContext(epoch=3, x=x, output_type="regression", history={"loss": [5.0, 2.0, 1.0, 0.5]})
    assert "input-not-normalized" not in {f.key for f in run_checks("epoch", falling)}
    stalled = CheckContext(epoch=3, x=x, output_type="regression", history={"loss": [1.0, 1.0, 0.999, 1.0]})
    (f,) = [f for f in run_checks("epoch", stalled) if f.key == "input-not-normalized"]
    assert f.severity == "error" and "did not decrease" in f.context["loss_trouble"]


def _revised(history, findings, epoch, **kw):
    from mlnb.umlaut.checks.revise import revise

    return revise(CheckContext(epoch=epoch, history=history, **kw), findings)


def test_trend_findings_are_withdrawn_when_later_epochs_contradict_them():
    # a slow start: flat for three epochs (the check fires), then the loss falls
    slow = {"loss": [2.30, 2.30, 2.29]}
    (stall,) = run_checks("epoch", CheckContext(epoch=2, history=slow))
    assert stall.key == "loss-not-decreasing" and stall.severity == "error"
    assert _revised(slow, [stall], 2) == []  # not contradicted yet (and not at the epoch it was raised)
    (w,) = _revised({"loss": [2.30, 2.30, 2.29, 1.2, 0.4]}, [stall], 4)
    assert w.withdrawn and w.severity == "warning" and w.title.startswith("Withdrawn at epoch 4: ")
    assert "fell" in w.context["withdrawn"] and w.context["severity_before"] == "error"
    assert _revised({"loss": [2.30, 2.30, 2.29, 1.2, 0.4]}, [w], 5) == []  # withdrawn once
    # overfitting: the validation loss returns to its best
    over = run_checks("epoch", CheckContext(epoch=4, history={"loss": [1.0, 0.8, 0.6, 0.5, 0.4],
                                                              "val_loss": [0.9, 0.8, 0.85, 0.9, 0.95]}))
    (o,) = [f for f in over if f.key == "overfitting"]
    (w,) = _revised({"loss": [1, 0.8, 0.6, 0.5, 0.4, 0.35], "val_loss": [0.9, 0.8, 0.85, 0.9, 0.95, 0.79]}, [o], 5)
    assert w.withdrawn and "back at its best" in w.context["withdrawn"]
    # the session shows the revision in place, and a returning trend raises it again
    from mlnb.umlaut import Session

    s = Session(record=False, echo=False)
    s.add([stall])
    s.add([w_ := _revised({"loss": [2.30, 2.30, 2.29, 1.2, 0.4]}, [stall], 4)[0]])
    assert len(s.findings) == 1 and s.findings[0].withdrawn and s.findings[0].severity == "warning"
    again = run_checks("epoch", CheckContext(epoch=6, history={"loss": [2.3] * 7}))
    s.add(again)
    assert not s.findings[0].withdrawn and s.findings[0].severity == "error" and w_.withdrawn


def test_oscillation_on_batch_noise_with_falling_validation_loss_is_not_flagged():
    noisy = [1.0, 1.3, 0.9, 1.25, 0.85, 1.2]
    assert keys("epoch", epoch=5, history={"loss": noisy}) == ["loss-oscillating"]
    assert keys("epoch", epoch=5, history={"loss": noisy, "val_loss": [1.0, 0.95, 0.9, 0.86, 0.83, 0.8]}) == []


def test_inherent_duplicates_make_overlap_a_warning_and_leaks_stay_errors():
    rng = np.random.default_rng(0)
    boards = rng.integers(0, 2, (600, 4))  # 16 possible rows: every row repeats
    (f,) = check_data(boards[:500], x_val=boards[500:])
    assert (f.key, f.severity) == ("train-val-overlap", "warning") and f.context["train_repeats"] > 0.9
    x = rng.normal(size=(500, 6))
    (g,) = check_data(x, x_val=x[:100])
    assert (g.key, g.severity) == ("train-val-overlap", "error")


def test_labels_that_are_not_class_ids_and_single_class_labels():
    out = chain(dense("d1"), dense("o", "softmax", 10))
    y = np.random.default_rng(0).integers(0, 10, 300)
    ctx = CheckContext(model=out, x=np.zeros((300, 4)), y=(y / 255.0).astype("float32"))
    (f,) = [f for f in run_checks("data", ctx) if f.key == "label-encoding-mismatch"]
    assert "not class ids" in f.title and f.severity == "critical"
    ctx = CheckContext(model=out, x=np.random.default_rng(1).normal(size=(300, 4)), y=np.full(300, 3), shuffled=True)
    (g,) = [f for f in run_checks("data", ctx) if f.key == "class-imbalance"]
    assert g.severity == "error" and "class 3" in g.title
    assert not [f for f in run_checks("data", CheckContext(model=out, x=ctx.x, y=y, shuffled=True))
                if f.key in ("class-imbalance", "label-encoding-mismatch")]


def test_one_unit_softmax_and_sigmoid_under_categorical_crossentropy():
    bce = LossInfo("binary_crossentropy", "binary_crossentropy", "probabilities")
    cce = LossInfo("categorical_crossentropy", "categorical_crossentropy", "probabilities")
    (f,) = [f for f in run_checks("static", CheckContext(model=chain(dense("d1"), dense("o", "softmax", 1), loss=bce)))
            if f.key == "missing-softmax"]
    assert f.severity == "error" and "always outputs 1" in f.title
    assert "missing-softmax" not in keys("static", model=chain(dense("d1"), dense("o", "sigmoid", 1), loss=bce))
    (g,) = [f for f in run_checks("static", CheckContext(model=chain(dense("d1"), dense("o", "sigmoid", 5), loss=cce)))
            if f.key == "missing-softmax"]
    assert g.severity == "warning"
    assert "missing-softmax" not in keys("static", model=chain(dense("d1"), dense("o", "softmax", 5), loss=cce))


def test_validation_split_of_sorted_data_that_leaves_one_class_is_an_error():
    rng = np.random.default_rng(0)
    y = np.sort(rng.integers(0, 3, 400))
    x = rng.normal(size=(400, 4))
    ctx = CheckContext(x=x[:320], y=y[:320], x_val=x[320:], y_val=y[320:], shuffled=True, val_from_split=True)
    (f,) = [f for f in run_checks("data", ctx) if f.key == "unshuffled-data"]
    assert f.severity == "error" and f.context["validation_classes"] == [2]
    shuffled = rng.permutation(400)
    ctx = CheckContext(x=x[shuffled][:320], y=y[shuffled][:320], x_val=x[320:], y_val=y[shuffled][320:],
                       shuffled=True, val_from_split=True)
    assert "unshuffled-data" not in {f.key for f in run_checks("data", ctx)}


def test_overfitting_is_not_raised_for_a_train_inference_gap():
    history = {"loss": [0.6, 0.47, 0.39, 0.33, 0.29, 0.26, 0.24, 0.22],
               "val_loss": [0.686, 0.67, 0.652, 0.637, 0.637, 0.645, 0.657, 0.665]}
    rising = CheckContext(epoch=7, history=history)
    assert [f.key for f in run_checks("epoch", rising) if f.key == "overfitting"] == ["overfitting"]
    # the training sample in inference mode scores like validation: BatchNorm statistics, not overfitting
    gap = CheckContext(epoch=7, history=history, inference_loss={7: 0.64})
    assert "overfitting" not in {f.key for f in run_checks("epoch", gap)}
    fits = CheckContext(epoch=7, history=history, inference_loss={7: 0.2})  # fits its training data: overfitting
    assert "overfitting" in {f.key for f in run_checks("epoch", fits)}


def test_validation_lead_while_training_accuracy_climbs_fast_is_not_suspicious():
    climbing = {"accuracy": [0.213, 0.517, 0.694, 0.788], "val_accuracy": [0.567, 0.825, 0.892, 0.9]}
    assert run_checks("epoch", CheckContext(epoch=3, history=climbing), ["suspicious-val-accuracy"]) == []
    plateau = {"accuracy": [0.7, 0.78, 0.8, 0.8, 0.8], "val_accuracy": [0.9, 0.97, 0.98, 0.98, 0.99]}
    assert run_checks("epoch", CheckContext(epoch=4, history=plateau), ["suspicious-val-accuracy"])


def test_oscillation_at_the_floor_of_a_converged_run_is_noise():
    converged = [12.0, 2.8, 1.7, 0.78, 0.65, 0.45, 0.45, 0.13, 0.39, 0.31, 0.18, 0.67, 0.19, 0.22, 0.09, 0.24]
    assert run_checks("epoch", CheckContext(epoch=15, history={"loss": converged}), ["loss-oscillating"]) == []
    bouncing = [16.2, 19.4, 11.0, 21.5, 7.2, 22.3, 5.1, 21.7, 4.4, 19.9, 4.9, 17.4]
    assert run_checks("epoch", CheckContext(epoch=11, history={"loss": bouncing}), ["loss-oscillating"])


def test_frozen_accuracy_with_a_creeping_loss_is_no_progress():
    frozen = {"loss": [0.721, 0.716, 0.713, 0.709, 0.706], "accuracy": [0.5] * 5}
    (f,) = run_checks("epoch", CheckContext(epoch=4, history=frozen), ["loss-not-decreasing"])
    assert "stuck at 0.5" in f.title
    moving = {"loss": [0.721, 0.716, 0.713, 0.709, 0.706], "accuracy": [0.5, 0.52, 0.55, 0.6, 0.62]}
    assert run_checks("epoch", CheckContext(epoch=4, history=moving), ["loss-not-decreasing"]) == []


def test_nan_in_validation_inputs_is_reported_before_training():
    x = np.random.default_rng(0).normal(size=(100, 4))
    xv = x[:20].copy()
    xv[3, 1] = np.nan
    (f,) = [f for f in check_data(x, x_val=xv) if f.key == "nonfinite-input"]
    assert f.context["data"] == ["validation"] and f.context["rows_with_nonfinite"] == 1
    assert [f.key for f in check_data(x, x_val=x[:20] + 1)] == []
