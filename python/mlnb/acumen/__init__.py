"""ACUMEN: exploratory search of ML projects (thesis chapter 2).

    >>> from mlnb import acumen
    >>> corpus = acumen.Corpus.from_paths(["./project-a", "./project-b"])   # doctest: +SKIP
    >>> emb = corpus.embed(model="tfidf")                                    # doctest: +SKIP
    >>> acumen.Explorer(corpus, embeddings=emb)                              # doctest: +SKIP

Heavy libraries (scikit-learn, torch, transformers, umap) are imported only when they are first needed.
"""

from __future__ import annotations

from .ingest import Corpus, IngestError, cache_root, is_git_url

__all__ = ["Corpus", "IngestError", "Explorer", "Projection", "Layout", "embed", "cache_root", "is_git_url"]


def __getattr__(name: str):
    if name == "Explorer":
        from .explorer import Explorer

        return Explorer
    if name in ("Projection", "Layout"):
        from . import projection

        return getattr(projection, name)
    if name == "embed":
        from .embed import embed

        return embed
    raise AttributeError(f"module 'mlnb.acumen' has no attribute {name!r}")
