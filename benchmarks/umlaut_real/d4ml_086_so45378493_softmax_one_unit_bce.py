"""defects4ML bug 086 (Stack Overflow question 45378493): a Conv1D/BatchNorm/LeakyReLU classifier ends
in Dense(1) + Activation('softmax') under binary cross-entropy: the output is always 1.

Provenance: mohmehmo/defects4ml bugs/086/buggy/script.py @ d2d823d7aa993a04ff031cf433445c1d7fd81ed3.
Bug (benchmark): wrong type of activation function (softmax instead of sigmoid on one unit).
Fix (benchmark): ``Activation('sigmoid')``.
Substitutions: ``np.empty([6000, 10, 4])`` (uninitialised memory) -> standard-normal values of the same
shape, 6000 -> 1200 rows; labels as in the program (``np.eye(6000, 1)``: one positive row);
``nb_epoch=100`` -> ``epochs=5``; ``input_shape=`` -> ``keras.Input``; ReduceLROnPlateau kept;
result.json writing dropped.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "defects4ML 086 / SO 45378493"
BUG = "Dense(1) + Activation('softmax') with binary_crossentropy: the output is always 1"
NAMES = ("missing-softmax",)


def main(umlaut: bool = True):
    keras = _keras()
    from keras.callbacks import ReduceLROnPlateau
    from keras.layers import Activation, BatchNormalization, Conv1D, Dense, Dropout, Flatten, LeakyReLU
    from keras.models import Sequential

    rng = np.random.default_rng(0)
    X_train = rng.normal(size=(1200, 10, 4)).astype("float32")
    y_train = np.eye(1200, 1)
    X_test = rng.normal(size=(1, 10, 4)).astype("float32")
    y_test = np.array([1])

    model = Sequential()
    model.add(keras.Input((10, 4)))
    model.add(Conv1D(filters=16, kernel_size=4, padding="same"))
    model.add(BatchNormalization())
    model.add(LeakyReLU())
    model.add(Dropout(0.2))
    model.add(Conv1D(filters=8, kernel_size=4, padding="same"))
    model.add(BatchNormalization())
    model.add(LeakyReLU())
    model.add(Dropout(0.2))
    model.add(Flatten())
    model.add(Dense(64))
    model.add(BatchNormalization())
    model.add(LeakyReLU())
    model.add(Dense(1))
    model.add(Activation("softmax"))
    reduce_lr = ReduceLROnPlateau(monitor="val_accuracy", factor=0.9, patience=30, min_lr=0.000001, verbose=0)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(X_train, y_train, epochs=5, batch_size=128, verbose=0, validation_data=(X_test, y_test),
              callbacks=[reduce_lr] + ([cb] if cb else []), shuffle=True)
    return list(cb.session.findings) if cb else []
