"""TheDeepChecker GitHub program TFE_742675d (aymericdamien/TensorFlow-Examples, logistic_regression
before commit 742675d): MNIST logistic regression with ``cost = -tf.reduce_sum(y * tf.log(activation))``
(summed over the batch) and GradientDescentOptimizer(0.01): log(0) once a softmax output underflows,
and a sum that makes the step 100x larger -> NaN.

Provenance: thedeepchecker/thedeepchecker GH_buggy_examples/TFE_742675d/tfe_742675d_under_test.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): unstable hand-written cross-entropy summed over the batch -> NaN cost.
Fix (upstream commit 742675d): ``tf.reduce_mean(-tf.reduce_sum(y * tf.log(pred), reduction_indices=1))``.
Substitutions: TF1 graph -> Dense(10, softmax) with zero init and the same custom loss, SGD(0.01);
MNIST -> digits 28x28 flattened, /255, one-hot; 1200 images, batch 100, 25 -> 4 epochs.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker GH_buggy_examples/TFE_742675d (aymericdamien/TensorFlow-Examples)"
BUG = "cost = -reduce_sum(y * log(softmax)) summed over the batch: NaN cost"
NAMES = ("nan-loss", "unstable-loss")


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf

    images, labels = mnist_like(1200)
    x_train = images.reshape(len(images), -1).astype("float32") / 255.0
    y_train = np.eye(10, dtype="float32")[labels]

    def cost(y, activation):
        return -tf.reduce_sum(y * tf.math.log(activation))

    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax", kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=cost, metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=100, epochs=4, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
