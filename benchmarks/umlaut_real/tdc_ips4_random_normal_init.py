"""TheDeepChecker SO program IPS_4: a 3 x 500 ReLU MLP on MNIST whose weights and biases are all
initialised with ``tf.random_normal`` (std 1): activations grow ~sqrt(500)x per layer, the first
logits are in the thousands and Adam(0.003) struggles for many epochs.

Provenance: thedeepchecker/thedeepchecker SO_buggy_examples/IPS_4.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): wrong weight initialisation (std 1 instead of a fan-in scaled std).
Fix: Glorot/He initialisation (e.g. truncated_normal with std sqrt(2 / fan_in)).
Substitutions: TF1 graph -> Keras Dense layers with RandomNormal(stddev=1.0) kernels and biases, the
same softmax_cross_entropy_with_logits (CategoricalCrossentropy(from_logits=True)) and Adam(0.003);
MNIST -> digits 28x28 flattened, /255, one-hot; 1200 images, batch 100, 4 epochs.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker SO_buggy_examples/IPS_4.py"
BUG = "every weight and bias initialised with random_normal (std 1) in a 3x500 ReLU MLP"
NAMES = ("bad-initial-loss", "exploding-gradient")


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers

    images, labels = mnist_like(1200)
    x_train = images.reshape(len(images), -1).astype("float32") / 255.0
    y_train = np.eye(10, dtype="float32")[labels]
    init = dict(kernel_initializer=keras.initializers.RandomNormal(stddev=1.0),
                bias_initializer=keras.initializers.RandomNormal(stddev=1.0))
    model = keras.Sequential([keras.Input((784,)), layers.Dense(500, activation="relu", **init),
                              layers.Dense(500, activation="relu", **init), layers.Dense(500, activation="relu", **init),
                              layers.Dense(10, **init)])
    model.compile(optimizer=keras.optimizers.Adam(0.003),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=100, epochs=4, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
