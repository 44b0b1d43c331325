"""defects4ML bug 084 (Stack Overflow question 34311586, "Keras: XOR with softmax"): the last layer is
Dense(1, activation='softmax'): softmax over a single unit outputs 1 for every input, so the XOR
network cannot learn anything (loss stuck).

Provenance: mohmehmo/defects4ml bugs/084/buggy/script.py @ d2d823d7aa993a04ff031cf433445c1d7fd81ed3.
Bug (benchmark): wrong type of activation function (softmax on a 1-unit output).
Fix (benchmark): ``Dense(1, init='uniform')`` (no softmax).
Substitutions: Keras 1 arguments -> Keras 3 (``init=`` -> ``kernel_initializer=``, ``input_dim=`` ->
``keras.Input``, ``nb_epoch`` -> ``epochs``, SGD ``lr``/``decay`` -> ``learning_rate`` (decay dropped));
result.json writing and predictions dropped.
"""

from __future__ import annotations

import numpy

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "defects4ML 084 / SO 34311586"
BUG = "Dense(1, activation='softmax') output: always 1, nothing can be learned"
NAMES = ("missing-softmax",)


def main(umlaut: bool = True):
    keras = _keras()
    from keras.layers import Dense
    from keras.models import Sequential
    from keras.optimizers import SGD

    X = numpy.array([[1., 1.], [0., 0.], [1., 0.], [0., 1.], [1., 1.], [0., 0.]])
    y = numpy.array([[0.], [0.], [1.], [1.], [0.], [0.]])
    model = Sequential()
    model.add(keras.Input((2,)))
    model.add(Dense(2, kernel_initializer="uniform", activation="sigmoid"))
    model.add(Dense(3, kernel_initializer="uniform", activation="sigmoid"))
    model.add(Dense(1, kernel_initializer="uniform", activation="softmax"))
    sgd = SGD(learning_rate=0.001, momentum=0.9, nesterov=True)
    model.compile(loss="mean_squared_error", optimizer=sgd)
    cb = callback(model) if umlaut else None
    model.fit(X, y, epochs=20, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
