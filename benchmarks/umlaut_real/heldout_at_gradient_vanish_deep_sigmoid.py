"""AutoTrainer demo case "Gradient_Vanish_Case": a 9-layer MLP of sigmoid Dense(5) layers on
scikit-learn's two circles (inputs scaled by 100), Adam(1e-3), binary cross-entropy, batch 128.
Accuracy stays at 50 %: the gradients vanish through eight sigmoid layers.

Provenance: shiningrain/AUTOTRAINER AutoTrainer/demo_case/Gradient_Vanish_Case/demo.py, model.h5 and
config.pkl @ 03a463e (the model read from model.h5: 8 x Dense(5, sigmoid) + Dense(1, sigmoid), glorot
uniform; the config: Adam lr 1e-3, batch 128, 300 epochs, binary_crossentropy, dataset simplednn_circle
from AutoTrainer/data/simplednn.py: make_circles(1000, noise 0.1, random_state 1) * 100, first 700 for
training, the rest for validation).
Bug (benchmark): gradient vanishing (AutoTrainer's problem class).
Fix (AutoTrainer's repair): ReLU/SELU activations or BatchNormalization (its solution "vanish_selu").
Held-out: expected keys written before UMLAUT first ran on this program: vanishing-gradient or
saturated-activation.
Substitutions: the model is built in code instead of loaded from model.h5; 300 epochs -> 40.
"""

from __future__ import annotations

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "AutoTrainer demo_case/Gradient_Vanish_Case"
BUG = "8 stacked sigmoid Dense(5) layers: the gradient vanishes, accuracy stays at 50%"
NAMES = ("vanishing-gradient", "saturated-activation")


def main(umlaut: bool = True):
    keras = _keras()
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=1000, noise=0.1, random_state=1)
    X = X * 100
    x, x_val, y, y_val = X[:700], X[700:], y[:700], y[700:]
    model = keras.Sequential([keras.Input((2,))] + [keras.layers.Dense(5, activation="sigmoid") for _ in range(8)]
                             + [keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="binary_crossentropy",
                  metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x, y, batch_size=128, epochs=40, validation_data=(x_val, y_val), verbose=0,
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
