"""TheDeepChecker SO program IPS_5: one-variable linear regression (x uniform in [-8, 8], 8 samples)
trained with GradientDescentOptimizer(1e-1) on the mean squared error: for inputs of that size the
step is too large and the loss diverges.

Provenance: thedeepchecker/thedeepchecker SO_buggy_examples/IPS_5.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): learning rate too high for the (unscaled) inputs.
Fix: a smaller learning rate (e.g. 1e-2) or scaled inputs.
Substitutions: TF1 graph -> Dense(1) with zero-initialised weight and bias, SGD(0.1), MSE; the
original's 8 points; full batch; 8 epochs.
"""

from __future__ import annotations

import random

import numpy as np

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "TheDeepChecker SO_buggy_examples/IPS_5.py"
BUG = "learning rate 0.1 too high for inputs in [-8, 8]: the loss diverges"
NAMES = ("lr-out-of-range",)


def main(umlaut: bool = True):
    keras = _keras()

    random.seed(20180130)
    _w = random.uniform(-8, 8)
    _b = random.uniform(-8, 8)
    size = 8
    X = np.array([random.uniform(-8, 8) for _ in range(size)]).reshape(-1, 1).astype("float32")
    Y = np.array([_w * x + _b + random.uniform(-1, 1) for x in X]).reshape(-1, 1).astype("float32")
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(1e-1), loss="mse", metrics=["mae"])
    cb = callback(model) if umlaut else None
    model.fit(X, Y, batch_size=8, epochs=8, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
