"""TensorFlow tutorial "Basic regression: Predict fuel efficiency" (Auto MPG): the DNN with a
Normalization layer adapted to the training features, mean absolute error, Adam(0.001),
validation_split=0.2.

Provenance: tensorflow/docs site/en/tutorials/keras/regression.ipynb (dnn_model).
Bug: none (official tutorial).
Substitutions: the Auto MPG CSV -> 314 training rows made in code with the same columns, ranges and
units (cylinders 3-8, displacement 70-455, horsepower 46-230, weight 1613-5140, acceleration 8-25,
model year 70-82, origin one-hot) and an MPG target of 9-47 from a physical-ish formula plus noise;
epochs 100 -> 30. Model, loss, optimizer and fit arguments are the tutorial's.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "clean"
SOURCE = "tensorflow/docs site/en/tutorials/keras/regression.ipynb"
BUG = ""
NAMES: tuple[str, ...] = ()


def auto_mpg(n: int = 314, seed: int = 0):
    rng = np.random.default_rng(seed)
    cylinders = rng.choice([4, 6, 8, 3, 5], n, p=[0.5, 0.22, 0.25, 0.01, 0.02]).astype(float)
    displacement = np.clip(cylinders * rng.normal(40, 8, n), 70, 455)
    horsepower = np.clip(displacement * rng.normal(0.55, 0.08, n) + 20, 46, 230)
    weight = np.clip(1000 + displacement * 7 + rng.normal(0, 250, n), 1613, 5140)
    acceleration = np.clip(25 - horsepower / 15 + rng.normal(0, 1.5, n), 8, 25)
    year = rng.integers(70, 83, n).astype(float)
    origin = rng.choice([1, 2, 3], n, p=[0.62, 0.18, 0.2])
    mpg = 2.2e5 / (weight + 15 * horsepower) - 20 + 0.8 * (year - 70) + rng.normal(0, 2, n)
    mpg = np.clip(mpg, 9, 47)
    onehot = np.eye(3)[origin - 1]
    features = np.column_stack([cylinders, displacement, horsepower, weight, acceleration, year, onehot])
    return features.astype("float32"), mpg.astype("float32")


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf
    from tensorflow.keras import layers

    train_features, train_labels = auto_mpg()
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(np.array(train_features))

    def build_and_compile_model(norm):
        model = keras.Sequential([norm, layers.Dense(64, activation="relu"), layers.Dense(64, activation="relu"),
                                  layers.Dense(1)])
        model.compile(loss="mean_absolute_error", optimizer=tf.keras.optimizers.Adam(0.001))
        return model

    dnn_model = build_and_compile_model(normalizer)
    cb = callback(dnn_model) if umlaut else None
    dnn_model.fit(train_features, train_labels, validation_split=0.2, verbose=0, epochs=30,
                  callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
