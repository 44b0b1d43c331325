"""TheDeepChecker SO program IPS_15: linear regression y = 2 t + 4 + noise on the raw time index
t = 0..99 (plus a column of ones) with gradient descent (learning rate 0.5) on the MSE: the unscaled
feature makes the updates overflow and the loss goes to inf/NaN.

Provenance: thedeepchecker/thedeepchecker SO_buggy_examples/IPS_15.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): the input feature is not normalized (values up to 99) for that learning rate.
Fix: scale the feature (or a much smaller learning rate).
Substitutions: TF1 graph -> ``Dense(1, use_bias=False, kernel_initializer="zeros")`` on the same two
columns, loss ``(1 / (2 T)) * sum((Y - Yhat)^2)`` as a custom Keras loss, SGD(0.5); batch 10 (the
original feeds TheDeepChecker's loader batches), 5 epochs.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "TheDeepChecker SO_buggy_examples/IPS_15.py"
BUG = "raw time index 0..99 as input of a linear regression trained with GD(0.5): the loss overflows"
NAMES = ("input-not-normalized",)


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf

    np.random.seed(20180130)
    T = 100
    noise = 10 * np.random.random(size=(T, 1)).astype(np.float32)
    x = np.array([np.arange(T), np.ones(T)]).T.astype(np.float32)
    w = np.array([[2, 4]]).T.astype(np.float32)
    y = x.dot(w) + noise

    def mse(Y, Yhat):
        return (1. / (2 * T)) * tf.reduce_sum(tf.pow(Y - Yhat, 2))

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=mse, metrics=["mae"])
    cb = callback(model) if umlaut else None
    model.fit(x, y, batch_size=10, epochs=5, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
