"""TheDeepChecker GitHub program TFE_bc09f95 (aymericdamien/TensorFlow-Examples, tensorboard_advanced
before commit bc09f95): a 2 x 256 ReLU MLP with random_normal (std 1) weights and biases trained with
``loss = tf.reduce_sum(softmax_cross_entropy_with_logits(...))`` (a sum over the batch, not a mean) and
GradientDescentOptimizer(0.01): the summed loss makes the step 100x too large and training blows up.

Provenance: thedeepchecker/thedeepchecker GH_buggy_examples/TFE_bc09f95/tfe_bc09f95_under_test.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): the loss is summed over the batch (effective learning rate 100x) with std-1 weights.
Fix (upstream commit bc09f95): ``tf.reduce_mean(...)``.
Substitutions: TF1 graph -> Keras Dense layers (RandomNormal(1.0) kernels and biases) and a custom loss
summing CategoricalCrossentropy(from_logits=True) over the batch, SGD(0.01); MNIST -> digits 28x28
flattened, /255, one-hot; 1200 images, batch 100, 25 -> 4 epochs.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker GH_buggy_examples/TFE_bc09f95 (aymericdamien/TensorFlow-Examples)"
BUG = "cross-entropy summed over the batch (step 100x too large) with std-1 random weights"
NAMES = ("lr-out-of-range", "exploding-gradient")


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf
    from keras import layers

    images, labels = mnist_like(1200)
    x_train = images.reshape(len(images), -1).astype("float32") / 255.0
    y_train = np.eye(10, dtype="float32")[labels]
    init = dict(kernel_initializer=keras.initializers.RandomNormal(stddev=1.0),
                bias_initializer=keras.initializers.RandomNormal(stddev=1.0))
    model = keras.Sequential([keras.Input((784,)), layers.Dense(256, activation="relu", **init),
                              layers.Dense(256, activation="relu", **init), layers.Dense(10, **init)])

    def loss(y, pred):
        return tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(logits=pred, labels=y))

    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss, metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=100, epochs=4, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
