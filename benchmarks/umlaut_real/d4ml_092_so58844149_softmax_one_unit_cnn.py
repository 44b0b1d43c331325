"""defects4ML bug 092 (Stack Overflow question 58844149): a binary image CNN ends in Dense(1) +
Activation('softmax') with binary cross-entropy, trained through an ImageDataGenerator.

Provenance: mohmehmo/defects4ml bugs/092/buggy/script.py @ d2d823d7aa993a04ff031cf433445c1d7fd81ed3.
Bug (benchmark): wrong type of activation function (softmax on one unit; accuracy never moves).
Fix (benchmark): ``Activation("sigmoid")``.
Substitutions: 300x300 images -> 48x48 (CPU budget; kernel 11 -> 5), 500 -> 240 images; the data are
the program's (``randint(0, 255)`` pixels, labels ``randint(0, 1)``, i.e. all 0);
``ImageDataGenerator`` (removed in Keras 3) -> the same featurewise centering done in NumPy and a
RandomRotation layer in a tf.data pipeline; ``fit_generator`` -> ``fit``; epochs 5 -> 3.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "defects4ML 092 / SO 58844149"
BUG = "Dense(1) + Activation('softmax') with binary_crossentropy in a CNN: the output is always 1"
NAMES = ("missing-softmax",)


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf
    from keras.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D
    from keras.models import Sequential

    np.random.seed(0)
    X_train = np.random.randint(0, 255, (240, 48, 48, 1))
    y_train = np.random.randint(0, 1, (240, 1))

    model = Sequential()
    model.add(keras.Input((48, 48, 1)))
    model.add(Conv2D(16, kernel_size=5, padding="same", activation="relu"))
    model.add(MaxPooling2D(pool_size=(3, 3), strides=(2, 2)))
    model.add(Conv2D(32, kernel_size=3, padding="same", activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2), strides=(2, 2)))
    model.add(Conv2D(32, kernel_size=3, padding="same", activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2), strides=(2, 2)))
    model.add(Flatten())
    model.add(Dense(units=64, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(1))
    model.add(Activation("softmax"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])

    centered = (X_train - X_train.mean(axis=0)).astype("float32")  # featurewise_center=True
    rotate = keras.layers.RandomRotation(0.25, fill_mode="nearest")  # rotation_range=90
    train = tf.data.Dataset.from_tensor_slices((centered, y_train)).shuffle(240, seed=0).batch(8)
    train = train.map(lambda x, y: (rotate(x, training=True), y))
    cb = callback(model) if umlaut else None
    model.fit(train, epochs=3, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
