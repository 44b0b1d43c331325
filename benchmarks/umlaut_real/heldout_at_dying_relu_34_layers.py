"""AutoTrainer motivation case "DyingReLU": a 34-layer MLP (Dense(128) + Activation('relu') x 34,
Dense(10, softmax), glorot uniform) on MNIST, Adam(1e-3), categorical cross-entropy, batch 32. The
AutoTrainer authors report that the ReLUs die (accuracy stuck at chance) in about half of the runs.

Provenance: shiningrain/AUTOTRAINER Motivation/DyingReLU/train.py and minist_relu_layer=34.h5 @ 03a463e
(the architecture and the compile config read from the .h5 file's model_config / training_config).
Bug (benchmark): dying ReLU (AutoTrainer's problem class; random: about 50 % of runs).
Fix (AutoTrainer's repairs): BatchNormalization, another activation (e.g. SELU/LeakyReLU), or He init.
Held-out: expected keys written before UMLAUT first ran on this program: dead-relu or vanishing-gradient.
Substitutions: the model is built in code instead of loaded from the .h5 file; MNIST -> scikit-learn
digits upscaled to 28x28, flattened, /255 (1200 training, 300 validation images); 50 epochs -> 4;
one seeded run instead of 100 runs (the seed is fixed, so whether the ReLUs die is fixed too).
"""

from __future__ import annotations

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "AutoTrainer Motivation/DyingReLU (minist_relu_layer=34.h5)"
BUG = "34 stacked Dense(128)+ReLU layers without normalization: the ReLUs die in about half of the runs"
NAMES = ("dead-relu", "vanishing-gradient")


def main(umlaut: bool = True):
    keras = _keras()
    from keras.layers import Activation, Dense

    images, labels = mnist_like(1500)
    x = images.reshape(-1, 784).astype("float32") / 255
    y = keras.utils.to_categorical(labels, 10)
    layers = [keras.Input((784,))]
    for _ in range(34):
        layers += [Dense(128), Activation("relu")]
    model = keras.Sequential(layers + [Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x[:1200], y[:1200], batch_size=32, epochs=4, verbose=0, validation_data=(x[1200:], y[1200:]),
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
