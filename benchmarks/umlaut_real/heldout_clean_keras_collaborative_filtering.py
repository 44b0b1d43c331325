"""Keras example "Collaborative Filtering for Movie Recommendations" (MovieLens): RecommenderNet
(user and movie embeddings of size 50 with L2 regularization, per-user and per-movie biases, dot
product + biases, sigmoid), binary cross-entropy on ratings min-max scaled to [0, 1], Adam(1e-3),
batch 64, 90/10 split.

Provenance: keras-team/keras-io examples/structured_data/collaborative_filtering_movielens.py.
Bug: none (official example; the targets are fractional ratings in [0, 1] under a binary
cross-entropy on purpose).
Substitutions: ml-latest-small ratings.csv (100836 ratings, 610 users, 9724 movies, ratings 0.5..5
in steps of 0.5) -> 12000 ratings of 300 users x 800 movies made in code from random latent factors,
rounded to the same 0.5..5 scale; epochs 5 (as in the example).
"""

from __future__ import annotations

import numpy as np

from _common import callback, keras as _keras

KIND = "clean"
SOURCE = "keras-io examples/structured_data/collaborative_filtering_movielens.py"
BUG = ""
NAMES: tuple[str, ...] = ()

EMBEDDING_SIZE = 50


def main(umlaut: bool = True):
    keras = _keras()
    from keras import layers, ops

    rng = np.random.default_rng(0)
    num_users, num_movies, n = 300, 800, 12000
    users, movies = rng.integers(0, num_users, n), rng.integers(0, num_movies, n)
    u, m = rng.normal(0, 1, (num_users, 4)), rng.normal(0, 1, (num_movies, 4))
    raw = 3.5 + 0.6 * np.sum(u[users] * m[movies], 1) / 2 + rng.normal(0, 0.5, n)
    rating = np.clip(np.round(raw * 2) / 2, 0.5, 5.0)
    min_rating, max_rating = rating.min(), rating.max()
    x = np.stack([users, movies], 1)
    y = (rating - min_rating) / (max_rating - min_rating)
    train_indices = int(0.9 * n)
    x_train, x_val, y_train, y_val = x[:train_indices], x[train_indices:], y[:train_indices], y[train_indices:]

    class RecommenderNet(keras.Model):
        def __init__(self, num_users, num_movies, embedding_size, **kwargs):
            super().__init__(**kwargs)
            self.user_embedding = layers.Embedding(num_users, embedding_size, embeddings_initializer="he_normal",
                                                   embeddings_regularizer=keras.regularizers.l2(1e-6))
            self.user_bias = layers.Embedding(num_users, 1)
            self.movie_embedding = layers.Embedding(num_movies, embedding_size, embeddings_initializer="he_normal",
                                                    embeddings_regularizer=keras.regularizers.l2(1e-6))
            self.movie_bias = layers.Embedding(num_movies, 1)

        def call(self, inputs):
            user_vector = self.user_embedding(inputs[:, 0])
            user_bias = self.user_bias(inputs[:, 0])
            movie_vector = self.movie_embedding(inputs[:, 1])
            movie_bias = self.movie_bias(inputs[:, 1])
            dot_user_movie = ops.tensordot(user_vector, movie_vector, 2)
            x = dot_user_movie + user_bias + movie_bias
            return ops.nn.sigmoid(x)

    model = RecommenderNet(num_users, num_movies, EMBEDDING_SIZE)
    model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(learning_rate=0.001))
    cb = callback(model) if umlaut else None
    model.fit(x=x_train, y=y_train, batch_size=64, epochs=5, verbose=0, validation_data=(x_val, y_val),
              callbacks=[cb] if cb else [])
    return list(cb.session.findings) if cb else []
