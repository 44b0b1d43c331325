"""AutoTrainer demo case "Improper_Activation_case": four Dense(50, relu, he_uniform) layers and a
Dense(3, activation='relu') output trained with categorical cross-entropy on scikit-learn blobs
(inputs scaled by 100), Adam(1e-4), batch 256.

Provenance: shiningrain/AUTOTRAINER AutoTrainer/demo_case/Improper_Activation_case/demo_activation.py
@ 03a463e (the model and the training config are written in that file; dataset simplednn_blob:
make_blobs(1000, centers 3, 2 features, cluster_std 2, random_state 2) * 100, one-hot labels).
Bug (benchmark): improper activation: ReLU on the output of a categorical cross-entropy classifier.
Fix: softmax on the output layer.
Held-out: expected keys written before UMLAUT first ran on this program: missing-softmax.
Substitutions: the save/load of model.h5 and config.pkl dropped (the same objects are used directly);
300 epochs -> 20.
"""

from __future__ import annotations

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "AutoTrainer demo_case/Improper_Activation_case/demo_activation.py"
BUG = "Dense(3, activation='relu') output under categorical_crossentropy (no softmax)"
NAMES = ("missing-softmax",)


def main(umlaut: bool = True):
    keras = _keras()
    from keras.layers import Dense
    from keras.models import Sequential
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=1000, centers=3, n_features=2, cluster_std=2, random_state=2)
    X = X * 100
    y = keras.utils.to_categorical(y)
    x, x_val, y, y_val = X[:700], X[700:], y[:700], y[700:]
    model = Sequential()
    model.add(keras.Input((2,)))
    model.add(Dense(50, activation="relu", kernel_initializer="he_uniform"))
    model.add(Dense(50, activation="relu", kernel_initializer="he_uniform"))
    model.add(Dense(50, activation="relu", kernel_initializer="he_uniform"))
    model.add(Dense(50, activation="relu", kernel_initializer="he_uniform"))
    model.add(Dense(3, activation="relu"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0001), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x, y, batch_size=256, epochs=20, validation_data=(x_val, y_val), verbose=0,
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
