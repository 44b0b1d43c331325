"""Real (tiny) Keras trainings with UmlautCallback: clean programs stay quiet, bugs are found."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from mlnb import umlaut  # noqa: E402
from mlnb.store import default_store  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    x = d.images.astype("float32")[:600, :, :, None]  # 0..16
    y = d.target[:600].astype("int64")
    return x, y


def fit(model, x, y, epochs=3, loss="sparse_categorical_crossentropy", optimizer="adam", cb=None, **kw):
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"] if "crossentropy" in str(loss).lower() else [])
    cb = cb or umlaut.UmlautCallback(echo=False)
    model.fit(x, y, epochs=epochs, batch_size=64, verbose=0, callbacks=[cb], **kw)
    return cb.session


def serious(session):
    return sorted((f.key, f.title) for f in session.findings if f.severity in ("critical", "error"))


def test_clean_programs_raise_no_errors(digits):
    x, y = digits
    z = (x - x.mean()) / x.std()  # z-scored, values up to ~4
    # Dense(n, activation='softmax') + sparse CE, z-scored inputs, validation split
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax")])
    assert serious(fit(m, z, y, validation_split=0.2)) == []
    # from_logits=True with a linear head, no validation data
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(10)])
    s = fit(m, x / 16.0, y, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert serious(s) == [] and not any("val" in f.key for f in s.findings)
    # regression head, functional model
    inp = keras.Input((8, 8, 1))
    h = keras.layers.Dense(16, activation="relu")(keras.layers.Flatten()(inp))
    m = keras.Model(inp, keras.layers.Dense(1)(h))
    assert serious(fit(m, x / 16.0, y.astype("float32") / 9, loss="mse", validation_split=0.2)) == []
    # non-square images with a conv net
    wide = np.concatenate([x, x], axis=2) / 16.0  # 8 x 16
    m = keras.Sequential([keras.Input((8, 16, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
                          keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    s = fit(m, wide, y, cb=umlaut.UmlautCallback(input_type="image", output_type="classification", echo=False))
    assert serious(s) == [] and s.status == "finished"


def test_thesis_program_a(digits):
    """Missing softmax, dropout 0.8, unnormalized images (thesis §3.7, bugs A1–A3)."""
    x, y = digits
    x255 = (x * 255 / 16).astype("float32")
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dropout(0.8), keras.layers.Dense(10)])
    s = fit(m, x255, y, validation_split=0.2,
            cb=umlaut.UmlautCallback(input_type="image", output_type="classification", echo=False))
    found = {f.key: f for f in s.findings}
    assert {"missing-softmax", "high-dropout", "input-not-normalized"} <= set(found)
    assert found["missing-softmax"].subject == "dense_1" or found["missing-softmax"].context["output_layer"]
    assert found["high-dropout"].context["rate"] == pytest.approx(0.8)
    assert found["high-dropout"].epochs == [-1]
    loc = found["high-dropout"].location
    assert loc is not None and loc.file == __file__  # the line that built the layers


def test_negative_learning_rate_is_reported_as_negative(digits):
    x, y = digits
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
    s = fit(m, x / 16.0, y, epochs=5, optimizer=keras.optimizers.Adam(learning_rate=-1e-3))
    (lr,) = [f for f in s.findings if f.key == "lr-out-of-range"]
    assert lr.context["problem"] == "negative" and "Negative" in lr.title
    assert {"loss-diverging", "loss-not-decreasing"} & {f.key for f in s.findings}


def test_nan_loss_with_clean_inputs_is_reported_with_cause(digits):
    x, y = digits
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(1)])
    s = fit(m, x / 16.0, y.astype("float32"), epochs=2, loss="mse", optimizer=keras.optimizers.SGD(learning_rate=10.0))
    (nan,) = [f for f in s.findings if f.key == "nan-loss"]
    assert nan.severity == "critical" and "learning rate" in nan.context["likely_cause"]
    assert not nan.context["inputs_nonfinite"]


def test_datasets_generators_subclassed_and_multi_output(digits):
    import tensorflow as tf

    x, y = digits
    x = x / 16.0
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(600, seed=0).batch(64)
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    s = fit(m, ds, None, validation_data=ds.take(2))
    assert serious(s) == [] and "internal-check-error" not in {f.key for f in s.findings}

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.flat = keras.layers.Flatten()
            self.hidden = keras.layers.Dense(16, activation="relu")
            self.out = keras.layers.Dense(10)

        def call(self, inputs):
            return self.out(self.hidden(self.flat(inputs)))

    s = fit(Sub(), x, y)  # logits into a probability loss: found from the observed output
    assert "missing-softmax" in {f.key for f in s.findings}
    assert "internal-check-error" not in {f.key for f in s.findings}

    inp = keras.Input((8, 8, 1))
    h = keras.layers.Dense(16, activation="relu")(keras.layers.Flatten()(inp))
    m = keras.Model(inp, [keras.layers.Dense(10, activation="softmax", name="cls")(h), keras.layers.Dense(1, name="reg")(h)])
    m.compile("adam", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"})
    cb = umlaut.UmlautCallback(echo=False)
    m.fit(x, {"cls": y, "reg": y.astype("float32")}, epochs=2, verbose=0, callbacks=[cb])
    assert serious(cb.session) == [] and "internal-check-error" not in {f.key for f in cb.session.findings}

    def gen():
        while True:
            for i in range(0, 600, 64):
                yield x[i:i + 64], y[i:i + 64]

    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    m.compile("adam", "sparse_categorical_crossentropy")
    with umlaut.instrument(name="gen-run") as started:
        m.fit(gen(), steps_per_epoch=5, epochs=2, verbose=0)
    (s,) = started
    assert s.name.startswith("gen-run") and "missing-softmax" in {f.key for f in s.findings}


def test_store_is_written_every_epoch_and_a_broken_check_does_not_stop_training(digits):
    from mlnb.umlaut.checks import REGISTRY, check

    x, y = digits
    seen = []

    class Spy(keras.callbacks.Callback):
        def __init__(self, umlaut_cb):
            super().__init__()
            self.umlaut_cb = umlaut_cb

        def on_epoch_end(self, epoch, logs=None):
            run = self.umlaut_cb.session.run_id
            seen.append((len(default_store().metrics(run)), default_store().run(run)["status"]))

    @check("overfitting", phase="epoch")
    def explodes(ctx):
        """A deliberately broken check (raises KeyError)."""
        raise KeyError("no such metric")

    try:
        m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
        m.compile("adam", "sparse_categorical_crossentropy")
        cb = umlaut.UmlautCallback(echo=False, name="spy")
        m.fit(x / 16.0, y, epochs=3, verbose=0, callbacks=[cb, Spy(cb)])
    finally:
        REGISTRY[:] = [c for c in REGISTRY if c.fn is not explodes]
    assert seen == [(1, "running"), (2, "running"), (3, "running")]
    run = default_store().run(cb.session.run_id)
    assert run["status"] == "finished" and run["name"] == "spy"
    (internal,) = [f for f in default_store().findings(run["id"]) if f["key"] == "internal-check-error"]
    assert internal["epochs"] == [0, 1, 2] and "no such metric" in internal["context"]["error"]


def test_check_model_and_inline_output(digits, capsys):
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(32, name="hidden"),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    found = umlaut.check_model(m)
    assert [f.key for f in found] == ["missing-activation"] and found[0].subject == "hidden"
    x, y = digits
    m.fit(x / 16.0, y, epochs=1, verbose=0, callbacks=[umlaut.UmlautCallback()])
    lines = [line for line in capsys.readouterr().out.splitlines() if "missing-activation" in line]
    assert len(lines) == 1 and lines[0].startswith("UMLAUT")
