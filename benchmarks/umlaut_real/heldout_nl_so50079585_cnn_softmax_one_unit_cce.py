"""NeuraLint real program (Stack Overflow question 50079585): the Keras blog's small-data image
classifier (three Conv2D(3x3)+ReLU+MaxPool blocks, Dense(64, relu), Dropout(0.5)) ending in Dense(1)
+ Activation('softmax') and compiled with categorical_crossentropy for two classes: the output is
always 1, the loss always 0, nothing is learned.

Provenance: neuralint/neuralint sample_buggy_scripts/SO Samples/50079585.py @ e27dacf (annotated by
the NeuraLint authors: "softmax is applied for more than 1-D").
Bug (benchmark): softmax over a single output unit (with categorical cross-entropy on binary labels).
Fix (accepted answer): Dense(1) + sigmoid with binary_crossentropy (or Dense(2) + softmax).
Held-out: expected keys written before UMLAUT first ran on this program: missing-softmax (the key
that reports a one-unit softmax).
Substitutions: flow_from_directory generators (150x150 RGB, rescale 1/255, shear/zoom/flip
augmentation, class_mode='binary') -> in-memory two-class RGB images made in code (32x32, /255, no
augmentation), 480 training / 96 validation images; ``input_shape=`` -> ``keras.Input``;
fit_generator -> fit with batch 16; 10 epochs -> 3.
"""

from __future__ import annotations

from _common import callback, keras as _keras, two_class_images

KIND = "buggy"
SOURCE = "NeuraLint SO Samples/50079585.py / SO 50079585"
BUG = "Dense(1) + Activation('softmax') with categorical_crossentropy: output always 1, loss always 0"
NAMES = ("missing-softmax",)


def main(umlaut: bool = True):
    keras = _keras()
    from keras.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D
    from keras.models import Sequential

    images, labels = two_class_images(576, size=32)
    x = images.astype("float32") / 255
    y = labels.astype("float32").reshape(-1, 1)
    model = Sequential()
    model.add(keras.Input((32, 32, 3)))
    model.add(Conv2D(32, (3, 3)))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Conv2D(32, (3, 3)))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Conv2D(64, (3, 3)))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(64))
    model.add(Activation("relu"))
    model.add(Dropout(0.5))
    model.add(Dense(1))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    cb = callback(model) if umlaut else None
    model.fit(x[:480], y[:480], batch_size=16, epochs=3, verbose=0, validation_data=(x[480:], y[480:]),
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
