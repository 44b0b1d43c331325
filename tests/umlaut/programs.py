"""A zoo of small, real training programs for validating UMLAUT.

Each program is what a developer would write in a notebook cell: it makes its data in code (or
loads scikit-learn's bundled digits), builds a tiny Keras or PyTorch model, attaches UMLAUT through
the public API only and really trains for a few epochs (seconds on one CPU thread). A program returns
a :class:`Run` holding the findings of that one session and the per-epoch history.

Buggy programs carry the one mistake named in ``bug`` and the catalog key UMLAUT must raise for it
(``expected``). ``related`` lists keys that are honest consequences of the *same* mistake (a learning
rate of -0.01 also makes the loss rise); any other error or critical key on a buggy program is a
wrong key. Clean programs (``expected is None``) must get no error or critical finding.

Every program can also run without UMLAUT (``run(umlaut=False)``), which is how one checks that the
bug really shows in the numbers (the loss really goes NaN, the accuracy really stalls).

    >>> from programs import PROGRAMS      # with tests/umlaut on sys.path, as pytest puts it
    >>> run = PROGRAMS["missing-softmax"].run()
    >>> sorted({f.key for f in run.findings})
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

# Single-threaded math before any framework is imported: the box has 2 shared cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """What one program run produced."""

    findings: list  # list[umlaut.Finding]; empty when run without UMLAUT
    history: list[dict[str, float]]  # one dict per epoch: loss, val_loss, accuracy, ...
    seconds: float = 0.0

    @property
    def keys(self) -> set[str]:
        return {f.key for f in self.findings}

    def keys_of(self, *severities: str) -> set[str]:
        return {f.key for f in self.findings if f.severity in severities}


@dataclass(frozen=True)
class Program:
    name: str
    framework: str  # 'keras' | 'torch'
    expected: str | None  # catalog key the bug must raise; None for a clean program
    bug: str  # the developer's mistake, in one line ('' for clean programs)
    fn: Callable[[bool], tuple[list, list[dict[str, float]]]] = field(repr=False)
    related: tuple[str, ...] = ()  # keys that are honest consequences of the same mistake
    mention: str | None = None  # a word the expected finding's title or context must contain

    @property
    def clean(self) -> bool:
        return self.expected is None

    def run(self, umlaut: bool = True) -> Run:
        """Train the program once (with UMLAUT attached unless ``umlaut=False``)."""
        start = time.perf_counter()
        findings, history = self.fn(umlaut)
        return Run(list(findings), history, time.perf_counter() - start)


PROGRAMS: dict[str, Program] = {}


def _program(name: str, framework: str, expected: str | None = None, bug: str = "",
             related: tuple[str, ...] = (), mention: str | None = None):
    def register(fn):
        assert name not in PROGRAMS, name
        PROGRAMS[name] = Program(name, framework, expected, bug, fn, related, mention)
        return fn
    return register


def buggy() -> list[Program]:
    return [p for p in PROGRAMS.values() if not p.clean]


def clean() -> list[Program]:
    return [p for p in PROGRAMS.values() if p.clean]


# Keys with no buggy user program: raised only when one of mlnb's own checks crashes.
NOT_PROGRAMMABLE = ("internal-check-error",)


# --------------------------------------------------------------------------------------------
# Frameworks and data
# --------------------------------------------------------------------------------------------

_KERAS_READY = False


def _keras(seed: int = 0):
    """Import keras with one TF thread and seed every generator."""
    global _KERAS_READY
    import keras

    if not _KERAS_READY:
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # TF already initialised by someone else: keep its setting
            pass
        _KERAS_READY = True
    keras.utils.set_random_seed(seed)
    return keras


def _torch(seed: int = 0):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    return torch


def _umlaut():
    from mlnb import umlaut

    return umlaut


_DIGITS: tuple[np.ndarray, np.ndarray] | None = None


def digits(n_train: int = 384, n_val: int = 128, scale: str = "z", seed: int = 0):
    """sklearn's 8x8 digits as flat features, split into train/val.

    scale: 'z' (z-scored with train statistics, as StandardScaler does: constant pixels stay 0),
    'unit' (pixels / 16), 'raw' (0..16).
    """
    global _DIGITS
    if _DIGITS is None:
        from sklearn.datasets import load_digits

        x, y = load_digits(return_X_y=True)
        _DIGITS = x.astype("float32"), y.astype("int64")
    x, y = _DIGITS
    order = np.random.default_rng(seed).permutation(len(x))[: n_train + n_val]
    x, y = x[order], y[order]
    if scale == "z":
        mean, std = x[:n_train].mean(0), x[:n_train].std(0)
        x = (x - mean) / np.where(std > 0, std, 1.0)
    elif scale == "unit":
        x = x / 16.0
    return (x[:n_train].astype("float32"), y[:n_train], x[n_train:].astype("float32"), y[n_train:])


def shapes(n: int, height: int, width: int, channels: int = 1, classes: int = 4, seed: int = 0):
    """A learnable synthetic image task: each class is a bright bar (horizontal / vertical / two
    diagonals, then repeated with a second colour) at a random position, on a noisy background.
    Returns uint8-range float32 pixels 0..255 in NHWC and int labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.normal(60, 20, (n, height, width, channels))
    rows, cols = np.mgrid[0:height, 0:width]
    for i, label in enumerate(y):
        kind = label % 4
        r, c = rng.integers(2, height - 2), rng.integers(2, width - 2)
        if kind == 0:
            mask = np.abs(rows - r) <= 1
        elif kind == 1:
            mask = np.abs(cols - c) <= 1
        elif kind == 2:
            mask = np.abs((rows - r) - (cols - c)) <= 1
        else:
            mask = np.abs((rows - r) + (cols - c)) <= 1
        colour = np.full(channels, 200.0)
        if channels > 1 and label >= 4:  # classes 4.. reuse the shapes in another colour
            colour = np.roll(np.array([230.0] + [70.0] * (channels - 1)), label - 4)
        x[i][mask] = colour
    return np.clip(x, 0, 255).astype("float32"), y.astype("int64")


def _history(h) -> list[dict[str, float]]:
    """Keras History -> one dict per epoch."""
    n = len(h.epoch)
    return [{k: float(v[i]) for k, v in h.history.items()} for i in range(n)]


def _fit_keras(model, x, y, umlaut: bool, *, input_type=None, output_type=None, **fit) -> tuple[list, list]:
    """model.fit with an UmlautCallback (the thesis's three added lines) or without."""
    callbacks = list(fit.pop("callbacks", []))
    cb = None
    if umlaut:
        cb = _umlaut().UmlautCallback(model, input_type=input_type, output_type=output_type)
        callbacks.append(cb)
    fit.setdefault("verbose", 0)
    h = model.fit(x, y, callbacks=callbacks, **fit)
    return (list(cb.session.findings) if cb else []), _history(h)


def _train_torch(model, optimizer, loss_fn, x, y, umlaut: bool, *, epochs: int, batch_size: int = 32,
                 x_val=None, y_val=None, shuffle: bool = True, step: bool = True, classify: bool = True,
                 input_type=None, output_type=None, seed: int = 0) -> tuple[list, list]:
    """A plain PyTorch training loop with a TorchMonitor attached (or not).

    step=False reproduces a loop that forgot ``optimizer.step()``."""
    torch = _torch(seed)
    x, y = torch.as_tensor(x), torch.as_tensor(y)
    mon = None
    if umlaut:
        mon = _umlaut().TorchMonitor(model, optimizer=optimizer, loss_fn=loss_fn,
                                     input_type=input_type, output_type=output_type)
    generator = torch.Generator().manual_seed(seed)
    history = []
    try:
        for _ in range(epochs):
            model.train()
            order = torch.randperm(len(x), generator=generator) if shuffle else torch.arange(len(x))
            total, correct, seen = 0.0, 0, 0
            for start in range(0, len(x), batch_size):
                idx = order[start:start + batch_size]
                xb, yb = x[idx], y[idx]
                out = model(xb)
                loss = loss_fn(out, yb)
                optimizer.zero_grad()
                loss.backward()
                if step:
                    optimizer.step()
                if mon:
                    mon.batch(loss=loss, inputs=xb, targets=yb, outputs=out)
                total += float(loss.detach()) * len(idx)
                seen += len(idx)
                if classify:
                    correct += int((out.detach().argmax(1) == yb).sum())
            row = {"loss": total / seen}
            if classify:
                row["accuracy"] = correct / seen
            if x_val is not None:
                model.eval()
                with torch.no_grad():
                    xv, yv = torch.as_tensor(x_val), torch.as_tensor(y_val)
                    out = model(xv)
                    row["val_loss"] = float(loss_fn(out, yv))
                    if classify:
                        row["val_accuracy"] = float((out.argmax(1) == yv).float().mean())
            history.append(row)
            if mon:
                mon.epoch(**row)
    finally:
        if mon:
            mon.close()
    return (list(mon.session.findings) if mon else []), history


def _mlp(torch, sizes, act="relu", last_act=None):
    layers: list[Any] = []
    acts = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(acts[act]())
    if last_act is not None:
        layers.append(last_act)
    return torch.nn.Sequential(*layers)


# --------------------------------------------------------------------------------------------
# Clean programs
# --------------------------------------------------------------------------------------------


@_program("clean-keras-mlp-digits", "keras")
def _clean_keras_mlp(umlaut):
    """Z-scored digits (StandardScaler leaves the always-blank corner pixels at 0), the standard
    Dense(softmax) + sparse cross-entropy idiom, a held-out validation set."""
    keras = _keras()
    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, output_type="classification", validation_data=(xv, yv),
                      epochs=8, batch_size=32)


@_program("clean-keras-cnn-nonsquare", "keras")
def _clean_keras_cnn(umlaut):
    """A CNN on 16x24 (non-square) grey images scaled to [0, 1], logits + from_logits=True."""
    keras = _keras()
    x, y = shapes(320, 16, 24, 1, classes=4)
    x = x / 255.0
    model = keras.Sequential([
        keras.Input((16, 24, 1)),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.GlobalMaxPooling2D(),
        keras.layers.Dense(4),
    ])
    model.compile(keras.optimizers.Adam(3e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, input_type="image", output_type="classification",
                      validation_split=0.25, epochs=6, batch_size=32)


@_program("clean-keras-functional-multioutput", "keras")
def _clean_keras_functional(umlaut):
    """Functional model with two heads (digit class + amount of ink), no validation data."""
    keras = _keras()
    x, y, _, _ = digits()
    raw, _, _, _ = digits(scale="raw")
    ink = raw.sum(1, keepdims=True)
    ink = (ink - ink.mean()) / ink.std()
    inputs = keras.Input((64,), name="pixels")
    hidden = keras.layers.Dense(32, activation="relu")(inputs)
    digit = keras.layers.Dense(10, activation="softmax", name="digit")(hidden)
    amount = keras.layers.Dense(1, name="ink")(hidden)
    model = keras.Model(inputs, [digit, amount])
    model.compile(keras.optimizers.Adam(2e-3), loss={"digit": "sparse_categorical_crossentropy", "ink": "mse"},
                  metrics={"digit": ["accuracy"]})
    return _fit_keras(model, x, {"digit": y, "ink": ink}, umlaut, epochs=6, batch_size=32)


@_program("clean-keras-subclassed-regression-tfdata", "keras")
def _clean_keras_subclassed(umlaut):
    """A subclassed regression model fed by tf.data pipelines (train and validation)."""
    keras = _keras()
    import tensorflow as tf

    rng = np.random.default_rng(1)
    x = rng.normal(size=(512, 6)).astype("float32")
    y = (np.sin(x[:, 0]) + 0.5 * x[:, 1] ** 2 - x[:, 2] * x[:, 3] + 0.1 * rng.normal(size=512)).astype("float32")
    y = ((y - y.mean()) / y.std())[:, None]

    class Regressor(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden1 = keras.layers.Dense(32, activation="relu")
            self.hidden2 = keras.layers.Dense(32, activation="relu")
            self.out = keras.layers.Dense(1)

        def call(self, inputs):
            return self.out(self.hidden2(self.hidden1(inputs)))

    model = Regressor()
    model.compile(keras.optimizers.Adam(3e-3), "mse", metrics=["mae"])
    train = tf.data.Dataset.from_tensor_slices((x[:384], y[:384])).shuffle(384, seed=0).batch(32)
    val = tf.data.Dataset.from_tensor_slices((x[384:], y[384:])).batch(64)
    return _fit_keras(model, train, None, umlaut, output_type="regression", validation_data=val, epochs=8)


@_program("clean-torch-mlp-digits", "torch")
def _clean_torch_mlp(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 32, 10])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=8, x_val=xv, y_val=yv,
                        output_type="classification")


@_program("clean-torch-cnn-digits", "torch")
def _clean_torch_cnn(umlaut):
    """Digits as 1x8x8 images in [0, 1], a two-conv CNN."""
    torch = _torch()
    x, y, xv, yv = digits(scale="unit")
    x, xv = x.reshape(-1, 1, 8, 8), xv.reshape(-1, 1, 8, 8)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 4 * 4, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    return _train_torch(model, opt, nn.CrossEntropyLoss(), x, y, umlaut, epochs=6, x_val=xv, y_val=yv,
                        input_type="image", output_type="classification")


@_program("clean-torch-regression", "torch")
def _clean_torch_regression(umlaut):
    """Regression with SGD + momentum and MSE, no validation set."""
    torch = _torch()
    rng = np.random.default_rng(2)
    x = rng.normal(size=(384, 8)).astype("float32")
    y = (x[:, :4].sum(1, keepdims=True) * 0.5 + np.tanh(x[:, 4:5]) + 0.1 * rng.normal(size=(384, 1))).astype("float32")
    model = _mlp(torch, [8, 32, 32, 1], act="tanh")
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _train_torch(model, opt, torch.nn.MSELoss(), x, y, umlaut, epochs=8, classify=False,
                        output_type="regression")


@_program("clean-keras-zscored-heavy-tails", "keras")
def _clean_keras_heavy_tails(umlaut):
    """Z-scored digits from 1200 samples: pixels that are rarely inked reach z > 30. Correctly
    standardised data, which the original UMLAUT called 'not normalized'."""
    keras = _keras()
    x, y, xv, yv = digits(n_train=1200, n_val=200)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, validation_data=(xv, yv), epochs=4, batch_size=64)


@_program("clean-keras-rgb-nonsquare-batchnorm", "keras")
def _clean_keras_rgb(umlaut):
    """RGB 20x32 (non-square) images, Conv + BatchNorm + ReLU blocks, Dense(softmax) head."""
    keras = _keras()
    x, y = shapes(320, 20, 32, 3, classes=6)
    x = x / 255.0
    model = keras.Sequential([
        keras.Input((20, 32, 3)),
        keras.layers.Conv2D(8, 3, use_bias=False), keras.layers.BatchNormalization(), keras.layers.Activation("relu"),
        keras.layers.Conv2D(16, 3, use_bias=False), keras.layers.BatchNormalization(), keras.layers.Activation("relu"),
        keras.layers.GlobalMaxPooling2D(),
        keras.layers.Dense(6, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, input_type="image", output_type="classification",
                      validation_split=0.25, epochs=5, batch_size=32)


@_program("clean-torch-sgd-lr0.1", "torch")
def _clean_torch_sgd(umlaut):
    """The classic recipe SGD(lr=0.1, momentum=0.9, weight_decay=5e-4): a learning rate well above
    Adam's default, and right for SGD."""
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 64, 10])
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=6, x_val=xv, y_val=yv,
                        output_type="classification")


@_program("clean-torch-binary-logits", "torch")
def _clean_torch_binary(umlaut):
    """Binary classification (digit >= 5) with one logit and BCEWithLogitsLoss (no sigmoid in the model)."""
    torch = _torch()
    x, y, xv, yv = digits()
    t, tv = (y >= 5).astype("float32")[:, None], (yv >= 5).astype("float32")[:, None]
    model = _mlp(torch, [64, 32, 1])
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    return _train_torch(model, opt, torch.nn.BCEWithLogitsLoss(), x, t, umlaut, epochs=6, x_val=xv, y_val=tv,
                        classify=False, output_type="classification")


@_program("clean-torch-official-mnist-adadelta", "torch")
def _clean_torch_official_mnist(umlaut):
    """The official PyTorch MNIST example (pytorch/examples, mnist/main.py): conv-conv-maxpool-
    dropout-fc-dropout-fc, ``F.log_softmax`` in ``forward`` (no module), ``F.nll_loss``,
    ``Adadelta(lr=1.0)``. Ported to 8x8 digits (3x3 convs keep their padding-free shape math;
    MNIST's mean/std normalisation). Not "missing softmax", and lr 1.0 is Adadelta's usual rate."""
    torch = _torch()
    nn, F = torch.nn, torch.nn.functional
    x, y, xv, yv = digits(scale="unit")
    x, xv = ((x - 0.1307) / 0.3081).reshape(-1, 1, 8, 8), ((xv - 0.1307) / 0.3081).reshape(-1, 1, 8, 8)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, 1)
            self.conv2 = nn.Conv2d(16, 32, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(32 * 2 * 2, 64)
            self.fc2 = nn.Linear(64, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    model = Net()
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0)
    return _train_torch(model, opt, F.nll_loss, x.astype("float32"), y, umlaut, epochs=6, batch_size=64,
                        x_val=xv.astype("float32"), y_val=yv, input_type="image", output_type="classification")


@_program("clean-keras-polynomial-regression", "keras")
def _clean_keras_polynomial(umlaut):
    """Regression on unscaled polynomial features (x, x^2, x^3 for x in [0, 4]: values up to 64)
    that converges: unnormalized inputs are worth a warning here, not an error."""
    keras = _keras()
    rng = np.random.default_rng(3)
    t = rng.uniform(0, 4, (512, 1))
    x = np.concatenate([t, t**2, t**3], axis=1).astype("float32")
    y = (np.sin(t) + 0.05 * rng.normal(size=t.shape)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    return _fit_keras(model, x, y, umlaut, output_type="regression", validation_split=0.2, epochs=8, batch_size=32)


@_program("clean-keras-relu-after-relu", "keras")
def _clean_keras_relu_relu(umlaut):
    """Dense(activation='relu') followed by Activation('relu'): redundant (relu(relu(x)) == relu(x)),
    harmless, so no double-activation finding."""
    keras = _keras()
    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Activation("relu"), keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, output_type="classification", validation_data=(xv, yv),
                      epochs=6, batch_size=32)


# --------------------------------------------------------------------------------------------
# Buggy programs: critical
# --------------------------------------------------------------------------------------------


@_program("nan-loss", "keras", "nan-loss",
          bug="sensor table with missing values (NaN) fed to the model without imputation",
          related=("nonfinite-input",))  # the NaN rows themselves, named before training
def _nan_loss(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    holes = np.random.default_rng(3).random(x.shape) < 0.01  # 1% missing readings
    x = np.where(holes, np.nan, x).astype("float32")
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="tanh"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, validation_data=(xv, yv), epochs=3, batch_size=32)


@_program("nan-loss-handwritten-ce", "torch", "nan-loss",
          bug="hand-written cross-entropy log(softmax(z)) underflows to log(0) on clean inputs with a high lr",
          related=("loss-diverging", "exploding-gradient", "lr-out-of-range", "dead-relu", "loss-oscillating"))
def _nan_loss_torch(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 64, 10])
    opt = torch.optim.SGD(model.parameters(), lr=2.0)

    def cross_entropy(logits, target):  # the bug: log of a probability that underflows to 0
        probs = torch.softmax(logits, dim=1)
        return -(torch.nn.functional.one_hot(target, 10) * torch.log(probs)).sum(1).mean()

    return _train_torch(model, opt, cross_entropy, x, y, umlaut, epochs=4, x_val=xv, y_val=yv)


@_program("wrong-loss-for-task", "keras", "wrong-loss-for-task",
          bug="mean squared error on one-hot labels of a 10-class classification")
def _wrong_loss(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    onehot, onehot_val = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(yv, 10)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "mse", metrics=["accuracy"])
    return _fit_keras(model, x, onehot, umlaut, output_type="classification",
                      validation_data=(xv, onehot_val), epochs=5, batch_size=32)


@_program("label-encoding-mismatch", "keras", "label-encoding-mismatch",
          bug="binary labels encoded as -1/+1 (SVM style) with binary cross-entropy, which expects 0/1",
          related=("loss-diverging",))
def _label_encoding(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    t, tv = np.where(y >= 5, 1.0, -1.0).astype("float32"), np.where(yv >= 5, 1.0, -1.0).astype("float32")
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, t, umlaut, output_type="classification", validation_data=(xv, tv),
                      epochs=5, batch_size=32)


@_program("weights-unchanged", "torch", "weights-unchanged",
          bug="training loop calls zero_grad() and backward() but forgets optimizer.step()",
          related=("loss-not-decreasing",))
def _weights_unchanged(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 32, 10])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=5, x_val=xv, y_val=yv,
                        step=False)


@_program("loss-diverging", "torch", "loss-diverging",
          bug="linear regression on raw house features (square metres, year built) with SGD lr=6e-5",
          related=("input-not-normalized", "nan-loss", "exploding-gradient", "lr-out-of-range", "loss-not-decreasing"))
def _loss_diverging(umlaut):
    torch = _torch()
    rng = np.random.default_rng(4)
    area = rng.uniform(40, 220, 256)
    rooms = rng.integers(1, 7, 256)
    age = rng.uniform(0, 80, 256)
    x = np.stack([area, rooms, age], 1).astype("float32")
    y = (3.0 * area + 20 * rooms - 1.5 * age + rng.normal(0, 10, 256)).astype("float32")[:, None]
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=6e-5)
    return _train_torch(model, opt, torch.nn.MSELoss(), x, y, umlaut, epochs=6, batch_size=64, classify=False,
                        output_type="regression")


# --------------------------------------------------------------------------------------------
# Buggy programs: error
# --------------------------------------------------------------------------------------------


@_program("input-not-normalized", "keras", "input-not-normalized",
          bug="image pixels fed as 0..255 (forgot to divide by 255)",
          related=("bad-initial-loss",))  # logits 255x too large: the first loss really is ~60 vs ln 4
def _not_normalized(umlaut):
    keras = _keras()
    x, y = shapes(320, 16, 16, 1, classes=4)
    model = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
                              keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, input_type="image", output_type="classification",
                      validation_split=0.25, epochs=4, batch_size=32)


@_program("image-shape", "keras", "image-shape",
          bug="channels-first (N, 3, 16, 16) images given to a channels-last Keras CNN")
def _image_shape(umlaut):
    keras = _keras()
    x, y = shapes(320, 16, 16, 3, classes=4)
    x = np.transpose(x / 255.0, (0, 3, 1, 2)).astype("float32")  # the PyTorch layout
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Conv2D(8, 3, activation="relu", padding="same"),
                              keras.layers.Flatten(), keras.layers.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, input_type="image", output_type="classification",
                      validation_split=0.25, epochs=4, batch_size=32)


@_program("missing-softmax", "keras", "missing-softmax",
          bug="last Dense layer is linear but the loss is SparseCategoricalCrossentropy() (from_logits=False)",
          related=("bad-initial-loss",))  # raw outputs read as probabilities: the first loss really is ~11
def _missing_softmax(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, output_type="classification", validation_data=(xv, yv),
                      epochs=5, batch_size=32)


@_program("double-activation", "torch", "double-activation",
          bug="nn.Softmax as the last module, then nn.CrossEntropyLoss (which applies log-softmax again)")
def _double_activation(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 32, 10], last_act=torch.nn.Softmax(dim=1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=5, x_val=xv, y_val=yv,
                        output_type="classification")


@_program("lr-out-of-range", "keras", "lr-out-of-range", mention="negative",
          bug="Adam(learning_rate=-0.01): a sign typo, the optimiser climbs the loss",
          related=("loss-diverging", "loss-not-decreasing"))
def _lr_negative(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(learning_rate=-0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, validation_data=(xv, yv), epochs=4, batch_size=32)


@_program("lr-out-of-range-high", "keras", "lr-out-of-range", mention="10",
          bug="SGD(learning_rate=10): the loss explodes to inf/NaN within the first epoch",
          related=("nan-loss", "loss-diverging", "exploding-gradient", "loss-not-decreasing", "bad-initial-loss"))
def _lr_high(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.SGD(learning_rate=10.0), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, validation_data=(xv, yv), epochs=3, batch_size=32)


@_program("missing-activation", "keras", "missing-activation",
          bug="hidden Dense layers without activation= (Keras defaults to linear): the stack collapses")
def _missing_activation(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64), keras.layers.Dense(64),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, output_type="classification", validation_data=(xv, yv),
                      epochs=5, batch_size=32)


@_program("vanishing-gradient", "torch", "vanishing-gradient",
          bug="a 10-layer sigmoid MLP trained with plain SGD: early layers get almost no gradient",
          related=("saturated-activation", "loss-not-decreasing"))
def _vanishing(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64] + [32] * 9 + [10], act="sigmoid")
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=4, x_val=xv, y_val=yv)


@_program("exploding-gradient", "torch", "exploding-gradient",
          bug="weights initialised with nn.init.normal_(w, std=1.0) in a 4-layer ReLU MLP (activations x8 per layer)",
          related=("nan-loss", "loss-diverging", "bad-initial-loss", "loss-oscillating", "dead-relu"))
def _exploding(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 128, 128, 128, 10])
    for m in model:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight, std=1.0)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=3, x_val=xv, y_val=yv)


@_program("train-val-overlap", "keras", "train-val-overlap",
          bug="validation_data=(x_train[:100], y_train[:100]): validation images are training images",
          related=("suspicious-val-accuracy",))
def _overlap(umlaut):
    keras = _keras()
    x, y, _, _ = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, validation_data=(x[:100], y[:100]), epochs=5, batch_size=32)


@_program("constant-input", "keras", "constant-input",
          bug="pixels scaled with integer division images // 255 on dim uint8 images: every input is 0",
          related=("loss-not-decreasing", "weights-unchanged", "dead-relu", "vanishing-gradient"))
def _constant_input(umlaut):
    keras = _keras()
    x, y = shapes(320, 16, 16, 1, classes=4)
    images = (x * 0.75).astype("uint8")  # a dim camera: nothing reaches 255
    x = (images // 255).astype("float32")
    model = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, input_type="image", output_type="classification",
                      validation_split=0.25, epochs=4, batch_size=32)


@_program("loss-not-decreasing", "torch", "loss-not-decreasing",
          bug="SGD(lr=1e-5) (meant 1e-2): after several epochs the loss has not moved",
          related=("weights-unchanged", "lr-out-of-range"))  # the too-low rate, named from the steady creep
def _not_decreasing(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 32, 10])
    opt = torch.optim.SGD(model.parameters(), lr=1e-5)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=6, x_val=xv, y_val=yv)


@_program("bad-initial-loss", "torch", "bad-initial-loss",
          bug="logits divided by a temperature of 0.02 (meant 2.0): the first loss is far above ln(10)",
          related=("exploding-gradient", "loss-oscillating"))
def _bad_initial_loss(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = _mlp(torch, [64, 32, 10])
            self.temperature = 0.02

        def forward(self, inputs):
            return self.body(inputs) / self.temperature

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=4, x_val=xv, y_val=yv)


@_program("dead-relu", "torch", "dead-relu",
          bug="hidden biases initialised to -3 'for sparsity': almost every ReLU outputs 0 on every input",
          related=("loss-not-decreasing", "weights-unchanged", "vanishing-gradient"))
def _dead_relu(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 64, 64, 10])
    for m in list(model)[:-1]:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.constant_(m.bias, -3.0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=4, x_val=xv, y_val=yv)


# --------------------------------------------------------------------------------------------
# Buggy programs: warning
# --------------------------------------------------------------------------------------------


@_program("suspicious-val-accuracy", "keras", "suspicious-val-accuracy",
          bug="validation set filtered to the two easiest digits (0 and 1) by a wrong mask")
def _suspicious_val(umlaut):
    keras = _keras()
    x, y, xv, yv = digits(n_train=384, n_val=400)
    easy = yv < 2
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, validation_data=(xv[easy], yv[easy]), epochs=6, batch_size=32)


@_program("overfitting", "keras", "overfitting",
          bug="a 2x256 MLP trained 15 epochs on 48 examples: validation loss rises while training loss falls")
def _overfitting(umlaut):
    keras = _keras()
    x, y, xv, yv = digits(n_train=48, n_val=256)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, validation_data=(xv, yv), epochs=15, batch_size=16)


@_program("high-dropout", "keras", "high-dropout",
          bug="Dropout(0.8): the rate is what is dropped, not kept")
def _high_dropout(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dropout(0.8),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, validation_data=(xv, yv), epochs=4, batch_size=32)


@_program("saturated-activation", "torch", "saturated-activation",
          bug="tanh MLP initialised with nn.init.normal_(w) (std 1): pre-activations ~ +-8, tanh pinned at +-1",
          related=("vanishing-gradient", "bad-initial-loss", "loss-not-decreasing"))
def _saturated(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 128, 128, 10], act="tanh")
    for m in model:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=4, x_val=xv, y_val=yv)


@_program("loss-oscillating", "torch", "loss-oscillating",
          bug="full-batch SGD(lr=1.0, momentum=0.95) on a linear regression: every step overshoots the "
              "minimum, so the loss jumps between ~5 and ~20 each epoch instead of settling (lr 0.1 converges)")
def _oscillating(umlaut):
    """A deterministic oscillation: with momentum 0.95 and lr 1.0 (lr x curvature ~ 1 + momentum) the
    heavy-ball iteration turns by about 90 degrees per step, so the squared error alternates between
    small and large every epoch and barely decays (amplitude x0.975 per step)."""
    torch = _torch()
    rng = np.random.default_rng(6)
    x = rng.normal(size=(256, 1)).astype("float32")
    y = (3 * x + 2 + 2.0 * rng.normal(size=(256, 1))).astype("float32")
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.95)
    return _train_torch(model, opt, torch.nn.MSELoss(), x, y, umlaut, epochs=12, batch_size=256, classify=False,
                        output_type="regression")


@_program("unshuffled-data", "torch", "unshuffled-data",
          bug="training set sorted by label and iterated without shuffling: every batch holds one class")
def _unshuffled(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    order = np.argsort(y, kind="stable")
    x, y = x[order], y[order]
    model = _mlp(torch, [64, 32, 10])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=4, x_val=xv, y_val=yv,
                        shuffle=False)


@_program("class-imbalance", "keras", "class-imbalance",
          bug="fraud-style data, 95% negatives / 5% positives, trained with plain accuracy and no class weights")
def _class_imbalance(umlaut):
    keras = _keras()
    x, y, xv, yv = digits(n_train=1200, n_val=300)
    rng = np.random.default_rng(5)

    def imbalanced(x, y, n):
        pos, neg = np.flatnonzero(y == 0), np.flatnonzero(y != 0)
        n_pos = max(1, round(0.05 * n))
        idx = rng.permutation(np.concatenate([pos[:n_pos], neg[: n - n_pos]]))
        return x[idx], (y[idx] == 0).astype("float32")

    x, t = imbalanced(x, y, 400)
    xv, tv = imbalanced(xv, yv, 120)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, t, umlaut, output_type="classification", validation_data=(xv, tv),
                      epochs=4, batch_size=32)


# --------------------------------------------------------------------------------------------
# Heuristics added on the evidence of the real-program suite (benchmarks/umlaut_real/)
# --------------------------------------------------------------------------------------------


@_program("clean-keras-batchnorm-conv1d-early", "keras")
def _clean_keras_bn_conv1d(umlaut):
    """The Keras timeseries-classification recipe (Conv1D + BatchNorm + ReLU x3, GAP, softmax) early in
    training: BatchNorm's moving statistics lag, so the validation loss (inference mode) can rise for
    a few epochs while the training loss (batch statistics) falls. The training data in inference mode
    score as badly: a train/inference gap, not overfitting."""
    keras = _keras()
    rng = np.random.default_rng(0)
    n, length = 320, 64
    y = rng.integers(0, 2, n)
    t = np.linspace(0, 1, length)
    freq = np.where(y > 0, 9.0, 6.0)[:, None] + rng.normal(0, 0.7, (n, 1))
    x = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.3, (n, 1))) + rng.normal(0, 0.8, (n, length))
    x = ((x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)).astype("float32")[..., None]
    inputs = keras.Input((length, 1))
    h = inputs
    for _ in range(3):
        h = keras.layers.Conv1D(32, 3, padding="same")(h)
        h = keras.layers.BatchNormalization()(h)
        h = keras.layers.ReLU()(h)
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling1D()(h))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
    return _fit_keras(model, x, y, umlaut, validation_split=0.2, epochs=8, batch_size=32)


@_program("missing-softmax-one-unit", "keras", "missing-softmax", mention="single unit",
          bug="binary classifier ending in Dense(1) + Activation('softmax') (SO 45378493): the output is always 1",
          related=("loss-not-decreasing", "weights-unchanged", "vanishing-gradient"))
def _softmax_one_unit(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1),
                              keras.layers.Activation("softmax")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, (y >= 5).astype("float32"), umlaut, validation_data=(xv, (yv >= 5).astype("float32")),
                      epochs=4, batch_size=32)


@_program("double-activation-relu-logits", "torch", "double-activation", mention="logits",
          bug="the classifier's last module is nn.ReLU (the hidden-layer helper reused) before nn.CrossEntropyLoss",
          related=("dead-relu", "loss-not-decreasing"))
def _relu_logits(umlaut):
    torch = _torch()
    x, y, xv, yv = digits()
    model = _mlp(torch, [64, 32, 10], last_act=torch.nn.ReLU())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return _train_torch(model, opt, torch.nn.CrossEntropyLoss(), x, y, umlaut, epochs=4, x_val=xv, y_val=yv,
                        output_type="classification")


@_program("lr-out-of-range-for-problem", "keras", "lr-out-of-range", mention="too high for this model",
          bug="SGD(learning_rate=0.1) (inside SGD's usual range) on a linear regression with inputs in [-8, 8]: "
              "every step overshoots and the loss grows 3x per epoch (TheDeepChecker IPS_5)",
          related=("loss-diverging", "loss-not-decreasing", "nan-loss", "exploding-gradient"))
def _lr_for_problem(umlaut):
    keras = _keras()
    rng = np.random.default_rng(7)
    x = rng.uniform(-8, 8, (64, 1)).astype("float32")
    y = (2.5 * x - 3 + rng.uniform(-1, 1, (64, 1))).astype("float32")
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    return _fit_keras(model, x, y, umlaut, output_type="regression", epochs=6, batch_size=64)


@_program("loss-not-decreasing-frozen-accuracy", "keras", "loss-not-decreasing", mention="stuck",
          bug="RMSprop's default rate on a 2-2-1 sigmoid net (SO 50306988): the loss creeps down 2%, "
              "the accuracy stays at exactly 0.5 every epoch", related=("lr-out-of-range",))
def _frozen_accuracy(umlaut):
    keras = _keras()
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(0.2, 0.4, (200, 2)), rng.uniform(0.5, 0.7, (200, 2))]).astype("float32")
    y = np.concatenate([np.zeros(200), np.ones(200)]).astype("float32")
    order = rng.permutation(400)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="sigmoid"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x[order], y[order], umlaut, epochs=5, batch_size=32)


@_program("lr-out-of-range-too-low", "keras", "lr-out-of-range", mention="too low",
          bug="SGD(learning_rate=1e-4) (inside SGD's usual range) on two separable blobs: the loss falls a little "
              "every epoch, no prediction ever changes", related=("loss-not-decreasing",))
def _lr_too_low(umlaut):
    keras = _keras()
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.normal(-1, 0.5, (160, 4)), rng.normal(1, 0.5, (160, 4))]).astype("float32")
    y = np.concatenate([np.zeros(160), np.ones(160)]).astype("float32")
    order = rng.permutation(320)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(1e-4), "binary_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x[order], y[order], umlaut, epochs=5, batch_size=32)


@_program("lr-out-of-range-summed-loss", "keras", "lr-out-of-range", mention="non-finite within the first epoch",
          bug="cross-entropy from logits summed over the batch (not averaged) with std-1 initial weights and SGD(0.1) "
              "(TensorFlow-Examples before bc09f95): the step is batch-size times too large, NaN in the first epoch",
          related=("nan-loss", "exploding-gradient", "bad-initial-loss", "loss-diverging", "dead-relu"))
def _summed_loss(umlaut):
    keras = _keras()
    import tensorflow as tf

    x, y, xv, yv = digits()
    init = dict(kernel_initializer=keras.initializers.RandomNormal(stddev=1.0),
                bias_initializer=keras.initializers.RandomNormal(stddev=1.0))
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu", **init),
                              keras.layers.Dense(128, activation="relu", **init), keras.layers.Dense(10, **init)])

    def summed_loss(y_true, logits):
        return tf.reduce_sum(keras.losses.categorical_crossentropy(y_true, logits, from_logits=True))

    model.compile(keras.optimizers.SGD(0.1), summed_loss, metrics=["accuracy"])
    eye = np.eye(10, dtype="float32")
    return _fit_keras(model, x, eye[y], umlaut, validation_data=(xv, eye[yv]), epochs=2, batch_size=32)


@_program("wrong-loss-for-task-sigmoid-regression", "keras", "wrong-loss-for-task", mention="sigmoid",
          bug="house prices in thousands (50..500) regressed through Dense(1, activation='sigmoid'): the output "
              "can never exceed 1", related=("loss-not-decreasing",))
def _sigmoid_regression(umlaut):
    keras = _keras()
    rng = np.random.default_rng(8)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = (250 + 60 * x[:, 0] - 40 * x[:, 1] + 10 * rng.normal(size=256)).clip(50, 500).astype("float32")[:, None]
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "mse")
    return _fit_keras(model, x, y, umlaut, epochs=4, batch_size=32)


@_program("nonfinite-input", "keras", "nonfinite-input", mention="nan",
          bug="validation features read from a second CSV with missing values (NaN): the training loss stays "
              "finite, every validation loss is NaN")
def _nonfinite_input(umlaut):
    keras = _keras()
    x, y, xv, yv = digits()
    xv = xv.copy()
    xv[::10, 5] = np.nan  # every 10th validation row misses feature 5
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_keras(model, x, y, umlaut, output_type="classification", validation_data=(xv, yv), epochs=3,
                      batch_size=32)


@_program("unstable-loss", "keras", "unstable-loss", mention="log(0)",
          bug="cross-entropy written by hand as -reduce_sum(y * log(softmax)) (TensorFlow's early MNIST tutorials, "
              "SO 33712178): finite for now, NaN once a probability underflows",
          related=("nan-loss", "bad-initial-loss", "loss-oscillating"))
def _unstable_loss(umlaut):
    keras = _keras()
    import tensorflow as tf

    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])

    def cross_entropy(y_true, y_pred):
        return -tf.reduce_sum(y_true * tf.math.log(y_pred))

    model.compile("adam", cross_entropy, metrics=["accuracy"])
    eye = np.eye(10, dtype="float32")
    return _fit_keras(model, x, eye[y], umlaut, validation_data=(xv, eye[yv]), epochs=3, batch_size=32)


@_program("clean-keras-clipped-handwritten-ce", "keras")
def _clean_clipped_loss(umlaut):
    """The same hand-written cross-entropy as the unstable-loss program, guarded the way the Keras
    built-ins are: probabilities clipped into [1e-7, 1 - 1e-7] before the log, mean over the batch."""
    keras = _keras()
    x, y, xv, yv = digits()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])

    def cross_entropy(y_true, y_pred):
        p = keras.ops.clip(y_pred, 1e-7, 1 - 1e-7)
        return -keras.ops.mean(keras.ops.sum(y_true * keras.ops.log(p), axis=-1))

    model.compile(keras.optimizers.Adam(3e-3), cross_entropy, metrics=["accuracy"])
    eye = np.eye(10, dtype="float32")
    return _fit_keras(model, x, eye[y], umlaut, output_type="classification", validation_data=(xv, eye[yv]),
                      epochs=6, batch_size=32)


def summary(run: Run) -> str:
    """One line of a program's numbers: first/last loss and accuracy."""
    h = run.history
    if not h:
        return "no epochs"
    parts = []
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        if key in h[0]:
            parts.append(f"{key} {h[0][key]:.3g}->{h[-1][key]:.3g}")
    nan = any(not math.isfinite(v) for row in h for v in row.values())
    return ", ".join(parts) + (" (non-finite)" if nan else "")
