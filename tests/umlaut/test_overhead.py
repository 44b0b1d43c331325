"""How UMLAUT keeps its own cost low (issue 11, speed) without missing what it checks.

The schedule and the shortcuts are tested here; the cost itself is measured by
``benchmarks/umlaut_overhead.py`` (no timed assertion in a test):

- Keras: the callback lets Keras dispatch its batch hooks asynchronously unless a dashboard listens;
  a fit of enough epochs compiles its probe once (same statistics as the eager probe, and the
  probe-based checks still fire); probes run on the first epochs always, later ones within budget.
- PyTorch: batch losses stay on the device and are read in blocks (the mean and the first
  non-finite batch are exact); later epochs are probed at their first batch only.
- Both: UMLAUT's own clock, ``session.hook_seconds``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlnb import umlaut

pytestmark = pytest.mark.slow


# -- Keras ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _mlp(keras, act="relu", seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation=act),
                             keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(3, activation="softmax")])


def _data(n=128, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 8)).astype("float32"), rng.integers(0, 3, n)


def test_keras_batch_hooks_are_async_unless_a_dashboard_listens(keras):
    cb = umlaut.UmlautCallback(echo=False, record=False)
    assert cb.async_safe  # nothing reads the running loss: Keras need not wait for every step's logs
    listening = umlaut.Session(record=False, echo=False)
    listening.observe(lambda *a, **k: None, ["batch"])
    cb = umlaut.UmlautCallback(session=listening, echo=False, record=False)
    assert not cb.async_safe
    # and Keras reads the flag when it builds its callback list (backends it calls thread-safe only:
    # JAX, PyTorch, NumPy; with TensorFlow every batch hook runs on the training thread anyway)
    from keras.src.callbacks.callback_list import CallbackList

    threads = keras.backend.backend() != "tensorflow"
    assert CallbackList([umlaut.UmlautCallback(echo=False, record=False)])._async_train == threads
    assert not CallbackList([cb])._async_train


def test_keras_long_fit_compiles_its_probe_once_with_the_eager_statistics(keras):
    from mlnb.umlaut.adapters.keras import COMPILE_FROM_EPOCHS

    tf = pytest.importorskip("tensorflow")
    x, y = _data()
    m = _mlp(keras)
    m.compile("adam", "sparse_categorical_crossentropy")
    cb = umlaut.UmlautCallback(echo=False, record=False, thresholds={"probe_budget": 1.0})
    m.fit(x, y, epochs=COMPILE_FROM_EPOCHS, batch_size=32, verbose=0, callbacks=[cb])
    assert isinstance(cb._probe_fn, tf.types.experimental.PolymorphicFunction)
    assert cb._probe_fn.experimental_get_tracing_count() == 1  # traced once, reused every epoch
    assert [p.epoch for p in cb.monitor.ctx.probes] == list(range(COMPILE_FROM_EPOCHS))
    compiled, eager = cb._probe_compiled(9), cb._probe_eager(9)
    assert compiled.loss == pytest.approx(eager.loss, rel=1e-4)
    assert compiled.grad_norm == pytest.approx(eager.grad_norm, rel=1e-3)
    assert compiled.grad_order == eager.grad_order
    assert set(compiled.layers) == set(eager.layers)
    for name, stats in compiled.layers.items():
        for field in ("dead_fraction", "saturated_fraction", "grad_rms"):
            a, b = getattr(stats, field), getattr(eager.layers[name], field)
            assert (a is None) == (b is None) and (a is None or a == pytest.approx(b, rel=1e-3, abs=1e-7)), (name, field)


def test_keras_short_fit_probes_eagerly(keras):
    x, y = _data()
    m = _mlp(keras)
    m.compile("adam", "sparse_categorical_crossentropy")
    cb = umlaut.UmlautCallback(echo=False, record=False)
    m.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[cb])
    assert cb._probe_fn is None  # tracing would cost more than it saves in two epochs
    assert [p.epoch for p in cb.monitor.ctx.probes] == [0, 1]


def test_keras_compiled_probe_still_finds_dead_relus(keras):
    from mlnb.umlaut.adapters.keras import COMPILE_FROM_EPOCHS

    x, y = _data(256)
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((8,)),
                          keras.layers.Dense(32, activation="relu", bias_initializer=keras.initializers.Constant(-50.0)),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    cb = umlaut.UmlautCallback(echo=False, record=False)
    m.fit(x, y, epochs=COMPILE_FROM_EPOCHS, batch_size=32, verbose=0, callbacks=[cb])
    assert cb._probe_fn not in (None, False)
    assert "dead-relu" in {f.key for f in cb.session.findings}


def test_keras_later_epochs_are_probed_within_the_budget(keras):
    x, y = _data()
    m = _mlp(keras)
    m.compile("adam", "sparse_categorical_crossentropy")
    cb = umlaut.UmlautCallback(echo=False, record=False, thresholds={"probe_budget": 0.0, "probe_patience": 2})
    m.fit(x, y, epochs=6, batch_size=32, verbose=0, callbacks=[cb])
    # the first probe_patience + 1 epochs always (a probe finding needs probe_patience probes in a row)
    assert [p.epoch for p in cb.monitor.ctx.probes] == [0, 1, 2]
    assert cb.session.hook_seconds > 0  # UMLAUT's own clock ran


# -- PyTorch -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def _torch_loop(torch, mon, model, opt, batches, epochs, nan_at=None):
    torch.manual_seed(0)
    x, y = torch.randn(batches * 8, 6), torch.randint(0, 3, (batches * 8,))
    losses = []
    for e in range(epochs):
        epoch_losses = []
        for b in range(batches):
            xb, yb = x[b * 8:(b + 1) * 8], y[b * 8:(b + 1) * 8]
            out = model(xb)
            loss = torch.nn.functional.cross_entropy(out, yb)
            if nan_at == (e, b):
                loss = loss * float("nan")
            opt.zero_grad()
            loss.backward()
            opt.step()
            mon.batch(loss=loss, inputs=xb, targets=yb, outputs=out)
            epoch_losses.append(float(loss.detach()))
        mon.epoch()
        losses.append(epoch_losses)
    return losses


def _torch_model(torch):
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    return m, torch.optim.SGD(m.parameters(), lr=0.05)


def test_torch_probes_every_probe_every_batches_then_first_batch_of_each_epoch(torch, monkeypatch):
    from mlnb.umlaut.adapters.torch import TorchMonitor

    probed = []
    original = TorchMonitor._probe

    def spy(self):
        probed.append((self._epoch, self._epoch_batches))
        return original(self)

    monkeypatch.setattr(TorchMonitor, "_probe", spy)
    m, opt = _torch_model(torch)
    mon = TorchMonitor(m, opt, torch.nn.CrossEntropyLoss(), echo=False, record=False, thresholds={"probe_every": 5})
    _torch_loop(torch, mon, m, opt, batches=12, epochs=3)
    mon.close()
    assert probed == [(0, 0), (0, 5), (0, 10), (1, 0), (2, 0)]
    # every epoch's checks got one probe with statistics of the ReLU and every layer's gradient
    assert [p.epoch for p in mon.monitor.ctx.probes] == [0, 1, 2]
    last = mon.monitor.ctx.probes[-1]
    assert last.layers["1"].dead_fraction is not None and last.grad_order == ("0", "2")


def test_torch_losses_read_in_blocks_give_the_exact_mean_and_first_nan_batch(torch):
    from mlnb.umlaut.adapters.torch import TorchMonitor

    m, opt = _torch_model(torch)
    mon = TorchMonitor(m, opt, torch.nn.CrossEntropyLoss(), echo=False, record=False)
    losses = _torch_loop(torch, mon, m, opt, batches=150, epochs=1)
    assert len(mon._losses) == 0  # read at the epoch's end
    assert mon.session.history["loss"][0] == pytest.approx(np.mean(losses[0]), rel=1e-6)
    mon.close()
    m, opt = _torch_model(torch)
    mon = TorchMonitor(m, opt, torch.nn.CrossEntropyLoss(), echo=False, record=False)
    _torch_loop(torch, mon, m, opt, batches=150, epochs=2, nan_at=(1, 70))  # in the second block of 64
    mon.close()
    assert mon.monitor.ctx.nonfinite_loss == {"epoch": 1, "value": "nan", "batch": 70}
    assert "nan-loss" in {f.key for f in mon.session.findings}
    assert mon.session.hook_seconds > 0


def test_torch_a_batch_the_monitor_cannot_read_does_not_stop_training(torch):
    from mlnb.umlaut.adapters.torch import TorchMonitor

    class Odd:  # neither a tensor nor a number
        pass

    m, _ = _torch_model(torch)
    mon = TorchMonitor(m, echo=False, record=False)
    for _ in range(3):
        mon.batch(loss=Odd(), inputs=torch.zeros(4, 6))
    mon.close()
    internal = [f for f in mon.session.findings if f.key == "internal-check-error" and f.subject == "batch_loss"]
    assert len(internal) == 1  # said once, not once per batch
    assert mon.session.status == "finished" and not math.isnan(mon.session.hook_seconds)


def test_torch_nan_in_one_input_batch_is_named_as_the_cause_of_the_nan_loss(torch):
    # The data checks sample the first batches only; a NaN in a later batch is found where the loss
    # first goes NaN (the hot path reads a host loss at once and then looks at that batch's inputs).
    from mlnb.umlaut.adapters.torch import TorchMonitor

    m, opt = _torch_model(torch)
    mon = TorchMonitor(m, opt, torch.nn.CrossEntropyLoss(), echo=False, record=False)
    torch.manual_seed(0)
    x, y = torch.randn(40 * 8, 6), torch.randint(0, 3, (40 * 8,))
    x[30 * 8 + 3, 2] = float("nan")
    for _ in range(2):
        for b in range(40):
            xb, yb = x[b * 8:(b + 1) * 8], y[b * 8:(b + 1) * 8]
            out = m(xb)
            loss = torch.nn.functional.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            mon.batch(loss=loss, inputs=xb, targets=yb, outputs=out)
        mon.epoch()
    mon.close()
    assert mon.monitor.ctx.nonfinite_loss == {"epoch": 0, "value": "nan", "batch": 30}
    (nan,) = [f for f in mon.session.findings if f.key == "nan-loss"]
    assert nan.context["inputs_nonfinite"] and "inputs contain NaN" in nan.context["likely_cause"]
