"""PyTorch: overfitting is told from BatchNorm's train/inference gap.

A model with BatchNorm (or dropout) is trained on batch statistics and validated on running ones.
When those lag, the validation loss can rise for epochs while the training loss falls, although the
model does not fit its training data any better than new data: scored in inference mode, the
training data are as bad as the validation data. ``TorchMonitor`` scores a training sample in
inference mode whenever the validation loss rises (``ctx.inference_loss``), as the Keras adapter
does, so the overfitting check can tell the two apart. Two real training runs:

- a clean Conv1d + BatchNorm1d time-series classifier (the keras-io time-series recipe in PyTorch,
  BatchNorm momentum 0.01 = Keras's 0.99) whose validation loss rises for two epochs while its
  running statistics lag: no overfitting finding (and one without the inference-mode score);
- an MLP with dropout trained on 48 examples, which really overfits: the finding is raised.

``overfit_patience=2`` makes two rising epochs enough, so that an 8-epoch CPU run can show the case.
"""

from __future__ import annotations

import numpy as np
import pytest

from programs import digits

torch = pytest.importorskip("torch")


def _fit(model, x, y, xv, yv, *, epochs, lr, batch_size, monitor=True):
    from mlnb.umlaut.adapters.torch import TorchMonitor

    torch.set_num_threads(1)
    x, y, xv, yv = (torch.as_tensor(a) for a in (x, y, xv, yv))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    mon = TorchMonitor(model, opt, loss_fn, output_type="classification", echo=False, record=False,
                       thresholds={"overfit_patience": 2})
    generator = torch.Generator().manual_seed(0)
    history = []
    with mon:
        for _ in range(epochs):
            model.train()
            order = torch.randperm(len(x), generator=generator)
            total = 0.0
            for start in range(0, len(x), batch_size):
                idx = order[start:start + batch_size]
                out = model(x[idx])
                loss = loss_fn(out, y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                mon.batch(loss=loss, inputs=x[idx], targets=y[idx], outputs=out)
                total += float(loss.detach()) * len(idx)
            model.eval()
            with torch.no_grad():
                val_loss = float(loss_fn(model(xv), yv))
            history.append((total / len(x), val_loss))
            mon.epoch(val_loss=val_loss)
    return mon, history


def _timeseries_bn():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    n, length = 320, 64
    y = rng.integers(0, 2, n)
    t = np.linspace(0, 1, length)
    freq = np.where(y > 0, 9.0, 6.0)[:, None] + rng.normal(0, 0.7, (n, 1))
    x = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.3, (n, 1))) + rng.normal(0, 0.8, (n, length))
    x = ((x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)).astype("float32")[:, None, :]
    layers, channels = [], 1
    for _ in range(3):
        layers += [torch.nn.Conv1d(channels, 32, 3, padding=1), torch.nn.BatchNorm1d(32, momentum=0.01), torch.nn.ReLU()]
        channels = 32
    model = torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool1d(1), torch.nn.Flatten(), torch.nn.Linear(32, 2))
    cut = int(n * 0.8)
    return model, (x[:cut], y[:cut], x[cut:], y[cut:])


def test_batchnorm_train_inference_gap_is_not_overfitting(monkeypatch):
    from mlnb.umlaut.adapters.torch import TorchMonitor

    model, data = _timeseries_bn()
    mon, history = _fit(model, *data, epochs=8, lr=1e-2, batch_size=32)
    train, val = zip(*history)
    # the case really shows: validation loss rising for two epochs while the training loss falls
    rises = [i for i in range(2, len(val)) if val[i - 2] < val[i - 1] < val[i] and train[i] < train[i - 2]]
    assert rises, history
    assert mon.monitor.ctx.inference_loss  # the training sample was scored in inference mode
    assert not any(m.training for m in model.modules())  # in eval(), as the loop left it
    assert "overfitting" not in {f.key for f in mon.findings}, [f.title for f in mon.findings]

    # the same run without the inference-mode score: the overfitting check alone would fire
    monkeypatch.setattr(TorchMonitor, "_inference_loss", lambda self: None)
    model, data = _timeseries_bn()
    mon, _ = _fit(model, *data, epochs=8, lr=1e-2, batch_size=32)
    assert "overfitting" in {f.key for f in mon.findings}


def test_real_overfitting_with_dropout_is_still_found():
    torch.manual_seed(0)
    x, y, xv, yv = digits(n_train=48, n_val=256)
    model = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(256, 256),
                                torch.nn.ReLU(), torch.nn.Linear(256, 10))
    mon, history = _fit(model, x, y, xv, yv, epochs=15, lr=1e-2, batch_size=16)
    assert mon.monitor.ctx.inference_loss  # scored, and far below the validation loss
    (finding,) = [f for f in mon.findings if f.key == "overfitting"]
    e = max(mon.monitor.ctx.inference_loss)
    assert mon.monitor.ctx.inference_loss[e] < 0.5 * history[e][1]


def test_inference_score_restores_every_module_mode():
    from mlnb.umlaut.adapters.torch import TorchMonitor

    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 2))
    model.train()
    model[1].eval()  # a frozen BatchNorm, as fine-tuning code does
    mon = TorchMonitor(model, None, torch.nn.CrossEntropyLoss(), echo=False, record=False)
    x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
    mon.batch(loss=torch.nn.functional.cross_entropy(model(x), y), inputs=x, targets=y)
    running = model[1].running_mean.clone()
    value = mon._inference_loss()
    mon.close()
    assert value is not None and np.isfinite(value)
    assert [m.training for m in model.modules()] == [True, True, False, True, True]
    assert torch.equal(model[1].running_mean, running)  # inference mode: no statistics update
