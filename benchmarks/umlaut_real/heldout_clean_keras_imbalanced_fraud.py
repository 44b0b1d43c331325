"""Keras example "Imbalanced classification: credit card fraud detection": features normalized with
the training mean/std, Dense(256, relu) x 2 and Dense(256, relu) with Dropout(0.3), Dense(1,
sigmoid), Adam(1e-2), binary cross-entropy with ``class_weight`` = 1/count per class, batch 2048,
validation data.

Provenance: keras-team/keras-io examples/structured_data/imbalanced_classification.py.
Bug: none (official example; the 0.17 % positive rate is handled by class_weight on purpose).
Substitutions: the Kaggle creditcard.csv (284807 x 30 features, 0.17 % fraud) -> 24000 rows of 30
features made in code with the same positive rate (fraud rows shifted in a few features) and a
heavy-tailed "Amount" column, split 80/20 as in the example; the metrics list (FN/FP/TN/TP,
precision, recall) kept; 30 epochs -> 6.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "clean"
SOURCE = "keras-io examples/structured_data/imbalanced_classification.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()

    rng = np.random.default_rng(0)
    n = 24000
    targets = (rng.random(n) < 0.0017).astype("uint8")
    features = rng.normal(0, 1, (n, 30)).astype("float32")
    features[:, 0] = rng.uniform(0, 172792, n)           # "Time" in seconds
    features[:, 29] = rng.lognormal(3, 1.5, n)           # "Amount"
    features[targets == 1, 1:8] += rng.normal(-3, 1, (int(targets.sum()), 7))
    num_val_samples = int(len(features) * 0.2)
    train_features, train_targets = features[:-num_val_samples], targets[:-num_val_samples]
    val_features, val_targets = features[-num_val_samples:], targets[-num_val_samples:]
    counts = np.bincount(train_targets)
    mean, std = np.mean(train_features, axis=0), np.std(train_features, axis=0)
    train_features = (train_features - mean) / std
    val_features = (val_features - mean) / std

    model = keras.Sequential([
        keras.Input(shape=train_features.shape[1:]),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    metrics = [keras.metrics.FalseNegatives(name="fn"), keras.metrics.FalsePositives(name="fp"),
               keras.metrics.TrueNegatives(name="tn"), keras.metrics.TruePositives(name="tp"),
               keras.metrics.Precision(name="precision"), keras.metrics.Recall(name="recall")]
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=metrics)
    class_weight = {0: 1.0 / counts[0], 1: 1.0 / counts[1]}
    cb = callback(model) if umlaut else None
    model.fit(train_features, train_targets, batch_size=2048, epochs=6, verbose=0,
              validation_data=(val_features, val_targets), class_weight=class_weight,
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
