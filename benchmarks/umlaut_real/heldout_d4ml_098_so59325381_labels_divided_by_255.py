"""defects4ML bug 098 (Stack Overflow question 59325381): a Keras CNN on MNIST whose author wrote
``y_train = y_train/255`` where ``x_test = x_test/255`` was meant: the class ids become 0, 0.0039,
..., 0.035, fed to sparse_categorical_crossentropy.

Provenance: mohmehmo/defects4ml bugs/098/buggy/script.py @ d2d823d7aa993a04ff031cf433445c1d7fd81ed3.
Bug (benchmark): wrong tensor (the labels scaled instead of the test images): the model does not
reach the expected accuracy.
Fix (benchmark): ``x_test = x_test/255`` (labels left as class ids).
Held-out: expected keys written before UMLAUT first ran on this program: label-encoding-mismatch.
Substitutions: ``input_shape=`` -> ``keras.Input``; MNIST -> digits upscaled to 28x28 (uint8 0..255),
1200 training images; 10 epochs -> 3; result.json writing and the evaluate on the test set dropped.
"""

from __future__ import annotations

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "defects4ML 098 / SO 59325381"
BUG = "y_train = y_train/255: fractional labels fed to sparse_categorical_crossentropy"
NAMES = ("label-encoding-mismatch",)


def main(umlaut: bool = True):
    keras = _keras()

    x_train, y_train = mnist_like(1200)
    x_train = x_train / 255
    y_train = y_train / 255
    x_train = x_train.reshape(len(x_train), 28, 28, 1)
    y_train = y_train.reshape(len(y_train), 1)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(64, (3, 3), (1, 1), padding="same"),
        keras.layers.MaxPooling2D(pool_size=(2, 2), padding="valid"),
        keras.layers.Conv2D(32, (3, 3), (1, 1), padding="same"),
        keras.layers.MaxPooling2D(pool_size=(2, 2), padding="valid"),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, epochs=3, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
