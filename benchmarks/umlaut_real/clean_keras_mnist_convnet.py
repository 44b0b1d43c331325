"""Keras example "Simple MNIST convnet" (keras-io, examples/vision/mnist_convnet.py).

Provenance: keras-team/keras-io, examples/vision/mnist_convnet.py (fchollet; as published for Keras 3).
Bug: none (official example).
Substitutions: MNIST -> scikit-learn digits upscaled to 28x28 uint8 (same shape and range), 1200 images
instead of 60000; epochs 15 -> 4. Everything else as in the example (x/255, to_categorical, the model,
batch_size=128, validation_split=0.1).
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "clean"
SOURCE = "keras-io examples/vision/mnist_convnet.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers

    num_classes, input_shape = 10, (28, 28, 1)
    x_train, y_train = mnist_like(1200)
    x_train = x_train.astype("float32") / 255
    x_train = np.expand_dims(x_train, -1)
    y_train = keras.utils.to_categorical(y_train, num_classes)

    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])
    batch_size, epochs = 128, 4
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1, verbose=0,
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
