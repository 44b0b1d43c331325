"""defects4ML bug 078 (Stack Overflow question 50306988): a 2-2-1 sigmoid network on two well separated
clusters stays at 50 % accuracy: RMSprop's default learning rate (1e-3) is far too low for 5 epochs
of 13 batches on this data.

Provenance: mohmehmo/defects4ml bugs/078/buggy/script.py @ d2d823d7aa993a04ff031cf433445c1d7fd81ed3.
Bug (benchmark): suboptimal learning rate (symptom: accuracy stays near 50 %).
Fix (benchmark): ``optimizer=optimizers.Adam(lr=1e-1)``.
Substitutions: ``input_shape=`` -> ``keras.Input``; seeded NumPy; result.json writing dropped.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "buggy"
SOURCE = "defects4ML 078 / SO 50306988"
BUG = "RMSprop default learning rate too low for this data and epoch budget (accuracy stays ~50%)"
NAMES = ("lr-out-of-range",)


def main(umlaut: bool = True):
    keras = _keras()
    from keras.layers import Dense
    from keras.models import Sequential

    np.random.seed(0)
    n_samples, n_feats = 200, 2
    cls0 = np.random.uniform(low=0.2, high=0.4, size=(n_samples, n_feats))
    cls1 = np.random.uniform(low=0.5, high=0.7, size=(n_samples, n_feats))
    x_train = np.concatenate((cls0, cls1))
    y_train = np.concatenate((np.zeros((n_samples,)), np.ones((n_samples,))))
    indices = np.arange(x_train.shape[0])
    np.random.shuffle(indices)
    x_train, y_train = x_train[indices], y_train[indices]

    model = Sequential()
    model.add(keras.Input((n_feats,)))
    model.add(Dense(2, activation="sigmoid"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, epochs=5, batch_size=32, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
