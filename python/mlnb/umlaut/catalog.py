"""The catalog of UMLAUT findings: what each error key means, why it matters, how it is fixed.

One :class:`CatalogEntry` per stable key, following the structure of an UMLAUT error message
(thesis §3.4.3, Fig. 3.3): title and severity, a theory-centred description, the heuristic that
raised it, best practice with a code snippet per framework, documentation and Stack Overflow
links. The program context (values that triggered a finding) comes from the finding itself; see
:mod:`mlnb.umlaut.explain` for rendering.

``heuristic`` texts contain ``{name}`` / ``{name:spec}`` placeholders for fields of
:class:`mlnb.umlaut.config.Thresholds`, so the text always states the thresholds in use.

Example
-------
>>> e = entry("high-dropout")
>>> e.severity, e.category
('warning', 'model')
>>> e.fill_heuristic({"dropout_max": 0.5}).startswith("Before training")
True
"""

from __future__ import annotations

import difflib
import string
from dataclasses import dataclass
from typing import Any, Mapping

from mlnb.schema import SEVERITIES

CATEGORIES = ("model", "data", "training", "internal")
FRAMEWORKS = ("keras", "torch")


class _Missing:
    """A threshold that is not known: rendered as its placeholder, whatever the format spec."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, spec: str) -> str:
        return "{" + self.name + "}"


@dataclass(frozen=True)
class CatalogEntry:
    """Everything UMLAUT says about one kind of finding (see the module docstring)."""

    key: str
    title: str
    severity: str  # 'critical' | 'error' | 'warning'
    category: str  # 'model' | 'data' | 'training' | 'internal'
    description: str  # why this is a problem (the theory)
    heuristic: str  # how mlnb detects it; {threshold} placeholders
    fix: str  # best practice, prose
    snippets: dict[str, str]  # 'keras' / 'torch' -> code
    docs: tuple[tuple[str, str], ...]  # (label, url); labels 'Keras: ...' / 'PyTorch: ...' are framework-specific
    so_query: str  # Stack Overflow search terms, without a framework tag

    def placeholders(self) -> frozenset[str]:
        """Names of the thresholds that :attr:`heuristic` refers to."""
        return frozenset(name for _, name, _, _ in string.Formatter().parse(self.heuristic) if name)

    def fill_heuristic(self, values: Mapping[str, Any]) -> str:
        """:attr:`heuristic` with each placeholder replaced by ``values[name]``; unknown ones stay ``{name}``."""
        return string.Formatter().vformat(self.heuristic, (), _Values(values))


class _Values(dict):
    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)

    def __missing__(self, name: str) -> _Missing:
        return _Missing(name)


def _e(key: str, title: str, severity: str, category: str, *, description: str, heuristic: str, fix: str,
       keras: str, torch: str, docs: tuple[tuple[str, str], ...], so_query: str) -> CatalogEntry:
    """Build an entry; texts are written as indented triple-quoted blocks, so dedent and join them."""
    import textwrap

    def prose(text: str) -> str:
        return " ".join(textwrap.dedent(text).split())

    def code(text: str) -> str:
        return textwrap.dedent(text).strip("\n") + "\n"

    return CatalogEntry(key, title, severity, category, prose(description), prose(heuristic), prose(fix),
                        {"keras": code(keras), "torch": code(torch)}, docs, so_query)


# Documentation links used by several entries.
_K_PROB_LOSSES = ("Keras: probabilistic losses (from_logits)", "https://keras.io/api/losses/probabilistic_losses/")
_K_REG_LOSSES = ("Keras: regression losses", "https://keras.io/api/losses/regression_losses/")
_K_OPTIMIZERS = ("Keras: optimizers (learning_rate, clipnorm)", "https://keras.io/api/optimizers/")
_K_FIT = ("Keras: Model.fit (shuffle, validation_split, class_weight)", "https://keras.io/api/models/model_training_apis/")
_K_DENSE = ("Keras: Dense layer", "https://keras.io/api/layers/core_layers/dense/")
_K_ACTIVATIONS = ("Keras: layer activations", "https://keras.io/api/layers/activations/")
_K_INIT = ("Keras: layer weight initializers", "https://keras.io/api/layers/initializers/")
_K_BN = ("Keras: BatchNormalization", "https://keras.io/api/layers/normalization_layers/batch_normalization/")
_K_CALLBACKS = ("Keras: callbacks (EarlyStopping, ReduceLROnPlateau, TerminateOnNaN)", "https://keras.io/api/callbacks/")
_K_LR_SCHEDULES = ("Keras: learning rate schedules", "https://keras.io/api/optimizers/learning_rate_schedules/")
_T_CE = ("PyTorch: nn.CrossEntropyLoss (expects logits)", "https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html")
_T_BCEL = ("PyTorch: nn.BCEWithLogitsLoss", "https://pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html")
_T_NLL = ("PyTorch: nn.NLLLoss (expects log-probabilities)", "https://pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html")
_T_OPTIM = ("PyTorch: torch.optim (learning rates, schedulers)", "https://pytorch.org/docs/stable/optim.html")
_T_CLIP = ("PyTorch: clip_grad_norm_", "https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html")
_T_INIT = ("PyTorch: torch.nn.init", "https://pytorch.org/docs/stable/nn.init.html")
_T_DATA = ("PyTorch: torch.utils.data (DataLoader, samplers, random_split)", "https://pytorch.org/docs/stable/data.html")
_T_LINEAR = ("PyTorch: nn.Linear", "https://pytorch.org/docs/stable/generated/torch.nn.Linear.html")
_T_BN = ("PyTorch: nn.BatchNorm1d", "https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html")
_P_GLOROT = ("Glorot & Bengio 2010: Understanding the difficulty of training deep feedforward networks",
             "https://proceedings.mlr.press/v9/glorot10a.html")
_P_HE = ("He et al. 2015: Delving deep into rectifiers (He initialisation)", "https://arxiv.org/abs/1502.01852")
_P_BN = ("Ioffe & Szegedy 2015: Batch normalization", "https://arxiv.org/abs/1502.03167")
_P_PASCANU = ("Pascanu et al. 2013: On the difficulty of training recurrent neural networks",
              "https://arxiv.org/abs/1211.5063")
_P_BENGIO = ("Bengio 2012: Practical recommendations for gradient-based training", "https://arxiv.org/abs/1206.5533")
_P_LECUN = ("LeCun et al. 1998: Efficient BackProp", "http://yann.lecun.com/exdb/publis/pdf/lecun-98b.pdf")
_P_RECIPE = ("Karpathy 2019: A recipe for training neural networks", "https://karpathy.github.io/2019/04/25/recipe/")
_P_DLBOOK_MLP = ("Goodfellow et al.: Deep Learning, ch. 6 (output units, hidden units)",
                 "https://www.deeplearningbook.org/contents/mlp.html")
_P_LEAKAGE = ("Kapoor & Narayanan 2023: Leakage and the reproducibility crisis in ML-based science",
              "https://arxiv.org/abs/2207.07048")
_P_SMITH = ("Smith 2017: Cyclical learning rates (the learning-rate range test)", "https://arxiv.org/abs/1506.01186")

# The probe sentence shared by activation/gradient heuristics.
_PROBE = ("mlnb probes a sample batch of {probe_rows} rows (in PyTorch every {probe_every} batches of the first epoch, "
          "then at the first batch of each epoch; in Keras after each of the first epochs, then as long as its work stays under {probe_budget:g} of the training time) "
          "and reports a finding only when it holds at {probe_patience} probes in a row.")

_ENTRIES = [
    # ------------------------------------------------------------------------------ critical
    _e(
        "nan-loss", "Loss is NaN or infinite", "critical", "training",
        description="""
            The training loss became NaN or infinite. Once a NaN enters the forward pass it propagates
            through every later operation and into the gradients; the optimizer then writes NaN into the
            weights and the model cannot recover, so every later prediction is NaN too. Typical causes:
            NaN/inf in the input data (missing values), a learning rate so large that weights or
            activations overflow float32 (max ≈ 3.4e38), exploding gradients, or log(0) and division by
            zero in a loss computed by hand (the log of a probability that underflowed to exactly 0).
        """,
        heuristic="""
            mlnb watches the training loss: in Keras the epoch mean (a single NaN batch makes it NaN), in
            PyTorch every batch (accumulated on the device, so it costs no extra synchronisation). At the
            first non-finite value it names the most likely cause from what else it knows: NaN/inf in the inputs,
            a learning rate out of range, exploding gradients, a cross-entropy taking the log of raw
            (unnormalized) outputs, or inputs larger than {norm_abs_max:g} in absolute value.
        """,
        fix="""
            First decide whether the data or the optimisation is at fault (likely_cause in the program context). If the
            inputs contain NaN/inf, remove or impute those samples before training. Otherwise lower the
            learning rate (about 10×), normalize the inputs, clip the gradient norm, and let the framework
            compute cross-entropy from logits (Keras from_logits=True, PyTorch nn.CrossEntropyLoss), which
            is numerically stable, instead of taking the log of probabilities yourself. Stop training at
            the first NaN so you do not waste the remaining epochs.
        """,
        keras="""
            import numpy as np
            import keras

            finite = np.isfinite(x_train).reshape(len(x_train), -1).all(axis=1)
            print(f"{(~finite).sum()} training samples contain NaN/inf")
            x_train, y_train = x_train[finite], y_train[finite]

            model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4, clipnorm=1.0),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=10, callbacks=[keras.callbacks.TerminateOnNaN()])
        """,
        torch="""
            import torch

            optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
            for x, y in train_loader:
                if not torch.isfinite(x).all():
                    raise ValueError("input batch contains NaN/inf")
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                if not torch.isfinite(loss):
                    # to find the operation: torch.autograd.set_detect_anomaly(True) (slow, debug only)
                    raise RuntimeError(f"loss is {loss.item()}")
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                optimizer.step()
        """,
        docs=(_K_CALLBACKS, _K_OPTIMIZERS, _T_CLIP,
              ("PyTorch: autograd anomaly detection", "https://pytorch.org/docs/stable/autograd.html#anomaly-detection"),
              _P_PASCANU),
        so_query="loss is nan",
    ),
    _e(
        "wrong-loss-for-task", "Loss function does not match the task", "critical", "training",
        description="""
            A loss function encodes what the outputs mean. Cross-entropy is the negative log-likelihood
            of a categorical (or Bernoulli) distribution: it assumes the targets are classes and the
            outputs are class probabilities, so it is meaningless for a continuous target such as 3.7.
            Mean squared or absolute error assume a continuous target with Gaussian or Laplace noise:
            used on class indices they treat classes as ordered numbers (class 9 becomes "further" from
            class 0 than class 1 is), and on a softmax output they give small gradients exactly when a
            prediction is confidently wrong. Training still runs and the loss may even fall, but the
            model optimises the wrong objective.
        """,
        heuristic="""
            Before training mlnb compares the loss with the task: a cross-entropy loss when you declared
            output_type='regression', a regression loss (MSE, MAE, Huber, ...) when you declared
            output_type='classification', or, without a declaration, a regression loss on a softmax output.
            On the training targets it also checks that a regression's output activation can reach them:
            a sigmoid/tanh output when more than 5% of the targets lie outside (0, 1) / (-1, 1), or a ReLU
            output for negative targets.
        """,
        fix="""
            Choose the loss from the task. Single-label classification: categorical cross-entropy on a
            softmax output (the sparse variant for integer labels). Binary or multi-label: binary
            cross-entropy with one sigmoid unit per label. Regression: MSE on a linear output (MAE or
            Huber if the targets have outliers). Pass output_type= to mlnb so it checks the right thing.
        """,
        keras="""
            import keras

            # multi-class, integer labels 0..C-1, last layer Dense(C, activation="softmax")
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            # binary / multi-label, last layer Dense(labels, activation="sigmoid")
            # model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
            # regression, last layer Dense(outputs) with no activation
            # model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        """,
        torch="""
            import torch.nn as nn

            loss_fn = nn.CrossEntropyLoss()      # multi-class: logits (N, C), integer targets (N,)
            # loss_fn = nn.BCEWithLogitsLoss()   # binary / multi-label: logits, float 0/1 targets
            # loss_fn = nn.MSELoss()             # regression: linear output and float targets, same shape
        """,
        docs=(_K_PROB_LOSSES, _K_REG_LOSSES, _T_CE,
              ("PyTorch: loss functions", "https://pytorch.org/docs/stable/nn.html#loss-functions"), _P_DLBOOK_MLP),
        so_query="loss function regression classification",
    ),
    _e(
        "label-encoding-mismatch", "Label encoding does not match the loss", "critical", "data",
        description="""
            Classification losses read the targets in a fixed encoding: categorical cross-entropy expects
            one-hot rows of shape (N, C); sparse categorical cross-entropy, PyTorch nn.CrossEntropyLoss
            with class indices and nn.NLLLoss expect integer ids 0..C-1 of shape (N,); binary
            cross-entropy expects 0/1 targets. If the encoding disagrees, the loss no longer measures
            the log-probability of the correct class. Ids outside 0..C-1 (for example 1-based labels)
            index a class the output layer does not have: an error on some devices, a NaN or garbage
            loss on others. Binary cross-entropy with targets like -1/+1 or 0..255 is no longer a
            log-likelihood and can even become negative. In PyTorch, targets of shape (N,) against
            predictions of shape (N, 1) broadcast to an (N, N) matrix in MSELoss, comparing every
            prediction with every target.
        """,
        heuristic="""
            Before training mlnb compares the labels with the loss and the output layer: integer labels
            with categorical cross-entropy (expects one-hot), one-hot labels with sparse categorical
            cross-entropy (expects integer ids), class ids outside 0..units-1 for sparse cross-entropy
            or NLL, and labels other than 0/1 for binary cross-entropy on one output unit.
        """,
        fix="""
            Encode the labels for the loss you use, or switch to the loss that matches your labels. Map
            arbitrary labels to 0..C-1, give the output layer exactly C units (one sigmoid unit for
            binary), and use sparse categorical cross-entropy for integer ids or categorical
            cross-entropy for one-hot rows. For regression and BCE in PyTorch, give the target exactly
            the prediction's shape.
        """,
        keras="""
            import numpy as np
            import keras

            classes, y_ids = np.unique(y_train, return_inverse=True)   # any labels -> 0..C-1
            num_classes = len(classes)   # last layer: Dense(num_classes, activation="softmax")
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_ids)
            # or one-hot labels with loss="categorical_crossentropy":
            # y_onehot = keras.utils.to_categorical(y_ids, num_classes)
        """,
        torch="""
            import torch
            import torch.nn as nn

            classes, y_ids = torch.unique(y, return_inverse=True)   # any labels -> 0..C-1 (int64)
            loss_fn = nn.CrossEntropyLoss()   # last layer: nn.Linear(hidden, len(classes))
            loss = loss_fn(model(x), y_ids)
            # regression / BCE: same shape as the prediction, e.g. (N, 1) instead of (N,)
            # loss = nn.MSELoss()(model(x), y.float().view(-1, 1))
        """,
        docs=(_K_PROB_LOSSES, ("Keras: to_categorical", "https://keras.io/api/utils/python_utils/"), _T_CE, _T_NLL),
        so_query="one-hot labels cross entropy",
    ),
    _e(
        "loss-diverging", "Loss is diverging", "critical", "training",
        description="""
            The training loss grows instead of shrinking. Gradient descent only decreases the loss when
            each step is small relative to the curvature of the loss surface: on a quadratic with
            curvature λ, a learning rate above 2/λ overshoots the minimum by more than it started from,
            and the error grows geometrically with every step. A rising loss therefore almost always
            means the learning rate is too high for this model and data, or that the step has the wrong
            sign (a negative learning rate performs gradient ascent). Unnormalized inputs raise the
            curvature and make it worse. Left alone, divergence usually ends in inf or NaN.
        """,
        heuristic="""
            mlnb flags the training loss when it rose for {diverge_patience} epochs in a row and ends more
            than {diverge_factor:g}× above the best loss so far, or at once when an epoch's loss exceeds
            {diverge_jump:g}× the best loss.
        """,
        fix="""
            Lower the learning rate by about 10× and check that it is positive (Adam's default 1e-3 is a
            safe start). Normalize the inputs and clip the gradient norm. If you use a warm-up or cyclic
            schedule, lower its peak. A learning-rate range test (raise the rate exponentially for a few
            hundred steps and plot the loss) shows where divergence starts; use a rate well below it.
        """,
        keras="""
            import keras

            model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4, clipnorm=1.0),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2)
            model.fit(x_train, y_train, epochs=20, callbacks=[reduce_lr])
        """,
        torch="""
            import torch

            optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)   # 10x lower
            for x, y in train_loader:
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                optimizer.step()
        """,
        docs=(_K_OPTIMIZERS, _K_CALLBACKS, _T_OPTIM, _T_CLIP, _P_SMITH),
        so_query="loss increasing learning rate",
    ),
    _e(
        "weights-unchanged", "Weights are not being updated", "critical", "training",
        description="""
            Training changes a model only through optimizer steps on its trainable parameters. If the
            weights are the same after an epoch, the model has learned nothing, whatever the loss curve
            shows. Typical causes: the learning rate is zero; the layers are frozen (Keras
            trainable=False, PyTorch requires_grad=False) or Keras was not re-compiled after changing
            trainable; the optimizer holds the parameters of a different model object (built before the
            model was re-created); loss.backward() or optimizer.step() is missing; or the graph is cut
            before the loss (.detach(), .item(), .numpy(), torch.no_grad()), so no gradient reaches the
            weights.
        """,
        heuristic="""
            After each epoch mlnb compares the trainable weights with their values when training began
            and flags the run when the largest relative change of any weight is below {unchanged_rel:g}.
        """,
        fix="""
            Check that the layers you want to train are trainable and that the optimizer updates them. In
            Keras, call compile() again after changing layer.trainable. In PyTorch, create the optimizer
            from the parameters of the model you actually train, keep the order zero_grad → forward →
            loss.backward() → optimizer.step(), and compute the loss on tensors that still carry gradients.
        """,
        keras="""
            import keras

            base_model.trainable = False              # freeze only the pretrained part
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                          loss="sparse_categorical_crossentropy")   # re-compile after changing trainable
            print([w.path for w in model.trainable_weights])        # must list the weights you want to learn
        """,
        torch="""
            import torch

            print([n for n, p in model.named_parameters() if not p.requires_grad])   # frozen by mistake?
            optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
            for x, y in train_loader:
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)    # no .detach() / .item() / .numpy() before the loss
                loss.backward()
                optimizer.step()
        """,
        docs=(("Keras: transfer learning and fine-tuning (trainable, re-compile)",
               "https://keras.io/guides/transfer_learning/"), _K_OPTIMIZERS, _T_OPTIM,
              ("PyTorch: autograd mechanics (requires_grad, no_grad)", "https://pytorch.org/docs/stable/notes/autograd.html")),
        so_query="weights not updating",
    ),
    # ------------------------------------------------------------------------------ error
    _e(
        "input-not-normalized", "Input data is not normalized", "error", "data",
        description="""
            Gradient descent works best when input features are on a small, similar scale centred near
            zero. Standard initialisations (Glorot, He) assume unit-variance inputs; raw values such as
            pixels in 0..255 make the first layer's pre-activations hundreds of times larger, which
            saturates sigmoid/tanh units and can overflow to NaN. The gradient of each first-layer weight
            is proportional to its input, so features with large values get large steps and features with
            small values tiny ones: the loss surface is badly conditioned and one learning rate cannot suit
            all directions. Scaling does not change the information in the data, only how easy it is to
            optimise.
        """,
        heuristic="""
            mlnb samples up to {sample_rows} training rows and flags them when the 99.9th percentile
            of |value| exceeds {norm_abs_max:g} (a few extreme values of z-scored data do not count),
            a feature's mean exceeds {norm_mean_max:g} in absolute value, or a feature's
            standard deviation exceeds {norm_std_max:g} (image statistics are pooled over all pixels). Data
            in [0, 1] or [-1, 1] and z-scored data pass; integer token ids feeding an Embedding are not
            checked. For a regression (which often converges on unscaled features anyway) the finding
            waits for evidence: it is raised, as an error, once the loss becomes NaN, diverges or stalls.
        """,
        fix="""
            Scale the inputs before they reach the first weight layer, with statistics computed on the
            training split only and the same transform applied to validation and test data: divide images
            by 255 (or map to [-1, 1]), standardise tabular features to zero mean and unit variance. A
            normalization layer inside the model stores the statistics with it, so inference applies the
            same scaling.
        """,
        keras="""
            import keras

            # images: rescale inside the model
            inputs = keras.Input(shape=(32, 32, 3))
            h = keras.layers.Rescaling(1.0 / 255)(inputs)      # [0, 255] -> [0, 1]

            # tabular: standardise with statistics of the training data
            norm = keras.layers.Normalization(axis=-1)
            norm.adapt(x_train)                                # learns mean and variance
        """,
        torch="""
            import torch

            # images (uint8, 0..255) -> [0, 1]
            x_train, x_val = x_train.float() / 255.0, x_val.float() / 255.0
            # or tabular: standardise with training-set statistics, reuse them for validation/test
            mean, std = x_train.mean(dim=0), x_train.std(dim=0).clamp_min(1e-8)
            x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
        """,
        docs=(("Keras: Normalization layer", "https://keras.io/api/layers/preprocessing_layers/numerical/normalization/"),
              ("Keras: Rescaling layer", "https://keras.io/api/layers/preprocessing_layers/image_preprocessing/rescaling/"),
              ("PyTorch: torch.Tensor.std", "https://pytorch.org/docs/stable/generated/torch.std.html"),
              _P_LECUN),
        so_query="normalize input images 255",
    ),
    _e(
        "nonfinite-input", "Input data contains NaN or Inf", "error", "data",
        description="""
            A NaN (or infinite) value in an input row makes every activation computed from it NaN, so
            its loss and its gradient are NaN too; one such row in a batch poisons the whole update.
            The training loss can still look finite for a while: the rows may sit in the validation data
            only (then every validation metric is NaN or silently skips them), in batches not reached yet,
            or behind a layer that masks them. Missing values from a CSV, a division by a zero standard
            deviation, or a log of zero in feature engineering are the usual sources.
        """,
        heuristic="""
            mlnb looks at a sample of up to {sample_rows} training rows and the validation rows before
            training and reports how many rows hold a NaN or an infinite value.
        """,
        fix="""
            Find where the values come from and fix them there: impute missing values (a mean or median,
            or a constant plus an "is missing" indicator feature), drop the rows, or guard the
            transformation (divide by std + epsilon, log1p). Check with np.isfinite(x).all() after
            preprocessing, for the validation data too.
        """,
        keras="""
            import numpy as np

            bad = ~np.isfinite(x_train).all(axis=1)
            print(f"{bad.sum()} rows with NaN/Inf")
            column_means = np.nanmean(x_train, axis=0)
            x_train = np.where(np.isfinite(x_train), x_train, column_means)  # impute with training means
            x_val = np.where(np.isfinite(x_val), x_val, column_means)
        """,
        torch="""
            import torch

            bad = ~torch.isfinite(x_train).all(dim=1)
            print(f"{int(bad.sum())} rows with NaN/Inf")
            column_means = torch.nanmean(x_train, dim=0)
            x_train = torch.where(torch.isfinite(x_train), x_train, column_means)  # impute with training means
            x_val = torch.where(torch.isfinite(x_val), x_val, column_means)
        """,
        docs=(_K_FIT,
              ("scikit-learn: imputation of missing values", "https://scikit-learn.org/stable/modules/impute.html"),
              ("NumPy: isfinite", "https://numpy.org/doc/stable/reference/generated/numpy.isfinite.html")),
        so_query="nan in input data neural network",
    ),
    _e(
        "image-shape", "Image batch has the wrong layout", "error", "data",
        description="""
            Convolution layers read one fixed axis as the colour channels: Keras uses channels-last
            (N, H, W, C) by default, PyTorch nn.Conv2d channels-first (N, C, H, W). Given the other layout,
            training may still run, but the layer treats a spatial axis as channels: a batch of 32×32 RGB
            images in the wrong order becomes 32 "channels" of 32×3 images. The filters then slide over
            (row, channel) instead of (row, column), cannot learn spatial patterns, and the first layer has
            the wrong number of parameters. Greyscale images without a channel axis are either rejected or
            misread the same way.
        """,
        heuristic="""
            For image inputs (input_type='image', or a 4-D input to a model with convolutions) mlnb checks
            the axis the framework reads as channels: the last for Keras (NHWC), the second for PyTorch
            (NCHW). If that axis is not 1, 3 or 4 long while the axis at the other end is, the batch looks
            transposed. Image input without a channel axis for a Conv2D model is flagged too. Non-square
            images are fine.
        """,
        fix="""
            Transpose the data once, in the input pipeline, to the layout the framework expects (in Keras
            you may instead pass data_format='channels_first' to every convolution and pooling layer).
            Add a channel axis of size 1 to greyscale images.
        """,
        keras="""
            import numpy as np

            x_train = np.transpose(x_train, (0, 2, 3, 1))   # (N, C, H, W) -> (N, H, W, C)
            x_gray = x_gray[..., np.newaxis]                # greyscale (N, H, W) -> (N, H, W, 1)
            print(x_train.shape, model.input_shape)         # the two must agree
        """,
        torch="""
            import torch

            x = x.permute(0, 3, 1, 2).contiguous()   # (N, H, W, C) -> (N, C, H, W) for nn.Conv2d
            x_gray = x_gray.unsqueeze(1)             # greyscale (N, H, W) -> (N, 1, H, W)
        """,
        docs=(("Keras: Conv2D (data_format)", "https://keras.io/api/layers/convolution_layers/convolution2d/"),
              ("PyTorch: nn.Conv2d (input shape N, C, H, W)", "https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html"),
              ("PyTorch: torch.Tensor.permute", "https://pytorch.org/docs/stable/generated/torch.Tensor.permute.html")),
        so_query="channels first channels last conv2d",
    ),
    _e(
        "missing-softmax", "No softmax before a cross-entropy loss that expects probabilities", "error", "model",
        description="""
            Cross-entropy -Σ y·log p is the negative log-likelihood of a probability distribution p over
            the classes, so p must be non-negative and sum to 1; a softmax (or one sigmoid per unit for
            binary cross-entropy) produces that. Keras losses default to from_logits=False, i.e. they
            assume the model already outputs probabilities. With a linear last layer the loss receives
            unnormalized scores instead: Keras clips them into [ε, 1-ε] before the log (categorical
            cross-entropy first divides them by their sum), so every score outside that interval loses its
            gradient, and training is slow or stalls without any error. The fix is one of two, not both: end the model with a softmax,
            or keep the linear output and pass from_logits=True, which is also numerically more stable
            (log-softmax is computed in one step). Dense(n, activation='softmax') already is a softmax.
            PyTorch is the other way round: nn.CrossEntropyLoss applies log-softmax itself and expects raw
            logits; nn.NLLLoss expects log-probabilities (LogSoftmax), nn.BCELoss probabilities (sigmoid).
        """,
        heuristic="""
            Before training mlnb checks the loss and the output layer: a cross-entropy loss that expects
            probabilities (Keras from_logits=False, the default; PyTorch nn.BCELoss) on an output whose
            last activation is neither softmax nor sigmoid. An activation='softmax' argument counts. With
            any loss it also flags a softmax over a single output unit, which outputs 1 for every input.
        """,
        fix="""
            Keras: either give the last layer the softmax (Dense(num_classes, activation='softmax')) and
            keep from_logits=False, or keep it linear and build the loss with from_logits=True. For binary
            outputs: Dense(1, activation='sigmoid') with binary_crossentropy, or a linear Dense(1) with
            BinaryCrossentropy(from_logits=True). PyTorch: keep the linear output and use
            nn.CrossEntropyLoss or nn.BCEWithLogitsLoss; apply softmax only when you need probabilities
            for prediction.
        """,
        keras="""
            import keras

            # Option 1: softmax in the model, loss with from_logits=False (the default)
            outputs = keras.layers.Dense(num_classes, activation="softmax")(h)
            model = keras.Model(inputs, outputs)
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

            # Option 2: linear output (logits), the loss applies the softmax
            # outputs = keras.layers.Dense(num_classes)(h)
            # model.compile(optimizer="adam",
            #               loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            #               metrics=["accuracy"])
        """,
        torch="""
            import torch
            import torch.nn as nn

            model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))  # logits
            loss_fn = nn.CrossEntropyLoss()        # applies log-softmax itself: no softmax in the model
            # nn.NLLLoss needs log-probabilities: nn.NLLLoss()(torch.log_softmax(logits, dim=1), y)
            probs = torch.softmax(model(x), dim=1)  # probabilities only for prediction
        """,
        docs=(_K_PROB_LOSSES, _K_DENSE, _T_CE, _T_NLL, _P_DLBOOK_MLP),
        so_query="softmax cross entropy logits",
    ),
    _e(
        "unstable-loss", "Hand-written loss takes the log of a probability without a guard", "error", "training",
        description="""
            A cross-entropy written by hand, such as -Σ y·log(softmax(z)) or -mean(y·log p + (1-y)·log(1-p)),
            is exact on paper but not in float32: a softmax or sigmoid output underflows to exactly 0 (or
            rounds to exactly 1) once its logits differ by about 100, which a high learning rate, a large
            initialisation or a summed loss reaches quickly. log(0) is -inf, 0·log(0) is NaN, and from the
            first such batch the loss and then every weight are NaN. The built-in losses clip the
            probabilities into [ε, 1-ε] or, better, compute log-softmax from the logits in one stable step.
            Such a program often trains well for a while and then breaks (Stack Overflow "Tensorflow NaN
            bug?", TensorFlow-Examples' early logistic regression).
        """,
        heuristic="""
            Before training mlnb calls a hand-written loss of a model with a softmax or sigmoid output on
            two confidently wrong predictions whose probabilities are exactly 0 and 1. A built-in or
            guarded loss stays finite there; a loss that returns NaN or Inf takes the log (or divides by)
            a probability without clipping. Keras models only (a PyTorch loss is not called before training).
        """,
        fix="""
            Use the framework's cross-entropy: Keras categorical_crossentropy / binary_crossentropy (they
            clip), or better a linear output with from_logits=True; TensorFlow
            tf.nn.softmax_cross_entropy_with_logits; PyTorch nn.CrossEntropyLoss / nn.BCEWithLogitsLoss on
            the logits. If the loss must stay hand-written, clip the probabilities before the log
            (tf.clip_by_value(p, 1e-7, 1 - 1e-7)) and average over the batch instead of summing.
        """,
        keras="""
            import keras

            # instead of: loss=lambda y, p: -tf.reduce_sum(y * tf.math.log(p))
            outputs = keras.layers.Dense(num_classes)(h)           # logits
            model = keras.Model(inputs, outputs)
            model.compile(optimizer="adam",
                          loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                          metrics=["accuracy"])

            # or, if it must stay hand-written: clip before the log and take the mean
            def cross_entropy(y, p):
                p = keras.ops.clip(p, 1e-7, 1 - 1e-7)
                return -keras.ops.mean(keras.ops.sum(y * keras.ops.log(p), axis=-1))
        """,
        torch="""
            import torch.nn as nn
            import torch.nn.functional as F

            logits = model(x)
            # instead of: loss = -(F.one_hot(y, 3) * torch.log(torch.softmax(logits, 1))).sum()
            loss = nn.CrossEntropyLoss()(logits, y)            # log-softmax from the logits, stable
            loss = F.nll_loss(F.log_softmax(logits, dim=1), y)  # the same from log-probabilities
        """,
        docs=(_K_PROB_LOSSES, _T_CE,
              ("TensorFlow: tf.nn.softmax_cross_entropy_with_logits",
               "https://www.tensorflow.org/api_docs/python/tf/nn/softmax_cross_entropy_with_logits")),
        so_query="tensorflow nan loss log softmax cross entropy",
    ),
    _e(
        "double-activation", "Activation applied twice", "error", "model",
        description="""
            Two activations in a row are almost always a mistake. A softmax applied to probabilities
            squashes them toward uniform: its inputs differ by at most 1, so the outputs differ by at
            most a factor e, and with 10 classes the largest probability the model can express is
            e/(e+9) ≈ 0.23, so the loss cannot fall below about 1.46 and the gradients shrink. The usual
            form is a softmax output combined with a loss that applies its own: nn.Softmax before
            PyTorch's nn.CrossEntropyLoss (which already computes log-softmax), or a softmax output with
            Keras's from_logits=True. (Keras on the TensorFlow backend recognises a softmax output, warns
            and uses the logits underneath, so training is unaffected there; the JAX and PyTorch
            backends apply the softmax twice.) A ReLU after a ReLU is harmless but redundant; other
            stacks (sigmoid after softmax, ReLU after sigmoid) restrict the output range for no reason.
        """,
        heuristic="""
            Before training mlnb flags an activation layer applied to the output of a layer that already
            has a nonlinear activation (for example Dense(activation='softmax') followed by
            Activation('softmax')), and a softmax/sigmoid output fed to a loss that applies its own
            (Keras from_logits=True, PyTorch nn.CrossEntropyLoss / nn.BCEWithLogitsLoss) or that expects
            log-probabilities (nn.NLLLoss), and a ReLU-like activation on the logits of a loss that applies
            its own softmax/sigmoid (negative scores are cut to 0).
        """,
        fix="""
            Keep one activation after each layer and exactly one output normalization. Keras:
            Dense(n, activation='softmax') with from_logits=False (the default), or a linear Dense(n)
            with from_logits=True. PyTorch: remove nn.Softmax/nn.LogSoftmax before nn.CrossEntropyLoss;
            the model should output raw logits (use nn.LogSoftmax only with nn.NLLLoss).
        """,
        keras="""
            import keras

            # the softmax is inside Dense: no extra keras.layers.Softmax() / Activation("softmax") after it
            outputs = keras.layers.Dense(num_classes, activation="softmax")(h)
            model = keras.Model(inputs, outputs)
            model.compile(optimizer="adam",
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
                          metrics=["accuracy"])
        """,
        torch="""
            import torch.nn as nn

            model = nn.Sequential(
                nn.Linear(784, 128), nn.ReLU(),
                nn.Linear(128, 10),          # logits: no nn.Softmax() here
            )
            loss_fn = nn.CrossEntropyLoss()  # = LogSoftmax + NLLLoss internally
        """,
        docs=(_K_PROB_LOSSES, _K_ACTIVATIONS, _T_CE, _T_NLL),
        so_query="softmax twice cross entropy",
    ),
    _e(
        "lr-out-of-range", "Learning rate outside the usual range", "error", "training",
        description="""
            The learning rate scales every update. Too large, and steps overshoot the minimum along
            high-curvature directions: the loss oscillates, grows or becomes NaN. Too small, and each step
            makes almost no progress: training looks stalled, and below about 1e-7 updates can vanish in
            float32 rounding (about 7 significant digits) relative to the weights. Zero does nothing; a
            negative rate performs gradient ascent and maximises the loss. Good values depend on the
            optimizer: Adam and RMSprop usually work in 1e-4 to 1e-3 (Keras's default is 1e-3), SGD with
            momentum in 1e-3 to 1e-1.
        """,
        heuristic="""
            Before training mlnb reads the optimizer's learning rate and flags it when it is negative or
            zero, below {lr_min:g}, or above the optimizer's own range: {lr_max_adaptive:g} for Adam,
            RMSprop and their relatives, 10 times that for Adagrad, 1000 times for Adadelta (whose
            usual rate is 1.0), {lr_max_sgd:g} for plain SGD. Up to ten times above the range is a
            warning (it often still trains); further above, an error. The best value is
            problem-specific; these bounds only catch values that are almost never right. During the first
            epochs it also flags a rate inside the range that is too high for this model and data: the
            training loss never got below its value before training and diverged (or rose and became NaN).
            And one that is too low: after {stall_epochs} or more epochs the loss fell in every epoch (the
            direction is right) but by less than 10% in all, while the training accuracy did not change
            at all and no probe shows vanishing or saturated gradients (the steps are too small).
        """,
        fix="""
            Start from the optimizer's default (Adam 1e-3) and tune by factors of 3 to 10. Check sign and
            exponent: 1e-3, not -1e3 or 1e3. To lower the rate later in training, use a schedule or
            ReduceLROnPlateau rather than starting very low.
        """,
        keras="""
            import keras

            optimizer = keras.optimizers.Adam(learning_rate=1e-3)   # positive; 1e-3, not -1e3
            model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=3)
            model.fit(x_train, y_train, validation_split=0.1, epochs=30, callbacks=[reduce_lr])
        """,
        torch="""
            import torch

            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)   # or SGD(..., lr=0.01, momentum=0.9)
            scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.3, patience=3)
            # after each epoch: scheduler.step(val_loss)
            print(optimizer.param_groups[0]["lr"])                       # the rate actually in use
        """,
        docs=(("Keras: Adam optimizer", "https://keras.io/api/optimizers/adam/"), _K_CALLBACKS, _T_OPTIM,
              _P_BENGIO, _P_SMITH),
        so_query="choosing learning rate adam",
    ),
    _e(
        "missing-activation", "Missing activation between linear layers", "error", "model",
        description="""
            A Dense/Linear or convolution layer computes an affine map W·x + b. Two affine maps in a row
            are again one affine map: W2(W1·x + b1) + b2 = (W2·W1)·x + (W2·b1 + b2). Without a nonlinearity
            between them, stacked layers can represent only what a single layer can (linear decision
            boundaries, however many parameters they have). Keras layers default to activation=None,
            i.e. linear, so a forgotten activation= argument silently removes the nonlinearity;
            PyTorch's nn.Linear and nn.Conv2d never include one. Dropout, Flatten and Reshape in between do
            not help: they are linear too. (A deliberately linear bottleneck is the rare exception.)
        """,
        heuristic="""
            Before training mlnb follows the model's dataflow and flags a Dense/Linear or convolution
            layer without a nonlinear activation whose output reaches another Dense/Linear or convolution
            layer directly or only through dropout, flatten, reshape or pooling layers. The output layer
            is not flagged. This needs the model's real dataflow: mlnb reads it from Keras models and
            records it from a forward pass of PyTorch modules, and skips the check where it is unknown.
        """,
        fix="""
            Add a nonlinearity after every hidden Dense/Linear and convolution layer: ReLU is the standard
            default (GELU, LeakyReLU or SiLU are alternatives). Keep the last layer's activation for the
            task: softmax or sigmoid for classification with a probability loss, none (logits) for
            from_logits=True and PyTorch's nn.CrossEntropyLoss, none for regression.
        """,
        keras="""
            import keras

            model = keras.Sequential([
                keras.Input(shape=(32, 32, 3)),
                keras.layers.Conv2D(32, 3, activation="relu"),
                keras.layers.MaxPooling2D(),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),     # hidden layers: nonlinear
                keras.layers.Dense(10, activation="softmax"),   # output: task-specific
            ])
        """,
        torch="""
            import torch.nn as nn

            model = nn.Sequential(
                nn.Conv2d(3, 32, kernel_size=3), nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Flatten(),
                nn.LazyLinear(128), nn.ReLU(),   # hidden layers: nonlinear
                nn.Linear(128, 10),              # output: logits for nn.CrossEntropyLoss
            )
        """,
        docs=(_K_DENSE, _K_ACTIVATIONS, _T_LINEAR,
              ("PyTorch: nn.ReLU", "https://pytorch.org/docs/stable/generated/torch.nn.ReLU.html"), _P_DLBOOK_MLP),
        so_query="layers without activation function",
    ),
    _e(
        "vanishing-gradient", "Vanishing gradients", "error", "training",
        description="""
            Backpropagation multiplies, layer by layer, the weight matrices and the derivatives of the
            activations. When these factors are mostly below 1 (saturated sigmoid/tanh units, whose
            derivative is at most 0.25 for sigmoid and near 0 in the tails; weights initialised too small;
            many layers), the gradient shrinks exponentially with depth. The first layers then receive
            updates too small to learn and stay near their random initialisation while the last layers
            try to compensate; the loss plateaus early.
        """,
        heuristic=_PROBE + """
            At each probe it computes the root-mean-square gradient of every layer's weights and flags
            the model when the first layer's gradient is below {vanish_ratio:g}× the last layer's, or
            every layer's gradient is below {vanish_abs:g}.
        """,
        fix="""
            Use ReLU-family activations in hidden layers with He (Kaiming) initialisation (Glorot for
            tanh), add normalization layers (BatchNormalization, LayerNormalization), use residual
            connections in deep networks, and check that the inputs are normalized. For recurrent models
            use LSTM or GRU rather than simple RNNs.
        """,
        keras="""
            import keras

            h = keras.layers.Dense(256, kernel_initializer="he_normal")(h)
            h = keras.layers.BatchNormalization()(h)
            h = keras.layers.Activation("relu")(h)
            # residual connection for deep networks: out = h + f(h)
            f = keras.layers.Dense(256, activation="relu", kernel_initializer="he_normal")(h)
            h = keras.layers.Add()([h, f])
        """,
        torch="""
            import torch.nn as nn
            import torch.nn.functional as F

            class Block(nn.Module):
                def __init__(self, width: int):
                    super().__init__()
                    self.linear = nn.Linear(width, width)
                    self.norm = nn.BatchNorm1d(width)
                    nn.init.kaiming_normal_(self.linear.weight, nonlinearity="relu")
                    nn.init.zeros_(self.linear.bias)

                def forward(self, x):
                    return x + F.relu(self.norm(self.linear(x)))   # the residual path keeps gradients alive
        """,
        docs=(_K_INIT, _K_BN, _T_INIT, _P_GLOROT, _P_HE, _P_BN),
        so_query="vanishing gradient",
    ),
    _e(
        "exploding-gradient", "Exploding gradients", "error", "training",
        description="""
            The mirror image of vanishing gradients: when the factors multiplied in backpropagation are
            mostly above 1 (large weights, deep networks, recurrent networks unrolled over many steps,
            unnormalized inputs), the gradient grows exponentially with depth. One huge gradient makes an
            update that throws the weights far from where training had brought them: the loss spikes,
            oscillates or overflows to NaN.
        """,
        heuristic="""
            mlnb probes a sample batch of {probe_rows} rows (in PyTorch every {probe_every} batches of the
            first epoch, then once per epoch; in Keras after the first epochs, then within {probe_budget:g} of the training time), computes the global norm of all weight gradients, and flags it when it is
            above {explode_norm:g} or not finite.
        """,
        fix="""
            Clip the gradient norm (a maximum norm of about 1 is common), lower the learning rate,
            normalize the inputs, and use standard initialisation and normalization layers. For recurrent
            models use LSTM or GRU.
        """,
        keras="""
            import keras

            # rescale all gradients together when their global norm exceeds 1
            optimizer = keras.optimizers.Adam(learning_rate=1e-3, global_clipnorm=1.0)
            model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        """,
        torch="""
            import torch

            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)   # norm before clipping
            optimizer.step()
        """,
        docs=(_K_OPTIMIZERS, _T_CLIP, _P_PASCANU),
        so_query="exploding gradient clipping",
    ),
    _e(
        "train-val-overlap", "Validation data overlaps the training data", "error", "data",
        description="""
            Validation data estimate how the model performs on data it has not seen. Samples that also
            occur in the training set measure memorisation instead: the model can score well on them by
            recalling the training label, so validation loss and accuracy are optimistically biased,
            overfitting goes unnoticed, and everything tuned on them (early stopping, hyperparameters,
            model selection) follows the wrong signal. Typical causes: a validation set sliced out of the
            training arrays (x_train[:100]), splitting after augmentation or oversampling, or duplicates in
            the raw data.
        """,
        heuristic="""
            mlnb compares samples of up to {sample_rows} training and validation rows byte for byte (by
            hash) and flags the split when more than {overlap_max:.0%} of the validation rows also occur
            in the training rows. Near-duplicates (re-encoded or augmented copies) are not detected.
        """,
        fix="""
            Split once into disjoint sets, before any augmentation or oversampling, after removing exact
            duplicates. If several samples come from the same source (patient, object, recording
            session), split by that group so none of them appears on both sides.
        """,
        keras="""
            import numpy as np
            from sklearn.model_selection import train_test_split

            _, first = np.unique(x.reshape(len(x), -1), axis=0, return_index=True)   # drop exact duplicates
            keep = np.sort(first)
            x_train, x_val, y_train, y_val = train_test_split(
                x[keep], y[keep], test_size=0.2, stratify=y[keep], random_state=0)
            model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10)
        """,
        torch="""
            import torch
            from torch.utils.data import DataLoader, TensorDataset, random_split

            dataset = TensorDataset(x, y)
            train_set, val_set = random_split(dataset, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
            train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
            val_loader = DataLoader(val_set, batch_size=256)
        """,
        docs=(("scikit-learn: train_test_split",
               "https://scikit-learn.org/stable/modules/generated/sklearn.model_selection.train_test_split.html"),
              ("scikit-learn: GroupShuffleSplit",
               "https://scikit-learn.org/stable/modules/generated/sklearn.model_selection.GroupShuffleSplit.html"),
              _K_FIT, _T_DATA, _P_LEAKAGE),
        so_query="data leakage validation set",
    ),
    _e(
        "constant-input", "Input is constant", "error", "data",
        description="""
            If every sample is identical (for example all zeros), the model's output cannot depend on
            the input: the best it can do is predict the average label, the loss settles at the entropy
            of the label distribution, and the gradients carry no information about features. This is
            almost always a bug in the input pipeline: images that failed to decode, an integer division
            or cast that rounds every value to 0 (x // 255, astype(int) after scaling), a normalization
            that divides by a zero standard deviation, a mask that zeroes everything, or one sample
            repeated by an indexing error.
        """,
        heuristic="""
            mlnb compares the sampled training rows (up to {sample_rows}) and flags the input when every
            row is exactly the same.
        """,
        fix="""
            Look at a few inputs right before they enter the model (print statistics, plot images) and
            trace back to the step where the values collapse: decoding, dtype casts, normalization,
            indexing.
        """,
        keras="""
            import numpy as np

            xb = np.asarray(x_train[:64])
            print(xb.dtype, xb.min(), xb.max(), xb.std(axis=0).max())   # largest feature std: must be > 0
            x_train = x_train.astype("float32") / 255.0                # not x_train // 255 (rounds to 0)
        """,
        torch="""
            import torch

            xb, yb = next(iter(train_loader))
            print(xb.dtype, xb.min().item(), xb.max().item(), xb.float().std(dim=0).max().item())  # must be > 0
            x = x.float() / 255.0                                       # not x // 255 (rounds to 0)
        """,
        docs=(("Keras: loading and preprocessing data", "https://keras.io/api/data_loading/"), _T_DATA),
        so_query="same prediction for every input",
    ),
    _e(
        "loss-not-decreasing", "Loss is not decreasing", "error", "training",
        description="""
            A model with enough capacity should at least lower its training loss; if the loss stays where
            it started, the optimizer is not making progress on the training data at all. This is a
            symptom with several possible root causes, most of which mlnb checks separately: a learning
            rate far too low or too high, unnormalized or constant inputs, a missing or doubled softmax,
            labels that do not match the loss, frozen weights, dead or saturated units. A cross-entropy
            stuck near ln C (C classes) means the model predicts the uniform distribution, i.e. it ignores
            its input.
        """,
        heuristic="""
            After {stall_epochs} epochs mlnb flags the run when the best training loss is not at least
            {stall_min_rel:.0%} below the loss at the start of training. A model that improved and then
            converged is not flagged. A loss that creeps down by less than 10% while the training accuracy
            keeps exactly the same value in every epoch is flagged too: the predictions are not changing.
        """,
        fix="""
            Read the other findings of this run first: they often name the cause. Then do the standard
            sanity check: train on one small batch (10 to 100 samples) for a few hundred steps. A correct
            model and loss drive the loss close to zero; if yours cannot, the bug is in the model, the
            loss or the labels, not in the amount of data.
        """,
        keras="""
            import keras

            xb, yb = x_train[:32], y_train[:32]
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                          loss="sparse_categorical_crossentropy")
            history = model.fit(xb, yb, epochs=200, verbose=0)
            print(history.history["loss"][0], "->", history.history["loss"][-1])   # should approach 0
        """,
        torch="""
            import torch

            xb, yb = next(iter(train_loader))
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            for step in range(200):           # overfit one batch: the loss should approach 0
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
            print(loss.item())
        """,
        docs=(_P_RECIPE, _K_OPTIMIZERS, _T_OPTIM, _P_BENGIO),
        so_query="training loss not decreasing",
    ),
    _e(
        "bad-initial-loss", "Initial loss is far from chance level", "error", "training",
        description="""
            Before training, a classifier should be uncertain: with small random weights its softmax
            output is close to uniform over the C classes, so the cross-entropy starts near
            -ln(1/C) = ln C (2.30 for 10 classes, 0.69 for two). A first loss far above that means the
            initial predictions are confidently wrong: a last layer with large weights or bias, large
            unnormalized inputs, or outputs and loss that disagree (see missing-softmax and
            label-encoding-mismatch). The first epochs are then spent undoing the initialisation (a
            "hockey stick" loss curve), or training never recovers.
        """,
        heuristic="""
            For categorical cross-entropy and NLL losses mlnb measures the loss on the first batch,
            before any update, and flags it when it exceeds {bad_init_factor:g}× ln C, where C is the
            number of output units (or of label classes).
        """,
        fix="""
            Keep the default initialisers (Glorot/He) with a zero bias in the last layer, normalize the
            inputs, and make outputs, loss and labels agree. For strongly imbalanced classes, initialise
            the last bias to the log class frequencies: the initial loss then equals the entropy of the
            labels, which is the best a model that ignores its input can do.
        """,
        keras="""
            import numpy as np
            import keras

            prior = np.bincount(y_train, minlength=num_classes) / len(y_train)
            outputs = keras.layers.Dense(
                num_classes, activation="softmax",
                bias_initializer=keras.initializers.Constant(np.log(prior + 1e-12)))(h)   # zeros if balanced
            model = keras.Model(inputs, outputs)
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            print(model.evaluate(x_train[:256], y_train[:256], verbose=0), "expected about",
                  np.log(num_classes))
        """,
        torch="""
            import math
            import torch

            last = model[-1]                     # the final nn.Linear producing logits
            torch.nn.init.zeros_(last.bias)      # or log class frequencies for imbalanced data
            with torch.no_grad():
                xb, yb = next(iter(train_loader))
                print(loss_fn(model(xb), yb).item(), "expected about", math.log(last.out_features))
        """,
        docs=(_P_RECIPE, _K_INIT, _T_INIT, _P_GLOROT),
        so_query="initial loss too high",
    ),
    _e(
        "dead-relu", "Dead ReLU units", "error", "model",
        description="""
            ReLU outputs max(0, z) and its gradient is 0 for z < 0. A unit whose pre-activation is negative
            for every input always outputs 0 and receives no gradient, so it can never recover: it is
            "dead", and its weights are wasted capacity. Many dead units in a layer also cut the gradient
            path to the layers before it. Typical causes: a learning rate so large that one update pushes
            the bias strongly negative, a negative bias initialisation, or unnormalized inputs.
        """,
        heuristic=_PROBE + """
            It flags a ReLU layer when more than {dead_fraction:.0%} of its units output zero for every
            sample of the probe batch (a few dead units are normal).
        """,
        fix="""
            Lower the learning rate, use He initialisation with zero biases, normalize the inputs or add
            BatchNormalization before the activation, or use an activation with a non-zero gradient for
            negative inputs (LeakyReLU, ELU, GELU) so units cannot die.
        """,
        keras="""
            import keras

            h = keras.layers.Dense(128, kernel_initializer="he_normal")(h)
            h = keras.layers.BatchNormalization()(h)
            h = keras.layers.LeakyReLU(negative_slope=0.01)(h)   # small gradient for z < 0
        """,
        torch="""
            import torch
            import torch.nn as nn

            layer = nn.Linear(256, 128)
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
            block = nn.Sequential(layer, nn.BatchNorm1d(128), nn.LeakyReLU(0.01))   # small gradient for z < 0
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)              # high rates kill units
        """,
        docs=(("Keras: LeakyReLU", "https://keras.io/api/layers/activation_layers/leaky_relu/"), _K_INIT,
              ("PyTorch: nn.LeakyReLU", "https://pytorch.org/docs/stable/generated/torch.nn.LeakyReLU.html"),
              _T_INIT, _P_HE, ("Lu et al. 2019: Dying ReLU and initialization", "https://arxiv.org/abs/1903.06733")),
        so_query="dying relu",
    ),
    # ------------------------------------------------------------------------------ warning
    _e(
        "suspicious-val-accuracy", "Validation accuracy is suspiciously high", "warning", "data",
        description="""
            A model generalises from the training data; it should rarely do much better on data it was
            never trained on. Validation accuracy that stays well above training accuracy often means the
            validation set overlaps the training set or is easier than it (leakage, duplicates, a
            different distribution), or that an input feature gives the label away. There are benign
            explanations too: Keras reports training accuracy as the average over the epoch, with dropout
            and augmentation active, while validation accuracy is measured after the epoch in inference
            mode, so validation can lead by a few points, mostly early in training.
        """,
        heuristic="""
            From epoch {val_acc_min_epoch} on (counting from 0; early epochs are noisy) mlnb flags
            validation accuracy that exceeds training accuracy by more than {val_acc_margin:g} (as a
            fraction, e.g. 0.85 vs 0.70) for {val_acc_patience} epochs in a row, with the validation
            error below {val_acc_error_ratio:g} of the training error. Dropout and the averaging of
            training accuracy over an improving epoch make validation lead a little; not that much. The
            training accuracy is compared at its estimated end-of-epoch value (the epoch mean plus half the
            epoch's gain), since the mean lags the model while it improves quickly.
        """,
        fix="""
            Make sure the splits are disjoint (see train-val-overlap) and that no input encodes the label
            (ids, file names, timestamps, information recorded after the outcome). Then compare training
            and validation accuracy both in inference mode before concluding anything: if they agree,
            the gap came from dropout/augmentation.
        """,
        keras="""
            train_loss, train_acc = model.evaluate(x_train, y_train, verbose=0)   # inference mode: no dropout
            val_loss, val_acc = model.evaluate(x_val, y_val, verbose=0)           # needs metrics=["accuracy"]
            print(f"train {train_acc:.3f}  validation {val_acc:.3f}")
        """,
        torch="""
            import torch

            @torch.no_grad()
            def accuracy(model, loader):
                model.eval()                     # dropout off, batch-norm running statistics
                correct = total = 0
                for x, y in loader:
                    correct += (model(x).argmax(dim=1) == y).sum().item()
                    total += len(y)
                model.train()
                return correct / total

            print(accuracy(model, train_loader), accuracy(model, val_loader))
        """,
        docs=(_K_FIT, ("PyTorch: Module.eval", "https://pytorch.org/docs/stable/generated/torch.nn.Module.html"),
              _P_LEAKAGE),
        so_query="validation accuracy higher than training accuracy",
    ),
    _e(
        "overfitting", "Possible overfitting", "warning", "training",
        description="""
            Training minimises the loss on the training set only; the validation loss estimates the loss
            on new data. When the validation loss rises while the training loss keeps falling, the model
            has started to fit patterns specific to the training samples (noise, idiosyncrasies) that do
            not generalise: its capacity exceeds what the data support. A noisy epoch is normal; a
            sustained rise is the signal. This can be a false positive if the validation loss turns down
            again later.
        """,
        heuristic="""
            mlnb flags the run when the validation loss rose for {overfit_patience} epochs in a row while
            the training loss fell, and ends more than {overfit_min_rise:.0%} above its best value. It
            needs validation data (validation_data= or validation_split=). When the training data evaluated
            in inference mode (as the validation data are) score at least 80% of the validation loss, the
            gap is the model's train/inference difference (BatchNorm statistics still settling), not
            overfitting, and nothing is raised.
        """,
        fix="""
            Keep the weights of the best validation epoch (early stopping), get more data or augment it,
            add regularisation (dropout of 0.2 to 0.5, weight decay), or reduce capacity (fewer units,
            filters or layers).
        """,
        keras="""
            import keras

            h = keras.layers.Dense(128, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-4))(h)
            h = keras.layers.Dropout(0.3)(h)
            early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
            model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=100, callbacks=[early])
        """,
        torch="""
            import copy
            import torch

            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
            best, best_state, bad_epochs = float("inf"), None, 0
            for epoch in range(100):
                train_one_epoch(model, train_loader, optimizer)
                val_loss = evaluate(model, val_loader)
                if val_loss < best:
                    best, best_state, bad_epochs = val_loss, copy.deepcopy(model.state_dict()), 0
                else:
                    bad_epochs += 1
                    if bad_epochs >= 5:      # early stopping
                        break
            model.load_state_dict(best_state)
        """,
        docs=(("Keras: EarlyStopping", "https://keras.io/api/callbacks/early_stopping/"),
              ("Keras: Dropout", "https://keras.io/api/layers/regularization_layers/dropout/"),
              ("Keras: regularizers", "https://keras.io/api/layers/regularizers/"),
              ("PyTorch: torch.optim.AdamW (weight decay)", "https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html"),
              ("Srivastava et al. 2014: Dropout", "https://jmlr.org/papers/v15/srivastava14a.html")),
        so_query="validation loss increasing overfitting",
    ),
    _e(
        "high-dropout", "Dropout rate is very high", "warning", "model",
        description="""
            Dropout(rate) zeroes each unit with probability rate during training and scales the rest by
            1/(1-rate); this trains an ensemble of thinned networks and regularises. The rate is the
            fraction dropped, not kept: rate=0.8 keeps only 20% of the units at each step, so every step
            trains a much smaller network, gradients are very noisy, and the model underfits. The
            original paper uses 0.5 for hidden layers and about 0.2 for inputs; higher values rarely
            help. A frequent cause is confusing the drop probability (Keras rate, PyTorch p) with the
            keep probability of old TensorFlow 1 APIs (keep_prob).
        """,
        heuristic="""
            Before training mlnb lists every dropout layer whose rate is above {dropout_max:g}.
        """,
        fix="""
            Use a rate between 0.1 and 0.5; if you meant to keep 80% of the units, write Dropout(0.2).
            Prefer more data or a smaller model over very strong dropout.
        """,
        keras="""
            import keras

            h = keras.layers.Dropout(rate=0.2)(h)   # rate = fraction DROPPED; 0.8 would drop 80% of units
        """,
        torch="""
            import torch.nn as nn

            dropout = nn.Dropout(p=0.2)   # p = probability of zeroing a unit, not of keeping it
            model.eval()                  # dropout is active only in train mode; evaluate in eval mode
        """,
        docs=(("Keras: Dropout", "https://keras.io/api/layers/regularization_layers/dropout/"),
              ("PyTorch: nn.Dropout", "https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html"),
              ("Srivastava et al. 2014: Dropout", "https://jmlr.org/papers/v15/srivastava14a.html")),
        so_query="dropout rate too high",
    ),
    _e(
        "saturated-activation", "Saturated sigmoid/tanh units", "warning", "model",
        description="""
            Sigmoid and tanh flatten out for large |z|: σ'(z) = σ(z)(1-σ(z)) is below 0.01 once |z| > 4.6,
            and tanh'(z) = 1-tanh²(z) is below 0.01 once |z| > 3. Units whose outputs sit at 0/1 (sigmoid)
            or ±1 (tanh) pass almost no gradient back, so they and the layers before them stop learning: a
            local vanishing-gradient problem. Typical causes: unnormalized inputs, weights initialised too
            large, a high learning rate.
        """,
        heuristic=_PROBE + """
            It flags a hidden sigmoid/tanh layer when more than {saturation_fraction:.0%} of its outputs
            are within 1% of the bounds. Output layers are not judged: confident probabilities should be
            near 0 or 1.
        """,
        fix="""
            Normalize the inputs, use Glorot (Xavier) initialisation for sigmoid/tanh layers (Keras's
            default), add BatchNormalization before the activation, or use ReLU-family activations in
            hidden layers and keep sigmoid for binary outputs and gates.
        """,
        keras="""
            import keras

            h = keras.layers.Dense(128, kernel_initializer="glorot_uniform")(h)
            h = keras.layers.BatchNormalization()(h)   # pre-activations near zero mean, unit variance
            h = keras.layers.Activation("tanh")(h)     # or "relu" in hidden layers
        """,
        torch="""
            import torch.nn as nn

            layer = nn.Linear(256, 128)
            nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain("tanh"))
            block = nn.Sequential(layer, nn.BatchNorm1d(128), nn.Tanh())   # or nn.ReLU() in hidden layers
        """,
        docs=(_K_INIT, _K_BN, _T_INIT, _T_BN, _P_GLOROT, _P_LECUN),
        so_query="saturated sigmoid tanh",
    ),
    _e(
        "loss-oscillating", "Loss is oscillating", "warning", "training",
        description="""
            When the training loss alternates up and down from epoch to epoch instead of trending down, the
            optimizer is bouncing between the walls of a valley in the loss surface: its steps are too
            large for the curvature, so each update overshoots. Very small batches add gradient noise with
            a similar effect, and unshuffled data can produce a periodic pattern. Some noise is normal; a
            loss that swings without net progress means the step size should come down.
        """,
        heuristic="""
            Over the last {oscillation_window} epochs mlnb counts how often the training loss changes
            direction; it flags {oscillation_min_flips} or more changes when the average epoch-to-epoch
            change is more than {oscillation_rel:.0%} of the mean loss and larger than the net progress
            over the window, unless the run has already fallen from its first loss by more than ten such
            changes (then the swings are noise around a converged level).
        """,
        fix="""
            Lower the learning rate or decay it during training (ReduceLROnPlateau, cosine decay), increase
            the batch size, shuffle the data every epoch, and clip gradients if single batches cause the
            jumps.
        """,
        keras="""
            import keras

            schedule = keras.optimizers.schedules.CosineDecay(initial_learning_rate=1e-3, decay_steps=10_000)
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, batch_size=64, shuffle=True, epochs=20)
        """,
        torch="""
            import torch
            from torch.utils.data import DataLoader

            train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
            optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=num_epochs)
            # after each epoch: scheduler.step()
        """,
        docs=(_K_LR_SCHEDULES, _K_CALLBACKS,
              ("PyTorch: learning rate schedulers", "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"),
              _P_BENGIO),
        so_query="loss fluctuating",
    ),
    _e(
        "unshuffled-data", "Training data is not shuffled", "warning", "data",
        description="""
            Stochastic gradient descent assumes each mini-batch is a random sample of the training set, so
            that its gradient is an unbiased estimate of the full gradient. If the data are sorted (all
            class 0 first, then class 1, ...), consecutive batches pull the weights toward one class after
            another: the model forgets the previous classes, the loss zig-zags, and the weights at the end
            of an epoch favour the last classes seen. Batch-normalization statistics from single-class
            batches are wrong as well. Keras's validation_split takes the last samples, so on sorted data
            the validation set may contain a single class.
        """,
        heuristic="""
            mlnb measures how often neighbouring training labels are equal: shuffled data give about
            Σ p_k² (p_k the class frequencies), sorted data nearly 1. It flags the data when at least
            {unshuffled_same_label:.0%} of neighbours share a label and order matters: the training loop
            does not reshuffle (a tf.data pipeline without shuffle, DataLoader(shuffle=False)), or Keras's
            validation_split cuts the last rows off the sorted arrays.
        """,
        fix="""
            Shuffle every epoch. Keras's fit shuffles NumPy arrays by default but ignores shuffle= for
            tf.data datasets and generators, so shuffle in the pipeline there. In PyTorch pass shuffle=True
            to the training DataLoader. Shuffle once before taking a validation split from sorted data.
        """,
        keras="""
            import numpy as np

            perm = np.random.default_rng(0).permutation(len(x_train))   # so validation_split is not one class
            x_train, y_train = x_train[perm], y_train[perm]
            model.fit(x_train, y_train, shuffle=True, validation_split=0.1, epochs=10)
            # tf.data: dataset = dataset.shuffle(buffer_size=len(x_train)).batch(64)
        """,
        torch="""
            from torch.utils.data import DataLoader

            train_loader = DataLoader(train_set, batch_size=64, shuffle=True)   # new order every epoch
            val_loader = DataLoader(val_set, batch_size=256, shuffle=False)
        """,
        docs=(_K_FIT, _T_DATA, _P_BENGIO),
        so_query="shuffle training data every epoch",
    ),
    _e(
        "class-imbalance", "Classes are strongly imbalanced", "warning", "data",
        description="""
            With imbalanced labels the average cross-entropy is dominated by the frequent classes:
            predicting the majority class already gives a low loss and high accuracy (with 95% of the
            samples in one class, always answering it is 95% accurate), so the gradient signal from rare
            classes is weak and the model may never learn them. Accuracy hides the failure; per-class
            recall, balanced accuracy or a confusion matrix reveal it.
        """,
        heuristic="""
            mlnb counts the training labels (classification only) and flags them when the rarest class has
            fewer than {imbalance_ratio:.0%} of the samples of the most common one.
        """,
        fix="""
            Report per-class metrics. Weight the loss by inverse class frequency, or resample so that
            rare classes appear in the batches as often as common ones. If the imbalance reflects
            reality and you need calibrated probabilities, keep it and tune the decision threshold instead. Collect more data
            for the rare classes if you can.
        """,
        keras="""
            import numpy as np
            from sklearn.utils.class_weight import compute_class_weight

            classes = np.unique(y_train)
            weights = compute_class_weight("balanced", classes=classes, y=y_train)
            model.fit(x_train, y_train, epochs=10, class_weight=dict(zip(classes.tolist(), weights.tolist())))
        """,
        torch="""
            import torch
            import torch.nn as nn
            from torch.utils.data import DataLoader, WeightedRandomSampler

            counts = torch.bincount(y_train).float()
            loss_fn = nn.CrossEntropyLoss(weight=counts.sum() / (len(counts) * counts))
            # or resample instead: every class drawn about equally often (no shuffle= with a sampler)
            sampler = WeightedRandomSampler((1.0 / counts)[y_train], num_samples=len(y_train), replacement=True)
            train_loader = DataLoader(train_set, batch_size=64, sampler=sampler)
        """,
        docs=(_K_FIT, _T_CE, _T_DATA,
              ("scikit-learn: compute_class_weight",
               "https://scikit-learn.org/stable/modules/generated/sklearn.utils.class_weight.compute_class_weight.html"),
              ("Buda et al. 2018: A systematic study of the class imbalance problem in CNNs",
               "https://arxiv.org/abs/1710.05381")),
        so_query="imbalanced classes class weight",
    ),
    _e(
        "internal-check-error", "An mlnb check failed (a bug in mlnb, not in your program)", "warning", "internal",
        description="""
            One of mlnb's own checks raised an exception. This is a bug in mlnb, not in your program: your
            training continued unaffected and all other checks kept running; only this check's result is
            missing for this run, so a problem it looks for may go unreported.
        """,
        heuristic="""
            Every check runs inside a guard. When a check raises, mlnb records the check's name, the
            exception and the end of its traceback here instead of interrupting your training.
        """,
        fix="""
            Nothing to change in your code. Please report it to the mlnb maintainers on the project's
            issue tracker, with the check name, error and traceback shown under program context, your
            framework versions (snippet below) and, if you can, a small model that triggers it.
        """,
        keras="""
            import platform
            import keras
            import mlnb

            print("mlnb", mlnb.__version__, "keras", keras.__version__, "backend", keras.backend.backend(),
                  "python", platform.python_version())
        """,
        torch="""
            import platform
            import torch
            import mlnb

            print("mlnb", mlnb.__version__, "torch", torch.__version__, "python", platform.python_version())
        """,
        docs=(("UMLAUT paper (Schoop et al., CHI 2021)", "https://doi.org/10.1145/3411764.3445538"),),
        so_query="mlnb",
    ),
]

CATALOG: dict[str, CatalogEntry] = {e.key: e for e in _ENTRIES}


def entry(key: str) -> CatalogEntry:
    """The catalog entry for ``key``.

    Example
    -------
    >>> entry("nan-loss").severity
    'critical'
    """
    try:
        return CATALOG[key]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(key), CATALOG, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"unknown UMLAUT finding key {key!r}.{hint} Valid keys: {', '.join(sorted(CATALOG))}") from None


__all__ = ["CATALOG", "CATEGORIES", "CatalogEntry", "FRAMEWORKS", "SEVERITIES", "entry"]
