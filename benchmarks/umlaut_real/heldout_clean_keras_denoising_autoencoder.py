"""Keras example "Convolutional autoencoder for image denoising": Conv2D(32, 3, relu) + MaxPooling
x 2, Conv2DTranspose(32, 3, strides 2, relu) x 2, Conv2D(1, 3, sigmoid); Adam, binary cross-entropy
on pixels in [0, 1]; first trained to reconstruct clean images, then noisy -> clean.

Provenance: keras-team/keras-io examples/vision/autoencoder.py.
Bug: none (official example).
Substitutions: MNIST -> digits upscaled to 28x28, /255 (1000 training, 200 test images); noise
factor 0.4 as in the example; epochs 50 -> 3 for each of the two fits; batch 128.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "clean"
SOURCE = "keras-io examples/vision/autoencoder.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers

    def preprocess(array):
        return np.reshape(array.astype("float32") / 255.0, (len(array), 28, 28, 1))

    def noise(array):
        noisy = array + 0.4 * np.random.normal(loc=0.0, scale=1.0, size=array.shape)
        return np.clip(noisy, 0.0, 1.0)

    np.random.seed(0)
    images, _ = mnist_like(1200)
    train_data, test_data = preprocess(images[:1000]), preprocess(images[1000:])
    noisy_train_data, noisy_test_data = noise(train_data), noise(test_data)

    inp = layers.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(inp)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    autoencoder = keras.Model(inp, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    cb = callback(autoencoder) if umlaut else None
    autoencoder.fit(train_data, train_data, epochs=3, batch_size=128, shuffle=True, verbose=0,
                    validation_data=(test_data, test_data), callbacks=[cb] if cb else [])
    findings = list(cb.session.findings) if cb else []
    cb = callback(autoencoder) if umlaut else None
    autoencoder.fit(noisy_train_data, train_data, epochs=3, batch_size=128, shuffle=True, verbose=0,
                    validation_data=(noisy_test_data, test_data), callbacks=[cb] if cb else [])
    return findings + (list(cb.session.findings) if cb else [])
