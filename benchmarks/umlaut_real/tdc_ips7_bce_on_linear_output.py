"""TheDeepChecker SO program IPS_7: a one-hidden-layer sigmoid MLP on MNIST whose output layer is
linear, with a hand-written binary cross-entropy ``-y log(y_) - (1 - y) log(1 - y_)`` taken on the raw
outputs (the commented-out line shows the intended sigmoid_cross_entropy_with_logits).

Provenance: thedeepchecker/thedeepchecker SO_buggy_examples/IPS_7.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): the loss expects probabilities but the output has no sigmoid/softmax (log of
negative numbers -> NaN, or a clipped loss that cannot learn).
Fix: sigmoid_cross_entropy_with_logits on the raw outputs.
Substitutions: TF1 graph -> Keras Dense(512, sigmoid) and Dense(10) (no bias, random_normal std 1
weights as in the original) with BinaryCrossentropy() (expects probabilities, like the hand-written
formula); GD(0.05) -> SGD(0.05); MNIST -> digits 28x28, /255, one-hot, 1200 images, batch 100, 4 epochs.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker SO_buggy_examples/IPS_7.py"
BUG = "binary cross-entropy formula on a linear output (no sigmoid)"
NAMES = ("missing-softmax",)


def main(umlaut: bool = True):
    keras = _keras()

    images, labels = mnist_like(1200)
    x_train = images.reshape(len(images), -1).astype("float32") / 255.0
    y_train = np.eye(10, dtype="float32")[labels]
    init = keras.initializers.RandomNormal(stddev=1.0)
    model = keras.Sequential([keras.Input((784,)),
                              keras.layers.Dense(512, activation="sigmoid", use_bias=False, kernel_initializer=init),
                              keras.layers.Dense(10, use_bias=False, kernel_initializer=init)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=keras.losses.BinaryCrossentropy(), metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=100, epochs=4, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
