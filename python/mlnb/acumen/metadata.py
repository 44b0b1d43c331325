"""Project metadata in the spirit of AIMMX, offline: libraries, datasets, domain, task, arXiv, description, year.

Everything here reads text only (source, README); no project code is executed.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Iterable

# Top-level import name -> library as users call it. Order matters only for display ties.
LIBRARIES: dict[str, str] = {
    "tensorflow": "TensorFlow", "keras": "Keras", "tf_keras": "Keras", "torch": "PyTorch",
    "pytorch_lightning": "PyTorch Lightning", "lightning": "PyTorch Lightning", "jax": "JAX", "flax": "Flax",
    "haiku": "Haiku", "optax": "Optax", "sklearn": "scikit-learn", "transformers": "Hugging Face Transformers",
    "datasets": "Hugging Face Datasets", "diffusers": "Hugging Face Diffusers", "accelerate": "Hugging Face Accelerate",
    "peft": "Hugging Face PEFT", "tokenizers": "Hugging Face Tokenizers", "sentence_transformers": "Sentence Transformers",
    "xgboost": "XGBoost", "lightgbm": "LightGBM", "catboost": "CatBoost", "mxnet": "MXNet", "gluon": "MXNet",
    "paddle": "PaddlePaddle", "caffe": "Caffe", "caffe2": "Caffe2", "theano": "Theano", "chainer": "Chainer",
    "cntk": "CNTK", "fastai": "fastai", "onnx": "ONNX", "onnxruntime": "ONNX", "timm": "timm",
    "torchvision": "torchvision", "torchaudio": "torchaudio", "torchtext": "torchtext", "cv2": "OpenCV",
    "gym": "Gym", "gymnasium": "Gym", "stable_baselines3": "Stable-Baselines3", "stable_baselines": "Stable-Baselines",
    "ray": "Ray", "spacy": "spaCy", "nltk": "NLTK", "gensim": "Gensim", "librosa": "librosa",
    "torch_geometric": "PyG", "dgl": "DGL", "detectron2": "Detectron2", "mmdet": "MMDetection",
    "allennlp": "AllenNLP", "fairseq": "fairseq", "statsmodels": "statsmodels", "prophet": "Prophet",
}

# (name, regex, case_sensitive). Word boundaries keep "mnist" from matching inside identifiers like "is_mnist_like"
# only when it is a separate token; names that are ordinary words (GLUE, WMT) must be written in capitals.
DATASETS: list[tuple[str, str, bool]] = [
    ("ImageNet", r"image[-_ ]?net|ilsvrc", False), ("COCO", r"\b(ms[-_ ]?)?coco\b", False),
    ("CIFAR-10", r"\bcifar[-_ ]?10\b", False), ("CIFAR-100", r"\bcifar[-_ ]?100\b", False),
    ("Fashion-MNIST", r"fashion[-_ ]?mnist", False), ("MNIST", r"(?<![-_a-z])mnist\b", False),
    ("SVHN", r"\bsvhn\b", False), ("CelebA", r"\bceleba\b", False), ("Cityscapes", r"\bcityscapes\b", False),
    ("Pascal VOC", r"pascal[-_ ]?voc|\bvoc20(07|12)\b", False), ("KITTI", r"\bkitti\b", False),
    ("ADE20K", r"\bade20k\b", False), ("LSUN", r"\blsun\b", False), ("Omniglot", r"\bomniglot\b", False),
    ("GLUE", r"\bGLUE\b|\bglue_(benchmark|tasks?)\b", True), ("SuperGLUE", r"super[-_ ]?glue", False),
    ("SQuAD", r"\bsquad(_?v?2(\.0)?)?\b", False), ("IMDB", r"\bimdb\b", False), ("SST-2", r"\bsst[-_]?2\b", False),
    ("WikiText", r"\bwikitext", False), ("Penn Treebank", r"penn[-_ ]?tree[-_ ]?bank|\bptb\b", False),
    ("CoNLL-2003", r"\bconll[-_ ]?(2003|03)\b", False), ("MultiNLI", r"\bmnli\b|multi[-_ ]?nli", False),
    ("SNLI", r"\bsnli\b", False), ("WMT", r"\bWMT[-_ ]?\d{2}\b|\bwmt1\d\b", False),
    ("LibriSpeech", r"\blibri[-_ ]?speech\b", False), ("Common Voice", r"common[-_ ]?voice", False),
    ("TIMIT", r"\btimit\b", False), ("VCTK", r"\bvctk\b", False), ("AudioSet", r"\baudio[-_ ]?set\b", False),
    ("Kinetics", r"\bkinetics[-_ ]?(400|600|700)?\b", False), ("UCF101", r"\bucf[-_ ]?101\b", False),
    ("ShapeNet", r"\bshapenet\b", False), ("ModelNet", r"\bmodelnet", False), ("MovieLens", r"\bmovie[-_ ]?lens\b", False),
    ("Iris", r"\biris\b|load_iris", False), ("Titanic", r"\btitanic\b", False),
    ("California Housing", r"california[-_ ]?housing", False), ("Boston Housing", r"boston[-_ ]?housing|load_boston", False),
    ("20 Newsgroups", r"20[-_ ]?newsgroups", False), ("Digits", r"load_digits", False),
    ("Atari", r"\batari\b|ALE/", False), ("OpenWebText", r"open[-_ ]?web[-_ ]?text", False),
    ("LAION", r"\blaion[-_ ]?(5b|400m|2b|aesthetics)?\b", False), ("Flickr30k", r"\bflickr[-_ ]?30k\b", False),
]
# A literal every match must contain (lower-case), to skip the regex on texts that cannot match.
_HINTS = {"ImageNet": "net", "Pascal VOC": "voc", "Penn Treebank": "", "MultiNLI": "nli", "WMT": "wmt", "Iris": "iris",
          "LAION": "laion", "Atari": "", "Fashion-MNIST": "mnist", "Common Voice": "voice", "AudioSet": "set",
          "California Housing": "housing", "Boston Housing": "boston", "20 Newsgroups": "newsgroups", "Digits": "load_digits"}
# Case-insensitive patterns run lower-cased on lower-cased text: Python's IGNORECASE matching is several times slower.
_DATASET_RE = [(name, _HINTS.get(name, re.sub(r"[^a-z0-9]", "", name.lower())[:5]), cs, re.compile(rx if cs else rx.lower()))
               for name, rx, cs in DATASETS]

# Keywords (lower-case words or phrases) per domain; README hits weigh more than code hits.
DOMAINS: dict[str, list[str]] = {
    "vision": ["image", "images", "pixel", "pixels", "conv2d", "convolutional", "cnn", "resnet", "vgg", "detection",
               "segmentation", "bbox", "bounding box", "opencv", "cv2", "torchvision", "imagenet", "coco", "cifar",
               "mnist", "vision", "vit", "yolo", "augmentation", "rgb", "video", "camera", "face"],
    "nlp": ["text", "token", "tokens", "tokenizer", "tokenize", "vocab", "vocabulary", "sentence", "sentences", "word",
            "words", "bert", "gpt", "language model", "nlp", "translation", "sentiment", "corpus", "glue", "squad",
            "embedding", "seq2seq", "lstm", "attention", "nltk", "spacy", "parsing", "ner"],
    "speech": ["audio", "speech", "wav", "waveform", "spectrogram", "mfcc", "librosa", "torchaudio", "asr", "speaker",
               "phoneme", "sample rate", "sampling_rate", "acoustic", "tts", "voice", "mel"],
    "tabular": ["tabular", "dataframe", "csv", "xgboost", "lightgbm", "catboost", "feature engineering", "columns",
                "categorical", "regression", "gradient boosting", "random forest", "pandas", "sklearn", "estimator",
                "estimators", "classifier", "predict_proba", "feature_importances_", "xgb", "lgb"],
    "reinforcement learning": ["reinforcement", "reward", "rewards", "agent", "policy", "gym", "environment", "env",
                               "q-learning", "dqn", "ppo", "actor", "critic", "episode", "atari", "mujoco"],
    "graph": ["graph neural", "gnn", "gcn", "node classification", "adjacency", "torch_geometric", "dgl", "edges",
              "message passing", "link prediction"],
    "time series": ["time series", "timeseries", "forecast", "forecasting", "temporal", "arima", "prophet"],
}

TASKS: dict[str, list[str]] = {
    "object detection": ["object detection", "detector", "yolo", "faster r-cnn", "faster_rcnn", "bbox", "anchor"],
    "image classification": ["image classification", "classify images", "imagenet", "cifar", "mnist"],
    "semantic segmentation": ["semantic segmentation", "segmentation", "unet", "u-net", "mask"],
    "image generation": ["gan", "generative adversarial", "diffusion", "vae", "generator", "discriminator", "image generation"],
    "super-resolution": ["super-resolution", "super resolution", "upscaling"],
    "pose estimation": ["pose estimation", "keypoint", "keypoints"],
    "face recognition": ["face recognition", "face detection", "facial"],
    "ocr": ["ocr", "optical character"],
    "text classification": ["text classification", "sentiment", "spam"],
    "machine translation": ["machine translation", "translation", "translate", "wmt"],
    "question answering": ["question answering", "squad", "qa"],
    "summarization": ["summarization", "summarize", "summary"],
    "named entity recognition": ["named entity", "ner", "conll"],
    "language modeling": ["language model", "language modeling", "causal lm", "masked lm", "perplexity", "gpt"],
    "speech recognition": ["speech recognition", "asr", "ctc", "transcription"],
    "text-to-speech": ["text-to-speech", "tts", "vocoder"],
    "reinforcement learning": ["reinforcement learning", "reward", "policy gradient", "q-learning", "dqn", "ppo"],
    "recommendation": ["recommendation", "recommender", "collaborative filtering", "movielens"],
    "anomaly detection": ["anomaly detection", "outlier", "anomaly"],
    "forecasting": ["forecasting", "forecast", "time series"],
    "clustering": ["clustering", "kmeans", "k-means", "dbscan"],
}

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_ARXIV = re.compile(
    r"arxiv\.org/(?:abs|pdf)/((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?|arxiv:\s*(\d{4}\.\d{4,5})",
    re.IGNORECASE,
)
README_NAMES = ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md", "README.markdown")


def top_level_imports(source: str) -> set[str]:
    """Top-level module names imported by ``source`` (absolute imports only).

    A line regex rather than the AST: 10x faster, also reads files with syntax errors, and finds imports nested in
    functions and ``try`` blocks.

    >>> sorted(top_level_imports("import torch.nn as nn\\nfrom sklearn.svm import SVC"))
    ['sklearn', 'torch']
    """
    names: set[str] = set()
    for m in re.finditer(r"^\s*(?:from\s+([A-Za-z_][\w]*)[\w.]*\s+import|import\s+([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*))", source, re.M):
        if m.group(1):
            names.add(m.group(1))
        else:
            names.update(part.strip().split(".")[0].split(" ")[0] for part in m.group(2).split(","))
    return names


def libraries_of(imports: Iterable[str], source: str = "") -> list[str]:
    """ML libraries named by a set of imports (``tf.keras`` usage also counts as Keras)."""
    found = {LIBRARIES[name] for name in imports if name in LIBRARIES}
    if "TensorFlow" in found and re.search(r"\b(tf\.keras|tensorflow\.keras)\b", source):
        found.add("Keras")
    return sorted(found)


def datasets_in(text: str) -> Counter:
    """Mentions of curated datasets in ``text``, as a Counter name -> count."""
    low = text.lower()
    counts: Counter = Counter()
    for name, hint, cs, rx in _DATASET_RE:
        if hint in low:  # a substring test is ~100x cheaper than the regex; most texts mention no dataset
            n = len(rx.findall(text if cs else low))
            if n:
                counts[name] = n
    return counts


def _keyword_scores(table: dict[str, list[str]], readme: str, code_words: Counter, code_text: str) -> Counter:
    readme_l = readme.lower()
    scores: Counter = Counter()
    for label, words in table.items():
        s = 0.0
        for w in words:
            if " " in w or "-" in w or "_" in w:
                s += 3 * readme_l.count(w) + 0.5 * min(code_text.count(w), 50)
            else:
                s += 3 * len(re.findall(rf"\b{re.escape(w)}\b", readme_l)) + min(code_words.get(w, 0), 50) ** 0.5
        if s:
            scores[label] = s
    return scores


def domain_and_task(readme: str, code: str) -> tuple[str, list[str]]:
    """Best-guess domain ('vision', 'nlp', ... or 'general') and up to three tasks, from keywords."""
    code_l = code.lower()
    words = Counter(w.lower() for w in _WORD.findall(code))
    domains = _keyword_scores(DOMAINS, readme, words, code_l)
    tasks = _keyword_scores(TASKS, readme, words, code_l)
    domain = "general"
    if domains:
        (best, score), = domains.most_common(1)
        total = sum(domains.values())
        if score >= 3 and score >= 0.3 * total:
            domain = best
    return domain, [t for t, s in tasks.most_common(3) if s >= 3]


def arxiv_ids(text: str) -> list[str]:
    """arXiv identifiers linked or cited in ``text``, in order of first appearance."""
    seen: dict[str, None] = {}
    for m in _ARXIV.finditer(text):
        seen.setdefault(m.group(1) or m.group(2), None)
    return list(seen)


def read_readme(root: Path) -> str:
    for name in README_NAMES:
        p = root / name
        if p.is_file():
            try:
                return p.read_bytes()[:200_000].decode("utf-8", errors="replace")
            except OSError:
                return ""
    return ""


def first_paragraph(text: str) -> str:
    """First prose paragraph of a README (headings, badges, HTML, code blocks and rst directives skipped)."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    for block in re.split(r"\n\s*\n", text):
        lines = []
        for line in block.splitlines():
            s = line.strip()
            if not s or s.startswith(("#", "..", ":", "|", "[![", "![", "<", "=", "-" * 3, "*" * 3)) or set(s) <= set("=-~^*#`"):
                continue
            lines.append(s)
        para = " ".join(lines)
        para = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", para)          # images
        para = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", para)       # links -> their text
        para = re.sub(r"<[^>]+>", "", para).strip()
        if len(para) >= 20 and re.search(r"[a-zA-Z]{3,}\s+[a-zA-Z]{2,}", para):
            return para[:500]
    return ""


def year_of(root: Path, mtimes: Iterable[float]) -> tuple[int | None, str]:
    """Year of the last change: the last git commit touching ``root`` if it is in a git work tree, else the newest
    file modification time. Returns (year, source) with source 'git' or 'mtime'."""
    if (root / ".git").exists() or any((p / ".git").exists() for p in root.parents):
        try:
            out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%cI", "--", "."],
                                 capture_output=True, text=True, timeout=20)
            if out.returncode == 0 and out.stdout.strip()[:4].isdigit():
                return int(out.stdout.strip()[:4]), "git"
        except (OSError, subprocess.SubprocessError):
            pass
    times = list(mtimes)
    if not times:
        return None, ""
    import datetime as _dt

    return _dt.datetime.fromtimestamp(max(times), tz=_dt.timezone.utc).year, "mtime"
