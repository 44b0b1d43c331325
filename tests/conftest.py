"""Shared test set-up: every test gets its own session store and single-threaded math libraries."""

from __future__ import annotations

import os

# Before any framework is imported: on a loaded 2-core machine extra threads only slow tests down.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    """Point the store at a fresh file so no test reads or writes the user's sessions."""
    path = tmp_path / "mlnb-store.sqlite"
    monkeypatch.setenv("MLNB_STORE", str(path))
    return path
