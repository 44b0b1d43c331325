"""NeuraLint real program (Stack Overflow question 33969059): a linear regression y = x . w + 2.2 on
inputs drawn from [0, 10000] fitted by tanh(3) -> Dropout -> tanh(2) -> Dropout -> Dense(1,
activation='softmax') with MSE and SGD(0.1, momentum 0.9, nesterov): the one-unit softmax always
outputs 1, so the prediction never changes.

Provenance: neuralint/neuralint sample_buggy_scripts/SO Samples/33969059.py @ e27dacf (annotated by
the NeuraLint authors: "Softmax with 1-dim", "MSE with softmax activation").
Bug (benchmark): softmax over a single output unit for a regression.
Fix (accepted answer): a linear output (no softmax) for the regression.
Held-out: expected keys written before UMLAUT first ran on this program: missing-softmax (the key
that reports a one-unit softmax).
Substitutions: Keras 1 -> 3 (``init='uniform'`` -> ``kernel_initializer='uniform'``, ``nb_epoch`` ->
``epochs``, ``show_accuracy`` and ``decay`` dropped, ``shuffle='batch'`` -> ``shuffle=True``);
100000 training samples -> 3000; EPOCHS (unset in the script without argv) -> 5; batch 32.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "NeuraLint SO Samples/33969059.py / SO 33969059"
BUG = "Dense(1, activation='softmax') output of a regression trained with MSE: the output is always 1"
NAMES = ("missing-softmax",)

mn = 1


def myrand(a, b):
    return (b) * (np.random.random_sample() - 0.5) + a


def get_data(count, ws, xno, bounds=100, rweight=0.0):
    xt = np.random.rand(count, len(ws))
    xt = np.multiply(bounds, xt)
    ws = np.array(ws, dtype=float)
    xno = np.array([float(xno) + rweight * myrand(-mn, mn) for x in xt], dtype=float)
    yt = np.dot(xt, ws)
    yt = np.add(yt, xno)
    return (xt, yt)


def main(umlaut: bool = True):
    keras = _keras()
    from keras.layers import Dense, Dropout
    from keras.models import Sequential
    from keras.optimizers import SGD

    np.random.seed(0)
    INDIM, WS, XNO = 3, [2.0, 1.0, 0.5], 2.2
    X_train, y_train = get_data(3000, WS, XNO, 10000)
    model = Sequential()
    model.add(keras.Input((INDIM,)))
    model.add(Dense(INDIM, kernel_initializer="uniform", activation="tanh"))
    model.add(Dropout(0.5))
    model.add(Dense(2, kernel_initializer="uniform", activation="tanh"))
    model.add(Dropout(0.5))
    model.add(Dense(1, kernel_initializer="uniform", activation="softmax"))
    sgd = SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    model.compile(loss="mean_squared_error", optimizer=sgd)
    cb = callback(model) if umlaut else None
    model.fit(X_train, y_train, shuffle=True, epochs=5, batch_size=32, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
