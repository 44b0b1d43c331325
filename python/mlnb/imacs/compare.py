"""The IMACS pipeline (thesis §4.4) in two public stages, and ``compare`` that runs both.

1. :func:`attribute` — sample images per model, segment them, pre-rank the segments, exact Shapley
   values over the top M, embed every top segment: the expensive part, an :class:`Attributions`.
2. :func:`cluster` — k-means over both models' segment embeddings and the per-cluster summary: an
   :class:`ImacsResult`. Cheap, so ``result.recluster(n_clusters=k)`` re-runs only this stage.

Every stage reports progress to ``on_progress(stage, done, total)`` (and a tqdm bar with
``progress=True``); stages are :data:`STAGES`.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from mlnb._validation import check_choice, check_int
from mlnb.imacs import attribution as attr
from mlnb.imacs.clustering import kmeans, summarize
from mlnb.imacs.models import ModelAdapter
from mlnb.imacs.result import Attributions, ImacsResult
from mlnb.imacs.sampling import SAMPLINGS, outcomes, sample
from mlnb.imacs.segmentation import bboxes, segment

SEGMENTATIONS = ("grid", "slic")
STAGES = ("sampling", "segmentation", "pre-rank", "Shapley", "embedding", "clustering")
ProgressCallback = Callable[[str, int, int], Any]


# -- validation (scikit-learn style: name the argument, the value, what is allowed) --------------
def _as_images(images: Any) -> np.ndarray:
    arr = np.asarray(images)
    if arr.ndim != 4 or arr.shape[-1] not in (1, 3):
        raise ValueError(
            f"images has shape {arr.shape}; expected NHWC (n_images, height, width, channels) with 1 or 3 "
            "channels" + (" — add a channel axis with images[..., None]" if arr.ndim == 3 else "")
        )
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"images has dtype {arr.dtype}; expected uint8 (0–255) or float in [0, 1]")
    n_nan, n_inf = int(np.isnan(arr).sum()), int(np.isinf(arr).sum())
    if n_nan or n_inf:
        what = " and ".join(f"{n} {kind}" for n, kind in ((n_nan, "NaN"), (n_inf, "infinite")) if n)
        raise ValueError(f"images contain {what} values; expected finite values in [0, 1]")
    lo, hi = float(arr.min()), float(arr.max())
    if lo < 0 or hi > 1:
        raise ValueError(f"images (float) range from {lo:g} to {hi:g}; expected values in [0, 1] "
                         "(divide uint8 data by 255, or pass the uint8 array)")
    return arr.astype(np.float32)


def _as_labels(labels: Any, n_images: int) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim == 2 and arr.shape[1] > 1:
        raise ValueError(f"labels has shape {arr.shape}; expected integer class ids, one per image "
                         "(for one-hot labels pass labels.argmax(axis=1))")
    arr = arr.reshape(-1) if arr.ndim == 2 else arr
    if arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.integer) or (
            np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)))):
        raise ValueError(f"labels has shape {arr.shape} and dtype {arr.dtype}; expected a 1-D array of integer class ids")
    if len(arr) != n_images:
        raise ValueError(f"labels has {len(arr)} entries but images has {n_images}; expected one label per image")
    return arr.astype(int)


def _resolve_target(target: Any, n_classes: int, class_names: Sequence[str] | None) -> int:
    if isinstance(target, str) and not target.lstrip("-").isdigit():
        if class_names is None:
            raise ValueError(f"target={target!r} is a class name but no class_names were given; "
                             f"pass class_names=[...] or a class index 0..{n_classes - 1}")
        if target not in class_names:
            raise ValueError(f"target={target!r} is not valid; expected a class index 0..{n_classes - 1} "
                             f"or one of {list(class_names)}")
        return list(class_names).index(target)
    t = int(target) if isinstance(target, str) else target
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 0 <= t < n_classes:
        raise ValueError(f"target={target!r} is not valid; the models have {n_classes} classes, "
                         f"expected an index 0..{n_classes - 1}" + (f" or one of {list(class_names)}" if class_names else ""))
    return int(t)


@contextmanager
def _timed(timings: dict[str, float], stage: str, cpu: dict[str, float] | None = None) -> Iterator[None]:
    """Add a stage's wall seconds to ``timings`` (and this process's CPU seconds to ``cpu``)."""
    t0, c0 = time.perf_counter(), time.process_time()
    yield
    timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - t0
    if cpu is not None:
        cpu[stage] = cpu.get(stage, 0.0) + time.process_time() - c0


def _crop(image: np.ndarray, labels: np.ndarray, seg_id: int, bbox: tuple, fill_outside: bool) -> np.ndarray:
    y0, x0, y1, x1 = bbox
    crop = image[y0:y1, x0:x1].copy()
    if fill_outside:  # SLIC: other segments' pixels inside the bbox become grey, as in ACE
        crop[labels[y0:y1, x0:x1] != seg_id] = 0.5
    return crop


class _Progress:
    """Per-stage progress: a tqdm bar (``show``) and the caller's ``on_progress(stage, done, total)``.

    A failing callback (a closed view) is reported once and never stops the pipeline.
    """

    def __init__(self, show: bool, callback: ProgressCallback | None):
        if callback is not None and not callable(callback):
            raise ValueError(f"on_progress={callback!r} is not valid; expected a callable(stage, done, total)")
        self.show, self.callback, self._failed = show, callback, False

    def report(self, stage: str, done: int, total: int) -> None:
        if self.callback is None or self._failed:
            return
        try:
            self.callback(stage, int(done), int(total))
        except Exception as exc:  # noqa: BLE001 - progress display must never break the run
            self._failed = True
            import warnings

            warnings.warn(f"mlnb: IMACS progress callback failed ({exc!r}); progress is no longer reported",
                          RuntimeWarning, stacklevel=3)

    @contextmanager
    def stage(self, stage: str, total: int, unit: str = "image") -> Iterator[Callable[[int], None]]:
        """Yield ``update(n)``; reports (stage, 0, total) now and (stage, total, total) at the end."""
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=f"IMACS {stage}", unit=unit, disable=not self.show, leave=False)
        done = 0

        def update(n: int) -> None:
            nonlocal done
            done = min(total, done + int(n))
            bar.update(int(n))
            self.report(stage, done, total)

        self.report(stage, 0, total)
        try:
            yield update
        finally:
            bar.close()
        if done < total:
            self.report(stage, total, total)


def _target_label(target: Any, resolved: int, class_names: Sequence[str] | None) -> str:
    """The target as the user gave it, for messages: the class name when there is one."""
    if isinstance(target, str):
        return target
    return str(class_names[resolved]) if class_names is not None else str(resolved)


def attribute(
    model_a: Any,
    model_b: Any,
    images: Any,
    labels: Any,
    target: int | str,
    *,
    n_per_model: int = 100,
    sampling: str = "balanced",
    segmentation: str = "grid",
    grid_size: int = 4,
    n_segments: int = 16,
    top_m: int = 5,
    top_k: int = 5,
    prerank: str | None = None,
    n_steps: int = 16,
    blur_sigma: float | None = None,  # default: max(height, width) / 4
    batch_size: int = 64,
    class_names: Sequence[str] | None = None,
    embedder: Callable[[list[np.ndarray]], np.ndarray] | None = None,
    embed_size: int | None = None,
    random_state: int = 0,
    progress: bool = False,
    on_progress: ProgressCallback | None = None,
    name: str | None = None,
    record: bool = True,
    _max_clusters: int | None = None,
) -> Attributions:
    """Stage 1 of IMACS: the top segments of each model's sampled images, their Shapley values and embeddings.

    Per model: sample images (``sampling``), split each into segments (``segmentation``), pre-rank
    the segments for the target class (``prerank``: Captum Integrated Gradients 'ig', 'xrai'
    region density, or 'occlusion'; None picks 'ig' for models with gradients and 'occlusion' for
    gradient-free callables), compute exact Shapley values over the top ``top_m`` segments (all
    2^M coalitions in one batch; absent segments Gaussian-blurred) for the target and the model's
    ``top_k`` classes; then embed every top segment with EfficientNet-Lite0 (at ``embed_size``
    pixels; None picks from the crop size, see :func:`mlnb.imacs.embedding.default_embed_size`) or
    with ``embedder``.

    Models: Keras models, PyTorch modules (they receive NCHW float tensors) or callables (NHWC
    float arrays) returning logits or probabilities; inputs are floats in [0, 1].

    ``on_progress(stage, done, total)`` is called as each of :data:`STAGES` advances. Notes about
    the sample (e.g. a confusion-matrix cell with too few images) are collected in ``notes``,
    not raised as warnings.

    Example::

        from mlnb import imacs
        att = imacs.attribute(model_a, model_b, x_val, y_val, target="cat", class_names=names)
        result = imacs.cluster(att, n_clusters=5)
    """
    # ---- validate everything before any expensive work ----------------------------------------
    x = _as_images(images)
    y = _as_labels(labels, len(x))
    check_choice("sampling", sampling, SAMPLINGS)
    check_choice("segmentation", segmentation, SEGMENTATIONS)
    n_per_model = check_int("n_per_model", n_per_model, 1)
    grid_size = check_int("grid_size", grid_size, 1, min(x.shape[1:3]))
    n_segments = check_int("n_segments", n_segments, 2)
    max_segments = grid_size ** 2 if segmentation == "grid" else n_segments
    top_m = check_int("top_m", top_m, 1, min(max_segments, 12))  # 2^12 coalitions per image at most
    top_k = check_int("top_k", top_k, 1)
    n_steps = check_int("n_steps", n_steps, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    if embed_size is not None:
        embed_size = check_int("embed_size", embed_size, 32, 512)
    if prerank is not None:
        check_choice("prerank", prerank, attr.PRERANK_METHODS)
    # Default blur at the scale of a 4×4 grid cell: a weaker blur leaves a segment's colour in place
    # (a bright corner stays bright), so "absent" would not remove what the model sees.
    sigma = blur_sigma if blur_sigma is not None else max(x.shape[1:3]) / 4
    if not np.isscalar(sigma) or not sigma > 0:
        raise ValueError(f"blur_sigma={blur_sigma!r} is not valid; expected a positive number")
    if embedder is not None and not callable(embedder):
        raise ValueError(f"embedder={embedder!r} is not valid; expected a callable mapping a list of HWC crops to (n, d)")
    if sampling in ("balanced", "all") and len(x) < n_per_model:
        raise ValueError(f"n_per_model={n_per_model} is not valid: only {len(x)} images were given; "
                         f"expected n_per_model <= {len(x)} (or pass more images)")
    if _max_clusters is not None and _max_clusters > 2 * n_per_model * top_m:
        raise ValueError(f"n_clusters={_max_clusters} is not valid; at most {2 * n_per_model * top_m} segments "
                         f"will be clustered (2 models × n_per_model × top_m)")
    reporter = _Progress(progress, on_progress)

    adapters = {"A": ModelAdapter(model_a, batch_size, "model_a"), "B": ModelAdapter(model_b, batch_size, "model_b")}
    for m in adapters.values():
        if prerank in ("ig", "xrai") and not m.has_gradients:
            raise ValueError(f"prerank={prerank!r} needs gradients but {m.name} is a plain callable; "
                             "expected prerank='occlusion' (or None to choose per model)")

    timings: dict[str, float] = {}
    cpu_times: dict[str, float] = {}
    notes: list[str] = []
    config = dict(target=target, n_per_model=n_per_model, sampling=sampling,
                  segmentation=segmentation, grid_size=grid_size, n_segments=n_segments, top_m=top_m,
                  top_k=top_k, prerank=prerank, n_steps=n_steps, blur_sigma=float(sigma),
                  batch_size=batch_size, n_images=len(x), image_shape=list(x.shape[1:]),
                  model_a=type(model_a).__name__, model_b=type(model_b).__name__)
    if _max_clusters is not None:
        config["n_clusters"] = _max_clusters

    # Explain the models as they predict (no dropout, BatchNorm running stats); restored afterwards.
    training = {k: m.model.training for k, m in adapters.items() if m.kind == "torch"}
    for k in training:
        adapters[k].model.eval()
    store, run_id = None, None
    try:
        # ---- predictions and sampling -------------------------------------------------------------
        with reporter.stage("sampling", 2) as step:
            with _timed(timings, "predict", cpu_times):
                probs = {k: m.predict(x) for k, m in adapters.items()}
            step(1)
            ca, cb = probs["A"].shape[1], probs["B"].shape[1]
            if ca != cb:
                raise ValueError(f"model_a has {ca} classes and model_b has {cb}; expected two models over the same classes")
            n_classes = ca
            if class_names is not None and len(class_names) != n_classes:
                raise ValueError(f"class_names has {len(class_names)} names; expected {n_classes} (one per model output)")
            given = target
            target = _resolve_target(target, n_classes, class_names)
            target_label = _target_label(given, target, class_names)
            # Messages name the target as the user knows it: 'circle' (a name, quoted) or 3 (an index).
            shown_target = repr(target_label) if isinstance(given, str) or class_names is not None else str(target)
            config["target"] = target
            if y.min() < 0 or y.max() >= n_classes:
                raise ValueError(f"labels range from {y.min()} to {y.max()}; expected class ids 0..{n_classes - 1}")

            if record:
                from mlnb.store import default_store

                store = default_store()
                run_id = store.start_run("imacs", name or f"IMACS class {target_label}", config=config)
            rng = np.random.default_rng(random_state)
            with _timed(timings, "sampling", cpu_times):
                samples = {}
                for k, other in (("A", "B"), ("B", "A")):
                    s = sample(probs[k], probs[other], y, target, n_per_model, sampling, rng, model_name=k,
                               target_name=shown_target)
                    if len(s.indices) == 0:
                        raise ValueError(f"sampling={sampling!r} found no images for model {k} "
                                         f"(target {shown_target}); expected at least one — try sampling='balanced' or 'all'")
                    samples[k] = s.indices
                    notes.extend(s.notes)
            step(1)

        # ---- segmentation (each image once, even if both models sampled it) -------------------
        used = np.union1d(samples["A"], samples["B"])
        with _timed(timings, "segmentation", cpu_times), reporter.stage("segmentation", len(used)) as step:
            label_maps, blurred = {}, {}
            for i in used:
                label_maps[int(i)] = segment(x[i], segmentation, grid_size, n_segments)
                blurred[int(i)] = attr.blur(x[i], sigma)
                step(1)
            boxes = {i: bboxes(lab) for i, lab in label_maps.items()}

        # ---- attribution: pre-rank both models, then Shapley for both ---------------------------
        n_explained = len(samples["A"]) + len(samples["B"])
        inputs, scores = {}, {}
        with reporter.stage("pre-rank", n_explained) as step:
            for k, m in adapters.items():
                idx = samples[k]
                inputs[k] = (x[idx], [label_maps[int(i)] for i in idx], np.stack([blurred[int(i)] for i in idx]))
                method = prerank or ("ig" if m.has_gradients else "occlusion")
                with _timed(timings, "prerank", cpu_times):
                    scores[k] = attr.prerank(m, *inputs[k], target, method, n_steps, on_progress=step)
        rows = []
        with reporter.stage("Shapley", n_explained) as step:
            for k, m in adapters.items():
                idx = samples[k]
                tops = [np.argsort(-s, kind="stable")[:top_m] for s in scores[k]]
                classes = []
                for i in idx:
                    ranked = [c for c in np.argsort(-probs[k][i], kind="stable")[:top_k] if c != target]
                    classes.append(np.array([target] + ranked[:top_k - 1] if top_k > 1 else [target]))
                with _timed(timings, "shapley", cpu_times):
                    shap = attr.shapley_batch(m, *inputs[k], tops, classes, on_progress=step)
                outc = outcomes(probs[k][idx], y[idx], target)
                for j, (i, res) in enumerate(zip(idx, shap)):
                    for r, seg_id in enumerate(res.segments):
                        rows.append({
                            "image": int(i), "model": k, "segment": int(seg_id), "rank": r,
                            "bbox": boxes[int(i)][int(seg_id)], "attribution": float(res.values[r, 0]),
                            "prerank_score": float(scores[k][j][seg_id]), "outcome": outc[j], "label": int(y[i]),
                            "predicted": int(probs[k][i].argmax()), "p_target": float(probs[k][i, target]),
                            "classes": tuple(int(c) for c in res.classes),
                            "class_attributions": tuple(float(v) for v in res.values[r]),
                            "f_all": float(res.full[0]), "f_none": float(res.empty[0]),
                        })
        segments = pd.DataFrame(rows)

        # ---- embedding (each distinct image segment once) -------------------------------------
        keys = list(dict.fromkeys(zip(segments["image"], segments["segment"])))
        with _timed(timings, "embedding", cpu_times), reporter.stage("embedding", len(keys), "segment") as step:
            crops = [_crop(x[i], label_maps[i], s, boxes[i][s], segmentation == "slic") for i, s in keys]
            if embedder is None:
                from mlnb.imacs.embedding import default_embed_size, lite0_embed

                size = embed_size or default_embed_size(crops)
                config["embed_size"] = size
                # Batches of 16 crops: larger ones ran slower on this CPU (cache), see benchmarks/imacs_speed.py.
                feats = lite0_embed(crops, batch_size=min(batch_size, 16), size=size, on_progress=step)
            else:
                feats = np.asarray(embedder(crops), dtype=np.float64)
                if feats.ndim != 2 or len(feats) != len(crops):
                    raise ValueError(f"embedder returned shape {feats.shape} for {len(crops)} crops; "
                                     f"expected ({len(crops)}, d)")
                step(len(crops))
            row_of = {key: r for r, key in enumerate(keys)}
            emb = feats[[row_of[key] for key in zip(segments["image"], segments["segment"])]]

        predictions = pd.DataFrame({
            "image": used, "label": y[used],
            "pred_a": probs["A"][used].argmax(1), "prob_a": probs["A"][used].max(1),
            "pred_b": probs["B"][used].argmax(1), "prob_b": probs["B"][used].max(1),
            "p_target_a": probs["A"][used, target], "p_target_b": probs["B"][used, target],
        }).set_index("image")
        result = Attributions(segments=segments, embeddings=emb, images=x, predictions=predictions, target=target,
                              target_label=target_label,
                              class_names=list(class_names) if class_names is not None else None,
                              notes=notes, timings=timings, cpu_times=cpu_times, config=config, run_id=run_id)
    except KeyboardInterrupt:
        if store is not None:
            store.end_run(run_id, "interrupted")
        raise
    except BaseException:
        if store is not None:
            store.end_run(run_id, "failed")
        raise
    finally:
        for k, was_training in training.items():
            adapters[k].model.train(was_training)
    if store is not None:
        store.end_run(run_id, "finished")
    return result


def cluster(
    attributions: Attributions,
    n_clusters: int = 5,
    *,
    random_state: int = 0,
    on_progress: ProgressCallback | None = None,
) -> ImacsResult:
    """Stage 2 of IMACS: k-means over both models' segment embeddings, and the cluster summary.

    The attributions and embeddings are reused as they are, so this is cheap (well under a second
    for 1,000 segments): :meth:`ImacsResult.recluster` calls it with another ``n_clusters``.

    Example::

        att = imacs.attribute(model_a, model_b, x_val, y_val, target=3)
        for k in (3, 5, 8):
            print(imacs.cluster(att, n_clusters=k).clusters.head(1))
    """
    if not isinstance(attributions, Attributions):
        raise ValueError(f"attributions={type(attributions).__name__} is not valid; expected the Attributions "
                         "that imacs.attribute returns")
    n_clusters = check_int("n_clusters", n_clusters, 1)
    reporter = _Progress(False, on_progress)
    timings, cpu_times = dict(attributions.timings), dict(attributions.cpu_times)
    timings.pop("clustering", None)
    cpu_times.pop("clustering", None)
    stage_t: dict[str, float] = {}
    stage_c: dict[str, float] = {}
    with _timed(stage_t, "clustering", stage_c), reporter.stage("clustering", 1):
        n_distinct = attributions.n_distinct
        if n_clusters > n_distinct:
            raise ValueError(f"n_clusters={n_clusters} is not valid; only {n_distinct} distinct segments "
                             f"were found; expected n_clusters <= {n_distinct}")
        cl, dist = kmeans(attributions.reduced, n_clusters, random_state)
        segments = attributions.segments.copy()
        segments["cluster"] = cl
        segments["distance"] = dist
        clusters = summarize(segments, n_clusters)
    timings.update(stage_t)
    cpu_times.update(stage_c)
    timings["total"] = sum(v for k, v in timings.items() if k != "total")
    cpu_times["total"] = sum(v for k, v in cpu_times.items() if k != "total")
    return ImacsResult(attributions=attributions, segments=segments, clusters=clusters, n_clusters=n_clusters,
                       random_state=random_state, timings=timings, cpu_times=cpu_times)


def compare(
    model_a: Any,
    model_b: Any,
    images: Any,
    labels: Any,
    target: int | str,
    *,
    n_clusters: int = 5,
    random_state: int = 0,
    on_progress: ProgressCallback | None = None,
    **options: Any,
) -> ImacsResult:
    """Compare two image models by their clustered segment attributions (IMACS, thesis ch. 4).

    Runs :func:`attribute` (sampling, segmentation, pre-rank, Shapley, embedding; its keyword
    options: ``n_per_model=100``, ``sampling='balanced'``, ``segmentation='grid'``, ``grid_size=4``,
    ``n_segments=16``, ``top_m=5``, ``top_k=5``, ``prerank=None``, ``n_steps=16``, ``blur_sigma``,
    ``batch_size=64``, ``class_names``, ``embedder``, ``embed_size``, ``progress=False``, ``name``,
    ``record=True``) then :func:`cluster` with ``n_clusters``. ``on_progress(stage, done, total)``
    sees every stage.

    Example::

        from mlnb import imacs
        result = imacs.compare(model_a, model_b, x_val, y_val, target=3, n_clusters=5)
        result.clusters                      # largest attribution imbalance first
        result.confusion(result.clusters.cluster[0])
        result.recluster(n_clusters=8)       # same attributions, new clusters
        result.view()
    """
    n_clusters = check_int("n_clusters", n_clusters, 1)
    unknown = set(options) - _ATTRIBUTE_OPTIONS
    if unknown:
        name = sorted(unknown)[0]
        raise TypeError(f"compare() got an unexpected keyword argument {name!r}; expected one of "
                        f"{', '.join(sorted(_ATTRIBUTE_OPTIONS | {'n_clusters', 'random_state', 'on_progress'}))}")
    att = attribute(model_a, model_b, images, labels, target, random_state=random_state,
                    on_progress=on_progress, _max_clusters=n_clusters, **options)
    return cluster(att, n_clusters, random_state=random_state, on_progress=on_progress)


_ATTRIBUTE_OPTIONS = {"n_per_model", "sampling", "segmentation", "grid_size", "n_segments", "top_m", "top_k",
                      "prerank", "n_steps", "blur_sigma", "batch_size", "class_names", "embedder", "embed_size",
                      "progress", "name", "record"}
