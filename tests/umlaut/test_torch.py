"""Real (tiny) PyTorch training loops with TorchMonitor."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from mlnb import umlaut  # noqa: E402
from mlnb.store import default_store  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.data[:600] / 16.0, dtype=torch.float32)
    y = torch.tensor(d.target[:600], dtype=torch.long)
    return x, y


def train(model, data, opt, loss_fn, epochs=3, shuffle=True, **kw):
    torch.manual_seed(0)
    x, y = data
    with umlaut.TorchMonitor(model, opt, loss_fn, echo=False, **kw) as mon:
        for _ in range(epochs):
            order = torch.randperm(len(x)) if shuffle else torch.arange(len(x))
            for i in range(0, len(x), 32):
                idx = order[i:i + 32]
                opt.zero_grad()
                out = model(x[idx])
                loss = loss_fn(out, y[idx])
                loss.backward()
                opt.step()
                mon.batch(loss=loss, inputs=x[idx], targets=y[idx], outputs=out)
            mon.epoch()
    return mon.session


def serious(session):
    return sorted(f.key for f in session.findings if f.severity in ("critical", "error"))


class Net(nn.Module):
    """Activation as a function call (F.relu): invisible to module inspection, seen in the dataflow."""

    def __init__(self, activation=True):
        super().__init__()
        self.activation = activation
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        h = self.fc1(x)
        return self.fc2(F.relu(h) if self.activation else h)


def test_clean_loops_raise_no_errors(digits):
    m = Net()
    s = train(m, digits, torch.optim.SGD(m.parameters(), lr=0.1), nn.CrossEntropyLoss())
    assert serious(s) == [] and s.status == "finished"
    m = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 10), nn.LogSoftmax(dim=1))
    assert serious(train(m, digits, torch.optim.Adam(m.parameters(), 1e-3), nn.NLLLoss())) == []
    m = nn.Sequential(nn.Linear(64, 16), nn.Tanh(), nn.Linear(16, 1))  # regression head
    x, y = digits
    data = (x, (y.float() / 9).unsqueeze(1))
    assert serious(train(m, data, torch.optim.Adam(m.parameters(), 1e-3), nn.MSELoss())) == []


def test_structural_bugs_found_from_the_dataflow(digits):
    m = Net(activation=False)
    s = train(m, digits, torch.optim.SGD(m.parameters(), lr=0.1), nn.CrossEntropyLoss())
    (f,) = [f for f in s.findings if f.key == "missing-activation"]
    assert f.subject == "fc1" and f.location.file == __file__
    m = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10), nn.Softmax(dim=1))
    s = train(m, digits, torch.optim.SGD(m.parameters(), lr=0.1), nn.CrossEntropyLoss())
    assert "double-activation" in {f.key for f in s.findings}


def test_lr_zero_nan_inputs_and_sorted_data(digits):
    m = Net()
    s = train(m, digits, torch.optim.SGD(m.parameters(), lr=0.0), nn.CrossEntropyLoss())
    assert {"lr-out-of-range", "weights-unchanged", "loss-not-decreasing"} <= set(serious(s))
    x, y = digits
    bad = x.clone()
    bad[5, 3] = float("nan")
    m = Net()
    s = train(m, (bad, y), torch.optim.SGD(m.parameters(), lr=0.1), nn.CrossEntropyLoss(), epochs=1)
    (nan,) = [f for f in s.findings if f.key == "nan-loss"]
    assert "inputs" in nan.context["likely_cause"]
    order = torch.argsort(y, stable=True)
    m = Net()
    s = train(m, (x[order], y[order]), torch.optim.SGD(m.parameters(), lr=0.1), nn.CrossEntropyLoss(), epochs=1,
              shuffle=False)
    assert "unshuffled-data" in {f.key for f in s.findings}


def test_probes_are_sampled_and_store_gets_each_epoch(digits):
    m = Net()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    s = train(m, digits, opt, nn.CrossEntropyLoss(), epochs=2, thresholds={"probe_every": 5}, name="torch-run")
    run = default_store().run(s.run_id)
    assert run["name"] == "torch-run" and run["status"] == "finished" and run["latest_epoch"] == 1
    metrics = default_store().metrics(s.run_id)
    assert [round(row["loss"], 6) for row in metrics] == [round(v, 6) for v in s.history["loss"]]


def test_context_manager_marks_failures():
    m = Net()
    with pytest.raises(RuntimeError):
        with umlaut.TorchMonitor(m, echo=False) as mon:
            mon.batch(loss=torch.tensor(1.0), inputs=torch.zeros(4, 64))
            raise RuntimeError("training crashed")
    assert default_store().run(mon.session.run_id)["status"] == "failed"
    with pytest.raises(TypeError, match="model="):
        umlaut.TorchMonitor("not a model")
    with pytest.raises(ValueError, match="input_type="):
        umlaut.TorchMonitor(m, input_type="video")


def test_check_model_torch():
    m = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 2))
    found = umlaut.check_model(m, loss_fn=nn.CrossEntropyLoss(), optimizer=torch.optim.Adam(m.parameters(), lr=0.5))
    assert sorted(f.key for f in found) == ["lr-out-of-range", "missing-activation"]
    with pytest.raises(TypeError, match="model="):
        umlaut.check_model(object())


def test_unclosed_session_ends_at_exit_and_failed_script_marks_failed(tmp_path):
    import os
    import subprocess
    import sys

    script = tmp_path / "crash.py"
    script.write_text(
        "import torch\nfrom torch import nn\nfrom mlnb.umlaut import TorchMonitor\n"
        "m = nn.Linear(3, 2)\nmon = TorchMonitor(m, name='crash', echo=False)\n"
        "mon.batch(loss=torch.tensor(1.0), inputs=torch.zeros(4, 3))\nmon.epoch()\n"
        "raise RuntimeError('loop died')\n")
    env = dict(os.environ)
    r = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "loop died" in r.stderr
    (run,) = [run for run in default_store().runs(tool="umlaut") if run["name"] == "crash"]
    assert run["status"] == "failed" and run["latest_epoch"] == 0


def test_validation_batches_are_checked_for_overlap(digits):
    x, y = digits
    m = Net()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    with umlaut.TorchMonitor(m, opt, loss_fn, echo=False) as mon:
        for i in range(0, 320, 32):
            opt.zero_grad(); loss = loss_fn(m(x[i:i + 32]), y[i:i + 32]); loss.backward(); opt.step()
            mon.batch(loss=loss, inputs=x[i:i + 32], targets=y[i:i + 32])
        with torch.no_grad():
            for i in range(0, 128, 32):  # "validation" = the first training rows: leakage
                mon.validation(x[i:i + 32], y[i:i + 32])
        mon.epoch()
    (f,) = [f for f in mon.session.findings if f.key == "train-val-overlap"]
    assert f.context["fraction"] == 1.0 and f.epochs == [-1]
