"""Keras example "Timeseries classification from scratch" (FordA, a 1-D CNN with BatchNorm,
checkpointing the best model to ``best_model.keras``).

Provenance: keras-team/keras-io examples/timeseries/timeseries_classification_from_scratch.py.
Bug: none (official example).
Substitutions: the FordA UCR dataset -> z-normalized sine-plus-noise series made in code, labels -1/1 as
in FordA (the example maps -1 to 0), length 500 -> 128, 3601 -> 400 series; epochs 500 -> 8 (its
ReduceLROnPlateau/EarlyStopping patience never triggers in 8 epochs); the checkpoint goes to a
temporary folder. Model, callbacks, loss, optimizer and validation_split are the example's.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from _common import callback, keras as _keras, series

KIND = "clean"
SOURCE = "keras-io examples/timeseries/timeseries_classification_from_scratch.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()

    x_train, y_train = series(400)
    x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
    num_classes = len(np.unique(y_train))
    idx = np.random.permutation(len(x_train))
    x_train, y_train = x_train[idx], y_train[idx]
    y_train[y_train == -1] = 0

    def make_model(input_shape):
        input_layer = keras.layers.Input(input_shape)
        conv1 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
        conv1 = keras.layers.BatchNormalization()(conv1)
        conv1 = keras.layers.ReLU()(conv1)
        conv2 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv1)
        conv2 = keras.layers.BatchNormalization()(conv2)
        conv2 = keras.layers.ReLU()(conv2)
        conv3 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv2)
        conv3 = keras.layers.BatchNormalization()(conv3)
        conv3 = keras.layers.ReLU()(conv3)
        gap = keras.layers.GlobalAveragePooling1D()(conv3)
        output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
        return keras.models.Model(inputs=input_layer, outputs=output_layer)

    model = make_model(input_shape=x_train.shape[1:])
    folder = tempfile.mkdtemp(prefix="umlaut-real-")
    callbacks = [
        keras.callbacks.ModelCheckpoint(os.path.join(folder, "best_model.keras"), save_best_only=True,
                                        monitor="val_loss"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=20, min_lr=0.0001),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=50, verbose=1),
    ]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=32, epochs=8, callbacks=callbacks + ([cb] if cb else []),
              validation_split=0.2, verbose=0)
    keras.models.load_model(os.path.join(folder, "best_model.keras"))  # the example reloads the best model
    return list(cb.session.findings) if cb else []
