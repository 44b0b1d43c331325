"""TensorFlow tutorial "Basic classification: Classify images of clothing" (Fashion-MNIST, Flatten,
Dense(128, relu), Dense(10) logits, SparseCategoricalCrossentropy(from_logits=True)).

Provenance: tensorflow/docs site/en/tutorials/keras/classification.ipynb.
Bug: none (official tutorial).
Substitutions: Fashion-MNIST -> scikit-learn digits upscaled to 28x28 uint8 (same shape, range and
number of classes), 1200 images; epochs 10 -> 5. Scaling (/255), model, compile and fit are the tutorial's.
"""

from __future__ import annotations

from _common import callback, keras as _keras, mnist_like

KIND = "clean"
SOURCE = "tensorflow/docs site/en/tutorials/keras/classification.ipynb"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf

    train_images, train_labels = mnist_like(1200)
    train_images = train_images / 255.0
    model = tf.keras.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(10),
    ])
    model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(train_images, train_labels, epochs=5, verbose=0, callbacks=[cb] if cb else [])
    del keras
    return list(cb.session.findings) if cb else []
