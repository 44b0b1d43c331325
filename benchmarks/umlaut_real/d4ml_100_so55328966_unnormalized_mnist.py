"""defects4ML bug 100 (Stack Overflow question 55328966): MNIST from CSV fed as raw 0..255 pixels into
Dense(784) (no activation) -> Dense(50, relu) -> Dense(10, sigmoid) with categorical cross-entropy and
plain gradient descent; after some epochs the loss is NaN.

Provenance: mohmehmo/defects4ml bugs/100/buggy/script.py @ d2d823d7aa993a04ff031cf433445c1d7fd81ed3.
Bug (benchmark): missing preprocessing (pixels not normalized).
Fix (benchmark): ``x_train = x_train.values / 255`` (and ``activation='relu'`` on the first Dense).
Substitutions: mnist_train.csv (5000 rows) -> digits upscaled to 28x28 uint8 and flattened, 1200 rows;
``tf.train.GradientDescentOptimizer(alpha)`` -> ``keras.optimizers.SGD(alpha)``; epochs 10 -> 5;
result.json writing dropped.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "defects4ML 100 / SO 55328966"
BUG = "raw 0..255 pixels (not normalized) into a linear Dense(784): the loss goes NaN"
NAMES = ("input-not-normalized",)


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf
    from tensorflow.keras import layers

    batch_size, epochs, alpha, lambda_, h1 = 32, 5, 0.0001, 0, 50
    images, labels = mnist_like(1200)
    x_train = images.reshape(len(images), -1).astype("int64")
    y_train = labels
    nb_classes = 10
    targets = y_train.reshape(-1)
    y_train_onehot = np.eye(nb_classes)[targets]

    model = tf.keras.Sequential()
    model.add(layers.Dense(784, input_shape=(784,)))
    model.add(layers.Dense(h1, activation="relu", kernel_regularizer=tf.keras.regularizers.l2(lambda_)))
    model.add(layers.Dense(10, activation="sigmoid", kernel_regularizer=tf.keras.regularizers.l2(lambda_)))
    model.compile(optimizer=keras.optimizers.SGD(alpha), loss="categorical_crossentropy", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train_onehot, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
