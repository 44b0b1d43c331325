"""TensorFlow tutorial "Basic text classification" (IMDB sentiment, tensorflow/docs,
site/en/tutorials/keras/text_classification.ipynb).

Provenance: tensorflow/docs site/en/tutorials/keras/text_classification.ipynb.
Bug: none (official tutorial).
Substitutions: the IMDB reviews and the TextVectorization layer -> already vectorized token ids made in
code (vocabulary 2000 instead of 10000, sequences of 100 padded with 0, Zipf-distributed words with
sentiment words); 1000 training / 250 validation reviews; epochs 10 -> 6. The model, loss
(BinaryCrossentropy(from_logits=True)), optimizer and metric are the tutorial's.
"""

from __future__ import annotations

from _common import callback, keras as _keras, reviews

KIND = "clean"
SOURCE = "tensorflow/docs site/en/tutorials/keras/text_classification.ipynb"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf
    from keras import layers, losses

    max_features, embedding_dim = 2000, 16
    x, y = reviews(1250)
    train_ds = tf.data.Dataset.from_tensor_slices((x[:1000], y[:1000])).shuffle(1000, seed=0).batch(32)
    val_ds = tf.data.Dataset.from_tensor_slices((x[1000:], y[1000:])).batch(32)

    model = keras.Sequential([
        layers.Embedding(max_features + 1, embedding_dim),
        layers.Dropout(0.2),
        layers.GlobalAveragePooling1D(),
        layers.Dropout(0.2),
        layers.Dense(1),
    ])
    model.compile(loss=losses.BinaryCrossentropy(from_logits=True), optimizer="adam",
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
    cb = callback(model) if umlaut else None
    model.fit(train_ds, validation_data=val_ds, epochs=6, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
