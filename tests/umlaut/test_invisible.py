"""The layer-location recorder (``%load_ext mlnb`` / ``import mlnb.umlaut``) must be invisible.

It wraps ``keras.layers.Layer.__init__`` and ``torch.nn.Module.__init__``. Keras 3 inspects
constructors to build configs (``Operation.__new__``), so a wrapper that looks different from the
original broke ``model.save``, ``save_weights`` and every ``ModelCheckpoint`` with
``KeyError: 'args'``. These tests save, load, clone, export, pickle and compile real models with the
recorder on and an UMLAUT callback attached, compare constructor introspection with and without the
recorder, and check that locations are still recorded.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import pickle

import numpy as np
import pytest

from mlnb import umlaut
from mlnb.umlaut import locate

try:
    import torch as _torch
except ImportError:  # the torch tests skip through their fixture
    _torch = None

pytestmark = pytest.mark.slow

HERE = __file__


def _line_of(text: str) -> int:
    """The line of this file that contains ``text`` (so the test survives edits above it)."""
    with open(HERE) as f:
        for i, line in enumerate(f, start=1):
            if text in line and "_line_of" not in line:
                return i
    raise AssertionError(text)


@contextlib.contextmanager
def recorder_off(cls):
    """Temporarily put the framework's own ``__init__`` back, to compare against it."""
    wrapped = cls.__dict__["__init__"]
    assert getattr(wrapped, "_mlnb_wrapped", False), "the recorder is not installed"
    cls.__init__ = wrapped._mlnb_original
    try:
        yield
    finally:
        cls.__init__ = wrapped


# ----------------------------------------------------------------------------------------- Keras


@pytest.fixture(scope="module")
def keras():
    keras = pytest.importorskip("keras")
    locate.install()
    assert getattr(keras.layers.Layer.__dict__["__init__"], "_mlnb_wrapped", False)
    return keras


@pytest.fixture(scope="module")
def custom_layers(keras):
    """Custom layers with every kind of ``__init__`` signature users write."""

    @keras.saving.register_keras_serializable(package="mlnb_test")
    class NoInit(keras.layers.Layer):  # inherits Layer.__init__ itself: the case that raised
        def call(self, x):
            return x * 2.0

    @keras.saving.register_keras_serializable(package="mlnb_test")
    class AutoConfig(keras.layers.Layer):  # no get_config: Keras builds it from __init__'s arguments
        def __init__(self, units, scale=1.5, **kwargs):
            super().__init__(**kwargs)
            self.units, self.scale = units, scale

        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1], self.units), initializer="ones")

        def call(self, x):
            return self.scale * (x @ self.w)

    @keras.saving.register_keras_serializable(package="mlnb_test")
    class VarArgs(keras.layers.Layer):
        def __init__(self, units, *args, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def call(self, x):
            return x[..., : self.units]

    @keras.saving.register_keras_serializable(package="mlnb_test")
    class KeywordOnly(keras.layers.Layer):
        def __init__(self, *, factor=3.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    @keras.saving.register_keras_serializable(package="mlnb_test")
    class PositionalOnly(keras.layers.Layer):
        def __init__(self, factor, /, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    @keras.saving.register_keras_serializable(package="mlnb_test")
    class WithConfig(keras.layers.Layer):  # the documented way, with sub-layers built in __init__
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.inner = keras.layers.Dense(units, activation="relu")

        def call(self, x):
            return self.inner(x)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return {c.__name__: c for c in (NoInit, AutoConfig, VarArgs, KeywordOnly, PositionalOnly, WithConfig)}


def _introspection(keras, cls, *args, **kwargs):
    """What Keras sees of a layer class and of an instance built with these arguments."""
    layer = cls(*args, **kwargs)
    try:
        config = layer.get_config()
        config.pop("name", None)
    except NotImplementedError as exc:
        config = f"NotImplementedError: {str(exc)[:60]}"
    return (inspect.getfullargspec(cls.__init__), inspect.signature(cls.__init__),
            getattr(layer, "_auto_config_error_args", False), config)


def test_constructor_introspection_is_unchanged(keras, custom_layers):
    cases = [(keras.layers.Layer, (), {}), (keras.layers.Dense, (3,), {"activation": "relu"}),
             (keras.layers.Dropout, (0.2,), {}), (custom_layers["NoInit"], (), {}),
             (custom_layers["AutoConfig"], (4,), {"scale": 2.0}), (custom_layers["VarArgs"], (2,), {}),
             (custom_layers["VarArgs"], (2, "extra"), {}), (custom_layers["KeywordOnly"], (), {"factor": 2.0}),
             (custom_layers["PositionalOnly"], (2.0,), {}), (custom_layers["WithConfig"], (3,), {})]
    for cls, args, kwargs in cases:
        with_recorder = _introspection(keras, cls, *args, **kwargs)
        with recorder_off(keras.layers.Layer):
            without = _introspection(keras, cls, *args, **kwargs)
        assert with_recorder == without, cls.__name__


def _model(keras, custom_layers):
    inp = keras.Input((6,))
    h = keras.layers.Dense(8, activation="relu", name="hidden")(inp)
    h = custom_layers["NoInit"]()(h)
    h = custom_layers["AutoConfig"](4, scale=0.5)(h)
    h = custom_layers["KeywordOnly"](factor=2.0)(h)
    h = custom_layers["WithConfig"](5)(h)
    out = keras.layers.Dense(3, activation="softmax", name="head")(h)
    return keras.Model(inp, out)


@pytest.fixture(scope="module")
def trained(keras, custom_layers, tmp_path_factory):
    """A model with custom layers trained with UMLAUT and two checkpoints attached."""
    tmp = tmp_path_factory.mktemp("keras_save")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(96, 6)).astype("float32"), rng.integers(0, 3, 96)
    model = _model(keras, custom_layers)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = umlaut.UmlautCallback(echo=False)
    checkpoints = [keras.callbacks.ModelCheckpoint(str(tmp / "best.keras"), monitor="val_loss", save_best_only=True),
                   keras.callbacks.ModelCheckpoint(str(tmp / "epoch{epoch}.weights.h5"), save_weights_only=True)]
    model.fit(x, y, validation_split=0.25, epochs=2, batch_size=16, verbose=0, callbacks=[cb, *checkpoints])
    return model, x, tmp, cb


def test_checkpoints_save_and_load_with_a_callback_attached(keras, trained):
    model, x, tmp, cb = trained
    assert cb.session.status == "finished"
    assert not [f for f in cb.session.findings if f.key == "internal-error"]
    assert (tmp / "best.keras").exists() and (tmp / "epoch2.weights.h5").exists()
    best = keras.saving.load_model(tmp / "best.keras")
    assert [layer.__class__.__name__ for layer in best.layers] == [layer.__class__.__name__ for layer in model.layers]
    fresh = keras.models.clone_model(model)
    fresh.load_weights(tmp / "epoch2.weights.h5")
    np.testing.assert_allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_save_load_weights_config_clone(keras, trained):
    model, x, tmp, _ = trained
    expected = model.predict(x, verbose=0)
    model.save(tmp / "m.keras")
    loaded = keras.saving.load_model(tmp / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.save_weights(tmp / "w.weights.h5")
    again = keras.Model.from_config(model.get_config())
    again.load_weights(tmp / "w.weights.h5")
    np.testing.assert_allclose(again.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    seq = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
    assert keras.Sequential.from_config(seq.get_config()).get_config() == seq.get_config()
    clone = keras.models.clone_model(seq)
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in seq.layers]


def test_pickle_and_deepcopy(keras, trained):
    model, x, _, _ = trained
    expected = model.predict(x, verbose=0)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(model)).predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    layer = copy.deepcopy(model.get_layer("hidden"))
    assert layer.get_config()["units"] == 8


def test_savedmodel_export(keras, trained):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("SavedModel export needs the TensorFlow backend")
    tf = pytest.importorskip("tensorflow")
    model, x, tmp, _ = trained
    model.export(str(tmp / "exported"), verbose=False)
    served = tf.saved_model.load(str(tmp / "exported"))
    np.testing.assert_allclose(np.asarray(served.serve(x)), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_keras_locations_are_still_recorded(keras, custom_layers):
    dense = keras.layers.Dense(2)  # located here
    custom = custom_layers["AutoConfig"](2)  # located here too
    loc = locate.creation_location(dense)
    assert loc is not None and loc.file == HERE and loc.line == _line_of("dense = keras.layers.Dense(2)")
    assert locate.creation_location(custom).line == _line_of("custom = custom_layers[")


# ----------------------------------------------------------------------------------------- torch


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    locate.install()
    assert getattr(torch.nn.Module.__dict__["__init__"], "_mlnb_wrapped", False)
    return torch


def _torch_net(torch):
    return Net


if _torch is not None:

    class Net(_torch.nn.Module):
        """Positional-only, default and keyword-only arguments; defined at module level so
        ``torch.save(model)`` and pickle find it by reference."""

        def __init__(self, hidden, /, out=3, *, act=None):
            super().__init__()
            self.fc1, self.fc2 = _torch.nn.Linear(6, hidden), _torch.nn.Linear(hidden, out)
            self.act = act or _torch.nn.ReLU()

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))


def test_torch_introspection_is_unchanged(torch):
    nn = torch.nn
    Net = _torch_net(torch)
    with_recorder = [inspect.getfullargspec(c.__init__) for c in (nn.Module, nn.Linear, Net)]
    with recorder_off(nn.Module):
        without = [inspect.getfullargspec(c.__init__) for c in (nn.Module, nn.Linear, Net)]
    assert with_recorder == without
    assert inspect.signature(nn.Module.__init__) == inspect.signature(nn.Module.__init__._mlnb_original)


def test_torch_save_load_pickle_compile_with_a_monitor(torch, tmp_path):
    Net = _torch_net(torch)
    torch.manual_seed(0)
    model = Net(8, out=3)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = torch.nn.CrossEntropyLoss()
    mon = umlaut.TorchMonitor(model, optimizer=opt, loss_fn=loss_fn, echo=False)
    x, y = torch.randn(64, 6), torch.randint(0, 3, (64,))
    for epoch in range(2):
        for i in range(0, 64, 16):
            opt.zero_grad()
            out = model(x[i:i + 16])
            loss = loss_fn(out, y[i:i + 16])
            loss.backward()
            opt.step()
            mon.batch(loss=loss, inputs=x[i:i + 16], targets=y[i:i + 16], outputs=out)
        mon.epoch(loss=float(loss))
        torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / f"ckpt{epoch}.pt")
    assert not [f for f in mon.session.findings if f.key == "internal-error"]
    expected = model(x).detach()

    torch.save(model, tmp_path / "whole.pt")
    whole = torch.load(tmp_path / "whole.pt", weights_only=False)
    assert torch.allclose(whole(x), expected)
    fresh = Net(8, out=3)
    fresh.load_state_dict(torch.load(tmp_path / "ckpt1.pt")["model"])
    assert torch.allclose(fresh(x), expected)
    assert torch.allclose(pickle.loads(pickle.dumps(model))(x), expected)
    assert torch.allclose(copy.deepcopy(model)(x), expected)
    scripted = torch.jit.script(torch.nn.Sequential(torch.nn.Linear(6, 2), torch.nn.ReLU()))
    assert tuple(scripted(x).shape) == (64, 2)
    # torch.compile traces through Python (dynamo); aot_eager exercises the tracing without the
    # slow C++ code generation of the default backend.
    compiled = torch.compile(model, backend="aot_eager")
    assert torch.allclose(compiled(x), expected, atol=1e-6)


def test_torch_locations_are_still_recorded(torch):
    Net = _torch_net(torch)
    net = Net(4)  # located here
    loc = locate.creation_location(net)
    assert loc is not None and loc.file == HERE and loc.line == _line_of("net = Net(4)  # located here")
