"""Every input structure Keras and PyTorch accept reaches the checks (issue 11, item 2).

Integer images and boards, dict features from ``tf.data``, tuples of inputs: the data checks see
them and the activation/gradient probes run on them. When a check cannot run it says so once, in
one line, instead of disappearing with a buried internal finding.
"""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from mlnb import umlaut  # noqa: E402

pytestmark = pytest.mark.slow


def _fit(model, x, y=None, epochs=2, **kw):
    cb = umlaut.UmlautCallback(echo=False, record=False)
    model.fit(x, y, epochs=epochs, verbose=0, callbacks=[cb], **kw)
    return cb


def _probed(cb):
    return [p for p in cb.monitor.ctx.probes if p.grad_norm is not None and p.layers]


def _internal(cb):
    return [f for f in cb.session.findings if f.key == "internal-check-error"]


def test_integer_images_and_boards_are_probed_and_checked():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (96, 8, 8, 1)).astype("uint8")
    y = rng.integers(0, 3, 96)
    # uint8 straight into a Conv2D (Keras casts at the Input): the probe used to call the layers
    # on the raw uint8 batch and crash.
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                          keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    cb = _fit(m, x, y)
    assert len(_probed(cb)) >= 2 and not _internal(cb)
    assert "input-not-normalized" in {f.key for f in cb.session.findings}  # 0..255 really is unnormalized
    # the same pixels rescaled inside the model: probed, and not "unnormalized"
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Rescaling(1 / 255),
                          keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.Flatten(),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    cb = _fit(m, x, y)
    assert len(_probed(cb)) >= 2 and not cb.session.findings
    # int32 boards (-1/0/1), also through a Sequential built without Input dtype
    boards = rng.integers(-1, 2, (96, 9)).astype("int32")
    m = keras.Sequential([keras.Input((9,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(9, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    cb = _fit(m, boards, rng.integers(0, 9, 96))
    assert len(_probed(cb)) >= 2 and not _internal(cb) and cb.monitor.ctx.x.dtype == np.int32


def test_dict_features_from_tf_data_and_tuples_of_inputs():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(1)
    a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
    h = keras.layers.Dense(8, activation="relu")(keras.layers.Concatenate()([a, b]))
    out = keras.layers.Dense(3, activation="softmax")(h)
    feats = {"a": (rng.normal(size=(128, 4)) * 500).astype("float32"), "b": rng.normal(size=(128, 2)).astype("float32")}
    labels = rng.integers(0, 3, 128)
    m = keras.Model({"a": a, "b": b}, out)
    m.compile("adam", "sparse_categorical_crossentropy")
    cb = _fit(m, tf.data.Dataset.from_tensor_slices((feats, labels)).batch(32))
    assert len(_probed(cb)) >= 2 and not _internal(cb)
    x = cb.monitor.ctx.x
    assert x.shape[1] == 6 and len(x) == len(cb.monitor.ctx.y)  # both inputs, every sampled batch
    (f,) = [f for f in cb.session.findings if f.key == "input-not-normalized"]  # feature "a" is x500
    # a tuple of inputs given to fit directly
    m = keras.Model([a, b], out)
    m.compile("adam", "sparse_categorical_crossentropy")
    cb = _fit(m, (feats["a"] / 500, feats["b"]), labels)
    assert len(_probed(cb)) >= 2 and not _internal(cb) and cb.monitor.ctx.x.shape == (128, 6)
    assert not cb.session.findings


def test_a_probe_that_cannot_run_says_so_once(monkeypatch):
    from mlnb.umlaut.adapters import keras as adapter

    rng = np.random.default_rng(2)
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    calls = []

    def broken(self, epoch):
        calls.append(epoch)
        raise ValueError("an input structure the probe does not know")

    monkeypatch.setattr(adapter.UmlautCallback, "_probe", broken)
    cb = _fit(m, rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, 64), epochs=3)
    (f,) = _internal(cb)
    assert calls == [-1]  # not retried every epoch
    assert "Activation and gradient checks are off for this run" in f.title and "dead-relu" in f.title
    assert f.context["checks_off"] == ["dead-relu", "saturated-activation", "vanishing-gradient", "exploding-gradient"]
    assert f.context["inputs"] == "(64, 4) float32"  # the probe's sample: probe_rows of the inputs
    assert cb.session.status == "finished"


def test_no_labels_is_said_once_in_one_line(capsys):
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(3)

    class Auto(keras.Model):  # a custom train_step on unlabelled data, as in the Keras VAE example
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(4)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(data, training=True) - data))
            self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
            return {"loss": loss}

    m = Auto()
    m.compile("adam")
    cb = umlaut.UmlautCallback()
    m.fit(rng.normal(size=(64, 4)).astype("float32"), epochs=3, verbose=0, callbacks=[cb])
    lines = [line for line in capsys.readouterr().out.splitlines() if "checks are off" in line]
    assert lines == ["UMLAUT: activation and gradient checks are off for this run: "
                     "the training data carries no labels to compute the loss on"]
    assert not _internal(cb) and cb.session.status == "finished"


def test_torch_dict_batches_reach_the_data_checks():
    torch = pytest.importorskip("torch")

    class TwoInputs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(6, 3)

        def forward(self, batch):
            return self.fc(torch.cat([batch["a"], batch["b"]], dim=1))

    torch.manual_seed(0)
    model = TwoInputs()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    mon = umlaut.TorchMonitor(model, opt, torch.nn.CrossEntropyLoss(), echo=False, record=False)
    for _ in range(3):
        batch = {"a": torch.randn(32, 4) * 500, "b": torch.randn(32, 2)}
        target = torch.randint(0, 3, (32,))
        opt.zero_grad()
        out = model(batch)
        loss = torch.nn.functional.cross_entropy(out, target)
        loss.backward()
        opt.step()
        mon.batch(loss=loss, inputs=batch, targets=target, outputs=out)
    mon.epoch()
    mon.close()
    assert mon.monitor.ctx.x.shape == (96, 6)
    assert "input-not-normalized" in {f.key for f in mon.findings}
