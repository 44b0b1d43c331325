"""Keras example "Sequence to sequence learning for performing number addition": questions like
"535+61 " encoded one-hot (reversed), LSTM(128) encoder, RepeatVector(DIGITS + 1), LSTM(128,
return_sequences=True) decoder, Dense(len(chars), softmax), categorical cross-entropy, Adam.

Provenance: keras-team/keras-io examples/nlp/addition_rnn.py.
Bug: none (official example; its data is generated in code, as here).
Substitutions: TRAINING_SIZE 50000 -> 4000 (90/10 split as in the example); the example's 30
one-epoch fits with sample predictions -> one fit of 4 epochs; batch 32.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "clean"
SOURCE = "keras-io examples/nlp/addition_rnn.py"
BUG = ""
NAMES: tuple[str, ...] = ()


class CharacterTable:
    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.char_indices = {c: i for i, c in enumerate(self.chars)}

    def encode(self, C, num_rows):
        x = np.zeros((num_rows, len(self.chars)))
        for i, c in enumerate(C):
            x[i, self.char_indices[c]] = 1
        return x


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers

    TRAINING_SIZE, DIGITS, REVERSE = 4000, 3, True
    MAXLEN = DIGITS + 1 + DIGITS
    chars = "0123456789+ "
    ctable = CharacterTable(chars)
    questions, expected, seen = [], [], set()
    rng = np.random.default_rng(0)
    while len(questions) < TRAINING_SIZE:
        def f():
            return int("".join(rng.choice(list("0123456789")) for _ in range(rng.integers(1, DIGITS + 1))))
        a, b = f(), f()
        key = tuple(sorted((a, b)))
        if key in seen:
            continue
        seen.add(key)
        q = f"{a}+{b}"
        query = q + " " * (MAXLEN - len(q))
        ans = str(a + b)
        ans += " " * (DIGITS + 1 - len(ans))
        if REVERSE:
            query = query[::-1]
        questions.append(query)
        expected.append(ans)
    x = np.zeros((len(questions), MAXLEN, len(chars)), dtype=bool)
    y = np.zeros((len(questions), DIGITS + 1, len(chars)), dtype=bool)
    for i, sentence in enumerate(questions):
        x[i] = ctable.encode(sentence, MAXLEN)
    for i, sentence in enumerate(expected):
        y[i] = ctable.encode(sentence, DIGITS + 1)
    indices = np.arange(len(y))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    split_at = len(x) - len(x) // 10
    (x_train, x_val), (y_train, y_val) = (x[:split_at], x[split_at:]), (y[:split_at], y[split_at:])

    model = keras.Sequential()
    model.add(layers.Input((MAXLEN, len(chars))))
    model.add(layers.LSTM(128))
    model.add(layers.RepeatVector(DIGITS + 1))
    model.add(layers.LSTM(128, return_sequences=True))
    model.add(layers.Dense(len(chars), activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=32, epochs=4, validation_data=(x_val, y_val), verbose=0,
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
