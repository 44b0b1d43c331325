"""AutoTrainer demo case "Oscillating_Loss_Case": Dense(50, relu) + Dense(3, softmax) on scikit-learn
blobs (3 centres, inputs scaled by 100), SGD(lr 0.01, momentum 0.9) with batch size 1, categorical
cross-entropy. The training loss oscillates instead of settling.

Provenance: shiningrain/AUTOTRAINER AutoTrainer/demo_case/Oscillating_Loss_Case/demo.py, model.h5 and
config.pkl @ 03a463e (model read from model.h5; config: SGD lr 0.01 momentum 0.9, batch 1, 200 epochs,
categorical_crossentropy, dataset simplednn_blob: make_blobs(1000, centers 3, 2 features, cluster_std 2,
random_state 2) * 100, one-hot labels, first 700 for training).
Bug (benchmark): unstable training / oscillating loss (AutoTrainer's problem class; the causes in
the code are the raw inputs scaled by 100 and plain SGD with momentum at batch size 1).
Fix (AutoTrainer's repair "unstable_adam"): Adam instead of SGD (normalizing the inputs also fixes it).
Held-out: expected keys written before UMLAUT first ran on this program: loss-oscillating or
input-not-normalized.
Substitutions: model built in code instead of loaded from model.h5; 200 epochs -> 4.
"""

from __future__ import annotations

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "AutoTrainer demo_case/Oscillating_Loss_Case"
BUG = "inputs scaled x100, SGD(0.01, momentum 0.9) at batch size 1: the loss oscillates"
NAMES = ("loss-oscillating", "input-not-normalized")


def main(umlaut: bool = True):
    keras = _keras()
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=1000, centers=3, n_features=2, cluster_std=2, random_state=2)
    X = X * 100
    y = keras.utils.to_categorical(y)
    x, x_val, y, y_val = X[:700], X[700:], y[:700], y[700:]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(50, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x, y, batch_size=1, epochs=4, validation_data=(x_val, y_val), verbose=0,
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
