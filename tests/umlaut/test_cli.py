"""``mlnb umlaut run SCRIPT.py``: headless runs, findings printed, exit status."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

KERAS_SCRIPT = """\
import sys
import numpy as np, keras
from sklearn.datasets import load_digits
d = load_digits()
x, y = d.images[:300, :, :, None], d.target[:300]
model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                          keras.layers.Dense(32, activation="relu"), keras.layers.Dropout(0.8),
                          keras.layers.Dense(10, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(x * 16, y, epochs=int(sys.argv[1]), verbose=0)
print("script done", sys.argv[1:])
"""

TORCH_SCRIPT = """\
import torch
from torch import nn
from mlnb.umlaut import TorchMonitor
torch.manual_seed(0); torch.set_num_threads(1)
x = torch.randn(256, 10); y = (x[:, 0] > 0).long()
model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))
opt = torch.optim.Adam(model.parameters(), 1e-2); loss_fn = nn.CrossEntropyLoss()
with TorchMonitor(model, opt, loss_fn, name="torch-script") as mon:
    for epoch in range(3):
        for i in range(0, 256, 32):
            opt.zero_grad(); loss = loss_fn(model(x[i:i+32]), y[i:i+32]); loss.backward(); opt.step()
            mon.batch(loss=loss, inputs=x[i:i+32], targets=y[i:i+32])
        mon.epoch()
"""


def mlnb(*args, cwd):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "mlnb.cli", "umlaut", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_keras_script_with_errors_exits_1(tmp_path):
    (tmp_path / "train.py").write_text(KERAS_SCRIPT)
    r = mlnb("run", "--input", "image", "train.py", "2", cwd=tmp_path)
    assert r.returncode == 1, r.stderr[-2000:]
    assert "script done ['2']" in r.stdout  # ran as __main__ with its own arguments
    assert "== UMLAUT session 'sequential'" in r.stdout
    assert "input-not-normalized" in r.stdout and "high-dropout" in r.stdout


def test_clean_torch_script_exits_0_and_failing_script_keeps_its_code(tmp_path):
    (tmp_path / "clean.py").write_text(TORCH_SCRIPT)
    r = mlnb("run", "clean.py", cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "torch-script" in r.stdout
    (tmp_path / "fails.py").write_text("import sys\nsys.exit(3)\n")
    assert mlnb("run", "fails.py", cwd=tmp_path).returncode == 3
    (tmp_path / "raises.py").write_text("raise ValueError('broken script')\n")
    r = mlnb("run", "raises.py", cwd=tmp_path)
    assert r.returncode == 1 and "broken script" in r.stderr
    r = mlnb("run", "missing.py", cwd=tmp_path)
    assert r.returncode == 2 and "missing.py" in r.stderr
