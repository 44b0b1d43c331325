"""ACUMEN test fixtures: a private cache dir per test and small projects written to tmp folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from acumen_helpers import VISION_README, notebook, write


@pytest.fixture(autouse=True)
def acumen_cache(tmp_path, monkeypatch):
    """Every test gets its own ACUMEN cache, never the user's ~/.cache/mlnb."""
    path = tmp_path / "mlnb-cache"
    monkeypatch.setenv("MLNB_CACHE", str(path))
    return path / "acumen"


@pytest.fixture
def vision_project(tmp_path) -> Path:
    """A PyTorch vision project with every kind of file ingest must handle."""
    root = tmp_path / "tomato-detector"
    write(root, {
        "README.md": VISION_README,
        "train.py": "import torch\nimport torch.nn as nn\nfrom torchvision import models\n\n"
                    "def train(model, images, boxes):\n    loss = nn.functional.smooth_l1_loss(model(images), boxes)\n    return loss\n",
        "models/detector.py": "import torch.nn as nn\n\nclass Detector(nn.Module):\n    def forward(self, image):\n"
                              "        return self.conv(image)  # bbox regression head\n",
        "broken_syntax.py": "import numpy as np\ndef f(:\n    pass\n",
        "latin1_cookie.py": "# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1"),
        "latin1_nocookie.py": "name = 'caf\xe9 ol\xe9'\n".encode("latin-1"),
        "nul.py": b"\x00\x01\x02binary pretending to be python",
        "weights.pth": bytes(range(256)) * 10,
        "huge.py": "x = 1\n" * 5000,  # 30 kB; tests pass max_file_bytes=20_000
        "demo.ipynb": notebook([("markdown", "# Demo\nSome *markdown* that is not code"),
                                ("code", "%matplotlib inline\nimport torch\nmodel = torch.hub.load('x', 'y')"),
                                ("code", "!pip install tqdm\npreds = model(images)")]),
        "broken.ipynb": '{"cells": [ {"cell_type": "code", "source": "x = ',
        "venv/pyvenv.cfg": "home = /usr/bin\n",
        "venv/lib/site.py": "import os\n",
        "myenv/pyvenv.cfg": "home = /usr/bin\n",
        "myenv/lib/thing.py": "import os\n",
        "node_modules/pkg/x.py": "import os\n",
        "__pycache__/train.cpython-311.py": "junk\n",
    })
    return root


@pytest.fixture
def nlp_project(tmp_path) -> Path:
    root = tmp_path / "sentiment"
    write(root, {
        "README.rst": "Sentiment\n=========\n\nA Keras text classification model for sentiment analysis of IMDB movie "
                      "reviews, with a tokenizer and an LSTM. See arXiv:1408.5882 for the architecture.\n",
        "model.py": "import tensorflow as tf\nfrom tensorflow import keras\n\n"
                    "def build(vocab_size):\n    tokens = keras.Input(shape=(None,))\n"
                    "    x = keras.layers.Embedding(vocab_size, 64)(tokens)\n    x = keras.layers.LSTM(64)(x)\n"
                    "    return tf.keras.Model(tokens, keras.layers.Dense(1, activation='sigmoid')(x))\n",
        "data.py": "from tensorflow.keras.datasets import imdb\n\ndef load(num_words):\n"
                   "    (x, y), (xt, yt) = imdb.load_data(num_words=num_words)  # sentences as word ids\n    return x, y\n",
    })
    return root
