"""defects4ML bug 091 (Stack Overflow question 56103207): a 5-class CNN on data stored sorted by class,
trained with ``validation_split=0.2``: Keras takes the validation rows from the end, so the validation
set is the last class only and validation accuracy stays near 0.

Provenance: mohmehmo/defects4ml bugs/091/buggy/script.py @ d2d823d7aa993a04ff031cf433445c1d7fd81ed3.
Bug (benchmark): missing preprocessing (no shuffle before validation_split).
Fix (benchmark): ``p = np.random.permutation(len(x)); x = x[p]; y = y[p]`` before fit.
Substitutions: ``np.load('./data/x.npy')`` (28x28x1 images of 5 classes, one-hot labels, sorted by
class) -> digits 0-4 upscaled to 28x28 in [0, 1], sorted by class, one-hot; 20 -> 4 epochs.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "defects4ML 091 / SO 56103207"
BUG = "data sorted by class + validation_split: the validation set is the last class only"
NAMES = ("unshuffled-data",)


def main(umlaut: bool = True):
    _keras()
    from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
    from tensorflow.keras.models import Sequential

    images, labels = mnist_like(1797)
    keep = labels < 5
    order = np.argsort(labels[keep], kind="stable")
    x = (images[keep][order] / 255.0).astype("float32")[..., None]
    y = np.eye(5)[labels[keep][order]]

    model = Sequential()
    model.add(Conv2D(filters=32, kernel_size=5, data_format="channels_last", activation="relu", input_shape=(28, 28, 1)))
    model.add(MaxPooling2D(data_format="channels_last"))
    model.add(Conv2D(filters=16, kernel_size=3, data_format="channels_last", activation="relu"))
    model.add(MaxPooling2D(data_format="channels_last"))
    model.add(Flatten(data_format="channels_last"))
    model.add(Dense(units=128, activation="relu"))
    model.add(Dense(units=64, activation="relu"))
    model.add(Dense(units=5, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x=x, y=y, batch_size=100, epochs=4, validation_split=0.2, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
