"""Keras example "Image classification from scratch" (Cats vs Dogs): Rescaling inside the model, a small
Xception-like network with BatchNorm, separable convolutions and residual connections, one logit
with BinaryCrossentropy(from_logits=True), data augmentation in the tf.data pipeline.

Provenance: keras-team/keras-io examples/vision/image_classification_from_scratch.py.
Bug: none (official example).
Substitutions: Cats vs Dogs (180x180 JPEGs) -> 32x32 uint8 RGB images of two drawn classes made in
code, 480 training / 160 validation images; block widths [256, 512, 728] -> [32, 64] and the first
conv 128 -> 32 (CPU budget); epochs 25 -> 5. The layer order, loss, optimizer (Adam(3e-4)), metric
and augmentation (RandomFlip, RandomRotation(0.1)) are the example's.
"""

from __future__ import annotations

from _common import callback, keras as _keras, two_class_images

KIND = "clean"
SOURCE = "keras-io examples/vision/image_classification_from_scratch.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    keras = _keras()
    import tensorflow as tf
    from keras import layers

    x, y = two_class_images(640)
    data_augmentation_layers = [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)]

    def data_augmentation(images):
        for layer in data_augmentation_layers:
            images = layer(images)
        return images

    train_ds = tf.data.Dataset.from_tensor_slices((x[:480], y[:480])).batch(32)
    val_ds = tf.data.Dataset.from_tensor_slices((x[480:], y[480:])).batch(32)
    train_ds = train_ds.map(lambda img, label: (data_augmentation(tf.cast(img, "float32")), label))

    def make_model(input_shape, num_classes):
        inputs = keras.Input(shape=input_shape)
        x = layers.Rescaling(1.0 / 255)(inputs)
        x = layers.Conv2D(32, 3, strides=2, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        previous_block_activation = x
        for size in [32, 64]:
            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(size, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(size, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)
            x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
            residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
            x = layers.add([x, residual])
            previous_block_activation = x
        x = layers.SeparableConv2D(128, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.GlobalAveragePooling2D()(x)
        units = 1 if num_classes == 2 else num_classes
        x = layers.Dropout(0.25)(x)
        outputs = layers.Dense(units, activation=None)(x)
        return keras.Model(inputs, outputs)

    model = make_model(input_shape=(32, 32, 3), num_classes=2)
    model.compile(optimizer=keras.optimizers.Adam(3e-4), loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(name="acc")])
    cb = callback(model) if umlaut else None
    model.fit(train_ds, epochs=5, validation_data=val_ds, verbose=0, callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
