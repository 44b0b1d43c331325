"""TheDeepChecker GitHub program TFE_333 (aymericdamien/TensorFlow-Examples, logistic regression on
MNIST): the weights and biases are initialised with np.random.randn (std 1) instead of zeros, and the
cost is the hand-written ``-reduce_sum(y * log(softmax(xW + b)), 1)``: the initial logits are large,
the softmax saturates, log(0) appears and the cost is NaN/huge.

Provenance: thedeepchecker/thedeepchecker GH_buggy_examples/TFE_333/tfe_333_under_test.py @ d0a2b3a.
Bug (benchmark): wrong (std-1 random) initialisation of a softmax regression with an unguarded
log-of-softmax cross-entropy.
Fix: zero (or small) initial weights, as in the original example, and
softmax_cross_entropy_with_logits.
Held-out: expected keys written before UMLAUT first ran on this program: bad-initial-loss or nan-loss.
Substitutions: TF1 graph -> one Keras Dense(10, softmax) layer with RandomNormal(stddev=1) kernel and
bias and the same cost as a custom loss; GradientDescent(0.001) -> keras SGD(0.001); MNIST -> digits
upscaled to 28x28, flattened, /255 (TheDeepChecker's loader normalizes), 1200 images; batch 100;
25 epochs -> 5.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker GH_buggy_examples/TFE_333"
BUG = "std-1 random init of a softmax regression with cost -sum(y * log(softmax)): NaN/huge cost"
NAMES = ("bad-initial-loss", "nan-loss")


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf

    images, labels = mnist_like(1200)
    x_train = images.reshape(-1, 784).astype("float32") / 255
    y_train = np.eye(10, dtype="float32")[labels]
    randn = keras.initializers.RandomNormal(stddev=1.0)
    model = keras.Sequential([keras.Input((784,)),
                              keras.layers.Dense(10, activation="softmax", kernel_initializer=randn,
                                                 bias_initializer=randn)])

    def cost(y, pred):
        return tf.reduce_mean(-tf.reduce_sum(tf.multiply(y, tf.math.log(pred)), 1))

    model.compile(optimizer=keras.optimizers.SGD(0.001), loss=cost, metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=100, epochs=5, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
