"""TheDeepChecker SO program IPS_11 (the TensorBoard "mnist_model" tutorial bug): the last layer is
built with the same ``fc_layer`` helper as the hidden one, so the logits go through a ReLU before
softmax_cross_entropy_with_logits: negative logits are cut to 0 and whole classes can stop learning.

Provenance: thedeepchecker/thedeepchecker SO_buggy_examples/IPS_11.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): wrong activation on the output layer (ReLU on the logits).
Fix: a linear last layer (``logits = tf.matmul(fc1, w) + b``).
Substitutions: TF1 graph -> Keras layers of the same structure (conv 5x5 32 / 64 with pooling, fc 1024,
fc 10 with relu; truncated_normal(0.1) weights, 0.1 biases) with conv widths /2 and fc 1024 -> 256
(CPU budget); CategoricalCrossentropy(from_logits=True), Adam(1e-3) (the tutorial's sweep value 1e-3);
MNIST -> digits 28x28, /255, one-hot; 1200 images, batch 100, 4 epochs.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker SO_buggy_examples/IPS_11.py"
BUG = "ReLU applied to the logits (output layer built with the hidden-layer helper)"
NAMES = ("double-activation",)


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers

    images, labels = mnist_like(1200)
    x_train = (images.astype("float32") / 255.0)[..., None]
    y_train = np.eye(10, dtype="float32")[labels]
    w = dict(kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.1),
             bias_initializer=keras.initializers.Constant(0.1))
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(16, 5, padding="same", activation="relu", **w), layers.MaxPooling2D(2, padding="same"),
        layers.Conv2D(32, 5, padding="same", activation="relu", **w), layers.MaxPooling2D(2, padding="same"),
        layers.Flatten(),
        layers.Dense(256, activation="relu", **w),
        layers.Dense(10, activation="relu", **w),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=100, epochs=4, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
