"""NeuraLint real program (Stack Overflow question 51749207): a Conv1D binary classifier of
600-sample signals, Conv1D(20, 4, relu) -> MaxPooling1D(2) -> Dropout(0.3) -> Flatten -> Dense(50,
relu) -> Dense(1, activation='softmax'), binary cross-entropy, Nadam: the one-unit softmax always
outputs 1 and the accuracy is stuck at the share of positives.

Provenance: neuralint/neuralint sample_buggy_scripts/SO Samples/51749207.py @ e27dacf.
Bug (benchmark): softmax on a single output unit (binary classification).
Fix (accepted answer): Dense(1, activation='sigmoid').
Held-out: expected keys written before UMLAUT first ran on this program: missing-softmax (the key
that reports a one-unit softmax).
Substitutions: ``input_dim=600`` on the hidden Dense dropped (ignored by Keras after the first
layer); the question's signals -> FordA-like z-normalized series of length 600 made in code (labels
0/1), 600 training and 150 validation series; 100 epochs -> 3.
"""

from __future__ import annotations

from _common import callback, keras as _keras, series

KIND = "buggy"
SOURCE = "NeuraLint SO Samples/51749207.py / SO 51749207"
BUG = "Dense(1, activation='softmax') with binary_crossentropy: the output is always 1"
NAMES = ("missing-softmax",)


def main(umlaut: bool = True):
    keras = _keras()
    from keras.layers import Conv1D, Dense, Dropout, Flatten, MaxPooling1D
    from keras.models import Sequential

    x, y = series(750, length=600)
    X, Y = x[:600, :, None], (y[:600] > 0).astype("float32")
    X1, Y1 = x[600:, :, None], (y[600:] > 0).astype("float32")
    model = Sequential()
    model.add(keras.Input((600, 1)))
    model.add(Conv1D(filters=20, kernel_size=4, activation="relu", padding="same"))
    model.add(MaxPooling1D(pool_size=2))
    model.add(Dropout(0.3))
    model.add(Flatten())
    model.add(Dense(50, activation="relu"))
    model.add(Dense(1, activation="softmax"))
    model.compile(loss="binary_crossentropy", optimizer="nadam", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(X, Y, epochs=3, batch_size=8, verbose=0, validation_data=(X1, Y1), callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
