"""TheDeepChecker GitHub program DLT_437c9c2 (gabrieleangeletti/Deep-Learning-TensorFlow, commit
437c9c2, LogisticRegression): softmax regression on MNIST with zero initial weights, plain gradient
descent (lr 0.01, batch 10) and the hand-written cost ``-reduce_sum(y * log(softmax))`` summed over
the batch: log(0) once a probability underflows, NaN cost.

Provenance: thedeepchecker/thedeepchecker GH_buggy_examples/DLT_437c9c2/tf_models/logistic_regression.py
@ d0a2b3a (defaults: loss_func cross_entropy, learning_rate 0.01, num_epochs 10, batch_size 10).
Bug (benchmark): numerically unstable hand-written cross-entropy (log of softmax), summed over the batch.
Fix: tf.nn.softmax_cross_entropy_with_logits on the logits (and a mean over the batch).
Held-out: expected keys written before UMLAUT first ran on this program: nan-loss.
Substitutions: TF1 graph -> one Keras Dense(10, softmax, zeros init) with the same cost as a custom
loss; MNIST -> digits upscaled to 28x28, flattened, /255 (the program's loader scales to [0, 1]),
1200 images; 10 epochs -> 4.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "TheDeepChecker GH_buggy_examples/DLT_437c9c2"
BUG = "cost = -reduce_sum(y * log(softmax)) over the batch, GD(0.01): log(0) -> NaN"
NAMES = ("nan-loss",)


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf

    images, labels = mnist_like(1200)
    x_train = images.reshape(-1, 784).astype("float32") / 255
    y_train = np.eye(10, dtype="float32")[labels]
    model = keras.Sequential([keras.Input((784,)),
                              keras.layers.Dense(10, activation="softmax", kernel_initializer="zeros",
                                                 bias_initializer="zeros")])

    def cost(y, model_output):
        return -tf.reduce_sum(y * tf.math.log(model_output))

    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=cost, metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=10, epochs=4, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
