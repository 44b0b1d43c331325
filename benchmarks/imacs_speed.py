"""IMACS speed: a full run (100 images per model, M=5 Shapley segments, top-k=5 classes, 4×4 grid,
k-means k=5) for a small CNN and for a ResNet-18, on this CPU with one torch thread; seconds per stage.

    .venv/bin/python benchmarks/imacs_speed.py [--size 112] [--n-per-model 100] [--steps 16]

Weights are random (timing does not depend on them); both models of a pair share the architecture.
Images are the coloured shapes of ``mlnb.imacs.demo`` resized to --size (the CNN runs at 32×32).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
from torch import nn

from mlnb import imacs
from mlnb.imacs import demo


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.down is None else self.down(x)))


def resnet18(n_classes: int = 10) -> nn.Module:
    """ResNet-18 (He et al. 2016; 11.2 M parameters with 10 classes) in plain torch."""
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, n_classes)]
    return nn.Sequential(*layers)


def images(n: int, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    x, y, _ = demo.shapes(n, seed, {c: 0.3 for c in range(3)})
    if size != x.shape[1]:
        t = torch.nn.functional.interpolate(torch.from_numpy(x).permute(0, 3, 1, 2), size=(size, size), mode="bilinear")
        x = t.permute(0, 2, 3, 1).clamp(0, 1).numpy().copy()
    return x, y


def run(name: str, make, size: int, args) -> dict:
    x, y = images(args.n_images, size)
    a, b = make(0).eval(), make(1).eval()
    r = imacs.compare(a, b, x, y, target=0, n_per_model=args.n_per_model, top_m=5, top_k=5, n_clusters=5,
                      n_steps=args.steps, batch_size=args.batch_size, record=False, progress=False)
    params = sum(p.numel() for p in a.parameters()) / 1e6
    row = {"model": f"{name} ({params:.2f} M params, {size}×{size})", "wall": r.timings, "cpu": r.cpu_times,
           "segments": len(r.segments)}
    print(row, flush=True)  # partial results survive an interrupted run
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", type=int, default=112, help="ResNet-18 input size (default 112)")
    p.add_argument("--n-per-model", type=int, default=100)
    p.add_argument("--n-images", type=int, default=400)
    p.add_argument("--steps", type=int, default=16, help="Integrated Gradients steps")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--only", choices=("cnn", "resnet18"), default=None)
    args = p.parse_args()
    torch.set_num_threads(1)
    import warnings

    warnings.simplefilter("ignore")  # balanced sampling notes: random weights predict few classes
    # Warm up the embedder (weights load, first-call allocations), outside the timings.
    from mlnb.imacs.embedding import efficientnet_lite0

    efficientnet_lite0()
    rows = []
    if args.only in (None, "cnn"):
        rows.append(run("small CNN", lambda s: demo.small_cnn(10, seed=s), 32, args))
    if args.only in (None, "resnet18"):
        torch.manual_seed(0)
        rows.append(run("ResNet-18", lambda s: (torch.manual_seed(s), resnet18(10))[1], args.size, args))
    stages = ["predict", "sampling", "segmentation", "prerank", "shapley", "embedding", "clustering", "total"]
    print(f"\nIMACS full run: {args.n_per_model} images per model, M=5, top-k=5, IG steps={args.steps}, "
          f"batch {args.batch_size}, torch threads=1, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    for kind, what in (("wall", "wall-clock seconds"), ("cpu", "CPU seconds of this process (robust to other load)")):
        print(f"\n{what}")
        print(f"{'model':42s}" + "".join(f"{s:>13s}" for s in stages))
        for r in rows:
            print(f"{r['model']:42s}" + "".join(f"{r[kind].get(s, 0.0):13.2f}" for s in stages))
    for r in rows:
        cpu = r["cpu"]
        top = max(stages[:-1], key=lambda s: cpu.get(s, 0.0))
        print(f"{r['model']}: {r['wall']['total']:.1f} s wall, {cpu['total']:.1f} s CPU for {r['segments']} segments; "
              f"largest stage {top} ({cpu[top] / cpu['total']:.0%} of CPU); "
              f"{cpu['total'] / (2 * args.n_per_model):.3f} CPU s per explained image")
    if len(rows) == 2:
        a, b = rows
        print(f"ResNet-18 / small CNN CPU-time ratio: {b['cpu']['total'] / a['cpu']['total']:.1f}x "
              f"(pre-rank {b['cpu']['prerank'] / a['cpu']['prerank']:.1f}x, Shapley {b['cpu']['shapley'] / a['cpu']['shapley']:.1f}x)")


if __name__ == "__main__":
    main()
