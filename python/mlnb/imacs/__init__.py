"""IMACS: compare two image models by the image segments each relies on (thesis chapter 4).

Example::

    from mlnb import imacs
    result = imacs.compare(model_a, model_b, images, labels, target=3)
    result.clusters          # cluster, n_a, n_b, mean_a, mean_b, imbalance, ... (largest imbalance first)
    result.segments          # one row per (image, model, top segment)
    result.view()            # static Altair chart

Heavy libraries (torch, captum, scikit-image, scikit-learn) are imported only when the pipeline runs.
"""

from mlnb.imacs.compare import compare
from mlnb.imacs.models import ModelAdapter
from mlnb.imacs.result import ImacsResult

__all__ = ["compare", "ImacsResult", "ModelAdapter"]
