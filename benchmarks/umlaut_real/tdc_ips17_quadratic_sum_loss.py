"""TheDeepChecker SO program IPS_17 (the TensorFlow "Getting started" linear model turned quadratic):
``model = A x^2 + B x + C`` on x = 0..3, loss ``reduce_sum(square(model - y))``,
GradientDescentOptimizer(0.01): with the x^2 feature the summed loss makes the step too large and
the parameters blow up to inf/NaN.

Provenance: thedeepchecker/thedeepchecker SO_buggy_examples/IPS_17.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): learning rate too high for the summed loss on the unscaled x^2 feature.
Fix: a smaller learning rate (e.g. 0.001) or a mean loss.
Substitutions: TF1 graph -> Dense(1) (zero init) on the features [x^2, x], the same summed squared
error as a custom loss, SGD(0.01); the original's 4 points, full batch; 30 epochs (steps).
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "TheDeepChecker SO_buggy_examples/IPS_17.py"
BUG = "summed squared error on [x^2, x] with GD(0.01): the updates overflow"
NAMES = ("lr-out-of-range",)


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf

    x_train = np.array([0, 1, 2, 3], dtype="float32")
    y_train = np.array([0, 1, 4, 9], dtype="float32")[:, None]
    features = np.stack([x_train ** 2, x_train], axis=1)

    def loss(y, model):
        return tf.reduce_sum(tf.square(model - y))

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss, metrics=["mae"])
    cb = callback(model) if umlaut else None
    model.fit(features, y_train, batch_size=4, epochs=30, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
