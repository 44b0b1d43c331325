"""defects4ML bug 046 (GitHub DanilaEremenko/NeuralNetwork, commit eba6bed, XOR.py): a 2-8-1 network
(Dense(8) + tanh, Dense(1) + sigmoid) trained on the four XOR points with SGD(0.1), batch size 1 and
1000 epochs, binary cross-entropy; the benchmark reports an accuracy below what it should reach.

Provenance: mohmehmo/defects4ml bugs/046/buggy/XOR.py @ d2d823d7aa993a04ff031cf433445c1d7fd81ed3.
Bug (benchmark): wrong type of activation function (the output activation) -> lower accuracy.
Fix (benchmark): ``Activation('hard_sigmoid')`` on the output and 300 epochs.
Held-out: expected keys written before UMLAUT first ran on this program: saturated-activation.
Substitutions: Keras 1 -> 3 (``input_dim`` -> ``keras.Input``, ``nb_epoch`` -> ``epochs``, ``lr`` ->
``learning_rate``); 1000 epochs -> 150 (a CPU budget: 1000 one-sample epochs take minutes);
result.json writing and predict dropped; seeded.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "defects4ML 046 / DanilaEremenko/NeuralNetwork@eba6bed"
BUG = "XOR net with a sigmoid output (benchmark: wrong output activation; fix hard_sigmoid)"
NAMES = ("saturated-activation",)


def main(umlaut: bool = True):
    keras = _keras()
    from keras.layers import Activation, Dense
    from keras.models import Sequential
    from keras.optimizers import SGD

    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    outputs = np.array([[0], [1], [1], [0]])
    model = Sequential()
    model.add(keras.Input((2,)))
    model.add(Dense(units=8))
    model.add(Activation("tanh"))
    model.add(Dense(1))
    model.add(Activation("sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.1), metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(inputs, outputs, batch_size=1, epochs=150, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
