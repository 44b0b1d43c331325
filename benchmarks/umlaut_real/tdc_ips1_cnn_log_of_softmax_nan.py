"""TheDeepChecker SO program IPS_1 (Stack Overflow question 33712178, "Tensorflow NaN bug?"): the
TensorFlow "Deep MNIST for experts" CNN with ``cross_entropy = -tf.reduce_sum(y_ * tf.log(y_conv))``;
training goes NaN after a while (log of a softmax output that underflows to 0).

Provenance: thedeepchecker/thedeepchecker SO_buggy_examples/IPS_1.py @ d0a2b3a5339b50c3f0b147231e295d3db25017fb.
Bug (benchmark): numerically unstable hand-written cross-entropy -> NaN loss.
Fix (accepted answer): clip the probabilities or use softmax_cross_entropy_with_logits.
Substitutions: TF1 graph -> Keras layers of the same shapes (conv 5x5x32, pool, conv 5x5x64, pool,
fc 1024, dropout, fc 10 softmax; weights truncated_normal(0.1), biases 0.1) with the same loss summed
over the batch; keep_prob 0.5 -> Dropout(0.5); Adam(1e-4) -> Adam(1e-3) with fc 1024 -> 256 and
conv widths /2 so that the collapse shows within a CPU budget of 4 epochs; MNIST -> digits upscaled
to 28x28, /255, 1200 images, batch 50.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker SO_buggy_examples/IPS_1.py / SO 33712178"
BUG = "CNN with cross-entropy written as -sum(y * log(softmax)): NaN loss"
NAMES = ("nan-loss", "unstable-loss")


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf
    from keras import layers

    images, labels = mnist_like(1200)
    x_train = (images.astype("float32") / 255.0)[..., None]
    y_train = np.eye(10, dtype="float32")[labels]
    w = dict(kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.1),
             bias_initializer=keras.initializers.Constant(0.1))
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(16, 5, padding="same", activation="relu", **w), layers.MaxPooling2D(2, padding="same"),
        layers.Conv2D(32, 5, padding="same", activation="relu", **w), layers.MaxPooling2D(2, padding="same"),
        layers.Flatten(), layers.Dense(256, activation="relu", **w), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax", **w),
    ])

    def cross_entropy(y_, y_conv):
        return -tf.reduce_sum(y_ * tf.math.log(y_conv))

    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=cross_entropy, metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=50, epochs=4, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
