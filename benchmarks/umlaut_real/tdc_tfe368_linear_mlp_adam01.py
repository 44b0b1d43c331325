"""TheDeepChecker GitHub program TFE_368 (aymericdamien/TensorFlow-Examples, neural_network_raw): a
"2-hidden-layer" MNIST MLP whose hidden layers have no activation (three stacked affine maps = one
linear model), random_normal (std 1) weights and biases, Adam(learning_rate=0.1).

Provenance: thedeepchecker/thedeepchecker GH_buggy_examples/TFE_368/tfe_368_under_test.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): the hidden layers are linear (no non-linearity between the Dense layers); the
learning rate 0.1 is also 100x Adam's usual rate.
Fix: tf.nn.relu on each hidden layer (and a smaller learning rate).
Substitutions: TF1 graph -> Keras Dense layers (no activation, RandomNormal(1.0) kernels and biases),
CategoricalCrossentropy(from_logits=True), Adam(0.1); MNIST -> digits 28x28 flattened, /255, one-hot;
500 steps of 128 -> 1200 images, batch 128, 4 epochs.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker GH_buggy_examples/TFE_368 (aymericdamien/TensorFlow-Examples)"
BUG = "hidden Dense layers with no activation (the MLP is one linear map); Adam(0.1)"
NAMES = ("missing-activation",)


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers

    images, labels = mnist_like(1200)
    x_train = images.reshape(len(images), -1).astype("float32") / 255.0
    y_train = np.eye(10, dtype="float32")[labels]
    init = dict(kernel_initializer=keras.initializers.RandomNormal(stddev=1.0),
                bias_initializer=keras.initializers.RandomNormal(stddev=1.0))
    model = keras.Sequential([keras.Input((784,)), layers.Dense(256, **init), layers.Dense(256, **init),
                              layers.Dense(10, **init)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=128, epochs=4, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
