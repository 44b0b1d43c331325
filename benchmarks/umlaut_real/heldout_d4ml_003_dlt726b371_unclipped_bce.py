"""defects4ML bug 003 (= TheDeepChecker GH_buggy_examples/DLT_726b371; gabrieleangeletti/
Deep-Learning-TensorFlow commit 726b371): a softmax regression on MNIST (zero init, Adam(0.01),
batch 10) whose cost is written by hand as ``-reduce_mean(y*log(p) + (1-y)*log(1-p))`` without
clipping: once a probability reaches 0 or 1 the cost is NaN.

Provenance: mohmehmo/defects4ml bugs/003/buggy/model.py (_create_cost_function_node) and
models/logistic_regression.py @ d2d823d (defaults: cross_entropy, learning_rate 0.01, 10 epochs, batch 10).
Bug (benchmark): wrong loss function calculation (unclipped log) -> NaN training loss.
Fix (benchmark): ``tf.log(tf.clip_by_value(p, 1e-10, inf))`` in both terms.
Held-out: expected keys written before UMLAUT first ran on this program: nan-loss.
Substitutions: TF1 graph -> Keras Dense(10, softmax, zeros init) with the same cost as a custom loss;
MNIST -> digits upscaled to 28x28, flattened, /255, 1200 images; 10 epochs -> 4.
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras, mnist_like

KIND = "buggy"
SOURCE = "defects4ML 003 / TheDeepChecker DLT_726b371"
BUG = "hand-written cross-entropy -mean(y log p + (1-y) log(1-p)) without clipping: NaN loss"
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

    def cost(ref_input, model_output):
        return -tf.reduce_mean(ref_input * tf.math.log(model_output) + (1 - ref_input) * tf.math.log(1 - model_output))

    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=cost, metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x_train, y_train, batch_size=10, epochs=4, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
