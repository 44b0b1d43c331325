"""Keras example "Text classification from scratch" (IMDB sentiment): Embedding(max_features, 128),
Dropout(0.5), two Conv1D(128, 7, strides=3, relu), GlobalMaxPooling1D, Dense(128, relu), Dropout(0.5),
Dense(1, sigmoid) named "predictions", binary cross-entropy, Adam, validation data.

Provenance: keras-team/keras-io examples/nlp/text_classification_from_scratch.py.
Bug: none (official example).
Substitutions: the raw IMDB text + TextVectorization layer -> token ids made in code (the same
integer sequences the vectorization layer produces: vocabulary 2000 instead of 20000, length 100
instead of 500, 0 = padding), 1200 training / 300 validation reviews, batch 32; epochs 3 (as in the
example).
"""

from __future__ import annotations

from _common import callback, keras as _keras, reviews

KIND = "clean"
SOURCE = "keras-io examples/nlp/text_classification_from_scratch.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers

    max_features, embedding_dim = 2000, 128
    x, y = reviews(1500, length=100, vocab=max_features)
    inputs = keras.Input(shape=(None,), dtype="int64")
    h = layers.Embedding(max_features, embedding_dim)(inputs)
    h = layers.Dropout(0.5)(h)
    h = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(h)
    h = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(h)
    h = layers.GlobalMaxPooling1D()(h)
    h = layers.Dense(128, activation="relu")(h)
    h = layers.Dropout(0.5)(h)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(h)
    model = keras.Model(inputs, predictions)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x[:1200], y[:1200], validation_data=(x[1200:], y[1200:]), epochs=3, batch_size=32, verbose=0,
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
