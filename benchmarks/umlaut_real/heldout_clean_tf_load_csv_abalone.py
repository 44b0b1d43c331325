"""TensorFlow tutorial "Load CSV data" (abalone age regression with a Normalization layer):
``normalize = layers.Normalization(); normalize.adapt(abalone_features)``, then Sequential([normalize,
Dense(64, relu), Dense(1)]), MeanSquaredError, Adam, 10 epochs.

Provenance: tensorflow/docs site/en/tutorials/load_data/csv.ipynb ("Data preprocessing" section).
Bug: none (official tutorial).
Substitutions: abalone_train.csv (3320 rows: Length, Diameter, Height, Whole/Shucked/Viscera/Shell
weight, Age 1..29) -> 3320 rows made in code with the same ranges and correlations (sizes in
0.07..0.8, weights in 0..2.8 grow with size cubed, age grows with shell weight plus noise, rounded);
batch 32 (fit's default, as in the tutorial); 10 epochs (as in the tutorial).
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "clean"
SOURCE = "tensorflow/docs site/en/tutorials/load_data/csv.ipynb"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers

    rng = np.random.default_rng(0)
    n = 3320
    length = rng.uniform(0.075, 0.815, n)
    diameter = length * rng.normal(0.79, 0.03, n)
    height = length * rng.normal(0.27, 0.04, n)
    whole = np.clip(1.6 * length ** 3 * 4 + rng.normal(0, 0.05, n), 0.002, 2.83)
    shucked, viscera, shell = whole * 0.43, whole * 0.22, whole * 0.29
    abalone_features = np.stack([length, diameter, height, whole, shucked, viscera, shell], 1).astype("float32")
    abalone_labels = np.clip(np.round(4 + 14 * shell / shell.max() * 2 + rng.normal(0, 2, n)), 1, 29).astype("float32")

    normalize = layers.Normalization()
    normalize.adapt(abalone_features)
    norm_abalone_model = keras.Sequential([normalize, layers.Dense(64, activation="relu"), layers.Dense(1)])
    norm_abalone_model.compile(loss=keras.losses.MeanSquaredError(), optimizer=keras.optimizers.Adam())
    cb = callback(norm_abalone_model) if umlaut else None
    norm_abalone_model.fit(abalone_features, abalone_labels, epochs=10, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
