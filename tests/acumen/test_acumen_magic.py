"""%acumen end to end through the magic (the lead's front door) on tiny projects."""

from __future__ import annotations

from acumen_helpers import write


def test_acumen_magic_builds_corpus_and_explorer(tmp_path):
    from IPython.testing.globalipapp import get_ipython

    from mlnb import acumen
    from mlnb.magics import MlnbMagics

    for name, lib in (("p1", "torch"), ("p2", "keras"), ("p3", "sklearn")):
        write(tmp_path / name, {f"f{i}.py": f"import {lib}\n\ndef step_{i}(x):\n    return {lib}.op_{i}(x) * {i}\n" for i in range(4)})
    ip = get_ipython()
    ip.register_magics(MlnbMagics)
    explorer = ip.run_line_magic("acumen", f"{tmp_path}/p* --model tfidf --neighbors 5")
    assert isinstance(explorer, acumen.Explorer)
    assert list(explorer.corpus.projects["project"]) == ["p1", "p2", "p3"]
    assert explorer.n_neighbors == 5 and explorer.embeddings.shape[0] == 12
    assert explorer.wait().method == "umap"
