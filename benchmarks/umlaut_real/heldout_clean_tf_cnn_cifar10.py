"""TensorFlow tutorial "Convolutional Neural Network (CNN)" (CIFAR-10): Conv2D(32)-MaxPool-Conv2D(64)-
MaxPool-Conv2D(64), Flatten, Dense(64, relu), Dense(10) logits, SparseCategoricalCrossentropy(
from_logits=True), Adam, pixels / 255, validation on the test images.

Provenance: tensorflow/docs site/en/tutorials/images/cnn.ipynb.
Bug: none (official tutorial).
Substitutions: CIFAR-10 (50000 32x32x3 uint8) -> 10-class 32x32x3 uint8 shape images made in code
(1500 training, 300 test); ``input_shape=`` -> ``keras.Input``; 10 epochs -> 3.
"""

from __future__ import annotations

from _common import callback, keras as _keras, ten_class_images

KIND = "clean"
SOURCE = "tensorflow/docs site/en/tutorials/images/cnn.ipynb"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers, models

    images, labels = ten_class_images(1800)
    train_images, test_images = images[:1500] / 255.0, images[1500:] / 255.0
    train_labels, test_labels = labels[:1500, None], labels[1500:, None]
    model = models.Sequential()
    model.add(keras.Input((32, 32, 3)))
    model.add(layers.Conv2D(32, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10))
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(train_images, train_labels, epochs=3, verbose=0, validation_data=(test_images, test_labels),
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
