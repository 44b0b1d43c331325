"""IMACS: compare two image models by the image segments each relies on (thesis chapter 4).

Example::

    from mlnb import imacs
    result = imacs.compare(model_a, model_b, images, labels, target=3)
    result.clusters          # cluster, n_a, n_b, mean_a, mean_b, imbalance, ... (largest imbalance first)
    result.segments          # one row per (image, model, top segment)
    result.recluster(n_clusters=8)   # same attributions and embeddings, new clusters
    result.view()            # the interactive viewer; result.chart(): the static Altair chart

The stages are public too: ``att = imacs.attribute(...)`` (the expensive part) then
``imacs.cluster(att, n_clusters=5)``.

Heavy libraries (torch, captum, scikit-image, scikit-learn) are imported only when the pipeline runs.
"""

from mlnb.imacs.compare import STAGES, attribute, cluster, compare
from mlnb.imacs.models import ModelAdapter
from mlnb.imacs.result import Attributions, ImacsResult

__all__ = ["compare", "attribute", "cluster", "STAGES", "Attributions", "ImacsResult", "ModelAdapter"]
