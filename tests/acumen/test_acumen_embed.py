from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from mlnb import acumen
from mlnb.acumen import embed as E

torch.set_num_threads(1)

CODE = {
    "model.py": "import torch.nn as nn\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return self.fc(x)\n",
    "train.py": "def train(model, loader, optimizer):\n    for x, y in loader:\n        loss = model(x).loss\n        loss.backward()\n",
    "data.py": "import pandas as pd\n\ndef load(path):\n    return pd.read_csv(path).dropna()\n",
    "plot.py": "import matplotlib.pyplot as plt\n\ndef show(history):\n    plt.plot(history['loss'])\n    plt.show()\n",
    "tokenize.py": "def tokenize(text, vocab):\n    return [vocab.get(w, 0) for w in text.lower().split()]\n",
}


def test_code_tokens_split_identifiers():
    assert E.code_tokens("class HTTPServerError(getHiddenStates): max_len = self.x") == [
        "class", "httpservererror", "http", "server", "error", "gethiddenstates", "get", "hidden", "states",
        "max_len", "max", "len", "x"]


def test_tfidf_is_deterministic_and_content_based(tmp_path):
    from acumen_helpers import write

    a = acumen.Corpus.from_paths([write(tmp_path / "a", CODE)], progress=False)
    renamed = {f"renamed_{i}_{k}": v for i, (k, v) in enumerate(reversed(CODE.items()))}
    b = acumen.Corpus.from_paths([write(tmp_path / "b", renamed)], progress=False)
    ea, ea2 = a.embed("tfidf", progress=False, cache=False), a.embed("tfidf", progress=False, cache=False)
    eb = b.embed("tfidf", progress=False, cache=False)
    np.testing.assert_array_equal(ea, ea2)
    assert ea.shape == (5, 4)  # LSA keeps n_unique - 1 components for a tiny corpus
    np.testing.assert_allclose(np.linalg.norm(ea, axis=1), 1.0, rtol=1e-5)
    by_content = dict(zip(b.files["content"], eb))
    for content, vec in zip(a.files["content"], ea):
        np.testing.assert_allclose(by_content[content], vec, rtol=1e-5, atol=1e-6)


def test_tfidf_cache_hit_does_not_refit(monkeypatch, acumen_cache):
    fits = []
    real = E.TfidfEmbedder.fit_transform
    monkeypatch.setattr(E.TfidfEmbedder, "fit_transform", lambda self, toks: fits.append(1) or real(self, toks))
    texts = list(CODE.values())
    first = E.embed(texts, "tfidf", progress=False)
    second = E.embed(texts, "tfidf", progress=False)
    assert len(fits) == 1
    np.testing.assert_array_equal(first, second)
    assert list((acumen_cache / "embeddings").rglob("corpus-*.npz"))


def test_minilm_offline_unit_vectors_cached(monkeypatch, acumen_cache):
    calls = []
    real = E.TransformerEmbedder.__call__
    monkeypatch.setattr(E.TransformerEmbedder, "__call__", lambda self, t: calls.append(len(t)) or real(self, t))
    texts = list(CODE.values())[:3]
    vecs = E.embed(texts, "minilm", progress=False)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    assert calls == [3]
    again = E.embed(texts + [texts[0]], "minilm", progress=False)  # all cached, duplicate content included
    assert calls == [3]
    np.testing.assert_array_equal(again[:3], vecs)
    np.testing.assert_array_equal(again[3], vecs[0])
    # the same checkpoint given as a Hugging Face local path gives the same vectors
    by_path = E.embed(texts, str(E.minilm_path()), progress=False, cache=False)
    np.testing.assert_allclose(by_path, vecs, atol=1e-6)


def test_minilm_matches_sentence_transformers_pooling():
    """Mean pooling + L2 norm, as sentence-transformers computes all-MiniLM-L6-v2 (short text: one chunk)."""
    from transformers import AutoModel, AutoTokenizer

    path = str(E.minilm_path())
    tok, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
    enc = tok(["def add(a, b): return a + b"], return_tensors="pt")
    with torch.no_grad():
        states = model(**enc).last_hidden_state
    ref = torch.nn.functional.normalize(states.mean(1), dim=-1).numpy()[0]
    ours = E.embed(["def add(a, b): return a + b"], "minilm", progress=False, cache=False)[0]
    np.testing.assert_allclose(ours, ref, atol=1e-5)


def test_long_files_are_chunked():
    emb = E.TransformerEmbedder(E.minilm_path(), max_tokens=32, max_chunks=3)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(E.minilm_path()))
    pieces = emb._pieces(tok, " ".join(f"variable_{i} = {i}" for i in range(200)))
    assert len(pieces) == 3 and all(len(p) <= 30 for p in pieces)


def test_executor_gives_identical_results():
    texts = list(CODE.values())
    serial = E.embed(texts, "minilm", batch_size=2, progress=False, cache=False)
    with ThreadPoolExecutor(2) as pool:
        parallel = E.embed(texts, "minilm", batch_size=2, executor=pool, progress=False, cache=False)
    np.testing.assert_array_equal(serial, parallel)
    with ThreadPoolExecutor(2) as pool:
        tf_serial = E.embed(texts, "tfidf", batch_size=2, progress=False, cache=False)
        tf_parallel = E.embed(texts, "tfidf", batch_size=2, executor=pool, progress=False, cache=False)
    np.testing.assert_array_equal(tf_serial, tf_parallel)


def test_codet5_recipe_on_a_local_t5(tmp_path):
    """T5-family checkpoints run encoder-only with per-function mean, per-file max pooling (the thesis's recipe).
    A tiny random T5 with MiniLM's tokenizer stands in for CodeT5, offline."""
    from transformers import AutoTokenizer, T5Config, T5Model

    tok = AutoTokenizer.from_pretrained(str(E.minilm_path()))
    config = T5Config(vocab_size=tok.vocab_size, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_decoder_layers=1,
                      num_heads=4, pad_token_id=tok.pad_token_id, decoder_start_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    T5Model(config).save_pretrained(tmp_path / "tiny-t5")
    tok.save_pretrained(tmp_path / "tiny-t5")
    emb = E.get_embedder(str(tmp_path / "tiny-t5"), normalize=False)
    assert emb.is_t5 and emb.pooling == "function-max"
    f = "def f(a):\n    return a + 1"
    g = "def g(items):\n    return sorted(items, key=len)[::-1]"
    both, only_f, only_g = emb([f + "\n\n" + g, f, g])
    np.testing.assert_allclose(both, np.maximum(only_f, only_g), atol=1e-5)
    vecs = E.embed([f, g], str(tmp_path / "tiny-t5"), progress=False)
    assert vecs.shape == (2, 32)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)


def test_function_blocks():
    src = "import os\n\n@dec\ndef f():\n    return 1\n\nclass A:\n    def m(self):\n        pass\nX = 1\n"
    assert E.function_blocks(src) == ["@dec\ndef f():\n    return 1", "    def m(self):\n        pass",
                                      "import os\n\n\nclass A:\nX = 1"]
    assert E.function_blocks("def broken(:") == ["def broken(:"]


@pytest.mark.parametrize("model, message", [
    ("no-such-model-xyz", r"model='no-such-model-xyz' is not a known embedder: expected 'tfidf', 'minilm'"),
    ("", "got ''"),
    (42, "expected 'tfidf', 'minilm'"),
])
def test_unknown_model_is_a_clear_error(model, message):
    with pytest.raises(ValueError, match=message):
        E.embed(["x = 1"], model, progress=False)


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size: expected a positive int, got 0"):
        E.embed(["x = 1"], "tfidf", batch_size=0)
    with pytest.raises(ValueError, match="texts: expected a sequence"):
        E.embed("x = 1", "tfidf")
    with pytest.raises(ValueError, match="executor: expected a concurrent.futures.Executor"):
        E.embed(["x = 1"], "tfidf", executor=object())


def test_embedders_pickle_for_process_and_cluster_executors():
    """Dask/Ray/process executors ship the embedder to workers: it must pickle without its model and reload it."""
    import pickle

    emb = E.get_embedder("minilm")
    texts = list(CODE.values())[:2]
    clone = pickle.loads(pickle.dumps(emb))
    np.testing.assert_array_equal(clone(texts), emb(texts))
    assert pickle.loads(pickle.dumps(E.get_embedder("tfidf"))).key == E.get_embedder("tfidf").key


def test_process_pool_executor_gives_identical_results():
    """A real process pool (spawned workers, as Dask and Ray run them): each worker unpickles the embedder and loads
    the model itself; the vectors equal the serial ones."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    texts = list(CODE.values())
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        minilm = E.embed(texts, "minilm", batch_size=2, executor=pool, progress=False, cache=False)
        tfidf = E.embed(texts, "tfidf", batch_size=2, executor=pool, progress=False, cache=False)
    np.testing.assert_allclose(minilm, E.embed(texts, "minilm", batch_size=2, progress=False, cache=False), atol=1e-6)
    np.testing.assert_array_equal(tfidf, E.embed(texts, "tfidf", batch_size=2, progress=False, cache=False))
