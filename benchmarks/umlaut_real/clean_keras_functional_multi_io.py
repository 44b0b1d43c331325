"""Keras guide "The Functional API": the multi-input, multi-output ticket-ranking model (title, body
and tags in; priority and department out).

Provenance: keras-team/keras-io guides/functional_api.py, section "Models with multiple inputs and outputs".
Bug: none (official guide; its data are random, as in the guide).
Substitutions: none in the model or training call (num_words 10000, 1280 samples, epochs=2,
batch_size=32); title/body lengths 10 and 100 as in the guide.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "clean"
SOURCE = "keras-io guides/functional_api.py (multiple inputs and outputs)"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers

    num_tags, num_words, num_departments = 12, 10000, 4
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.Embedding(num_words, 64)(title_input)
    body_features = layers.Embedding(num_words, 64)(body_input)
    title_features = layers.LSTM(128)(title_features)
    body_features = layers.LSTM(32)(body_features)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    model = keras.Model(inputs=[title_input, body_input, tags_input], outputs={"priority": priority_pred,
                                                                            "department": department_pred})
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
              "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
        loss_weights={"priority": 1.0, "department": 0.2},
    )
    title_data = np.random.randint(num_words, size=(1280, 10))
    body_data = np.random.randint(num_words, size=(1280, 100))
    tags_data = np.random.randint(2, size=(1280, num_tags)).astype("float32")
    priority_targets = np.random.random(size=(1280, 1))
    dept_targets = np.random.randint(2, size=(1280, num_departments))
    cb = callback(model) if umlaut else None
    model.fit({"title": title_data, "body": body_data, "tags": tags_data},
              {"priority": priority_targets, "department": dept_targets}, epochs=2, batch_size=32, verbose=0,
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
