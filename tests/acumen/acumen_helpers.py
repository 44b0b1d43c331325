"""Helpers to write small projects for the ACUMEN tests (imported by conftest and tests)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path


def notebook(cells: list[tuple[str, str]]) -> str:
    return json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": kind, "metadata": {}, "source": src, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                  for kind, src in cells],
    })


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


VISION_README = """# tomato-detector

[![build](https://img.shields.io/badge/build-passing-green.svg)](https://ci)

A PyTorch object detection model that finds ripe tomatoes in webcam images, fine-tuned from a
COCO-pretrained detector. Based on [YOLOv3](https://arxiv.org/abs/1804.02767v1).

## Usage
We also report results on CIFAR-10 and ImageNet.
"""


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)
