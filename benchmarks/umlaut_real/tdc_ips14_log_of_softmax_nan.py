"""TheDeepChecker SO program IPS_14 (the Stack Overflow "TensorFlow NaN bug?" pattern): softmax
regression on MNIST with a hand-written cross-entropy ``-tf.reduce_sum(y_ * tf.log(y))``: once a
softmax output underflows to 0 the log is -inf and the loss becomes NaN.

Provenance: thedeepchecker/thedeepchecker SO_buggy_examples/IPS_14.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): numerically unstable cross-entropy (log of a softmax output that reaches 0) -> NaN loss.
Fix: ``tf.nn.softmax_cross_entropy_with_logits`` on the logits (Keras: from_logits=True).
Substitutions: TF1 graph (placeholders, Variables, GradientDescentOptimizer(0.01)) -> a Keras
Dense(10, softmax) with ``kernel_initializer=TruncatedNormal(stddev=1.0)`` (tf.truncated_normal's
default std) and the same custom loss (summed over the batch) with SGD(0.01); MNIST -> digits upscaled
to 28x28, flattened, /255 (TheDeepChecker's loader normalizes), one-hot; 1200 images, batch 100, 5 epochs.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker SO_buggy_examples/IPS_14.py"
BUG = "cross-entropy written as -sum(y * log(softmax)): log(0) makes the loss NaN"
NAMES = ("nan-loss", "unstable-loss")


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf

    images, labels = mnist_like(1200)
    x_train = images.reshape(len(images), -1).astype("float32") / 255.0
    y_train = np.eye(10, dtype="float32")[labels]

    def cross_entropy(y_, y):
        return -tf.reduce_sum(y_ * tf.math.log(y))

    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(
        10, activation="softmax", kernel_initializer=keras.initializers.TruncatedNormal(stddev=1.0))])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=cross_entropy, metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=100, epochs=5, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
