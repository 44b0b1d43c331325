"""PyTorch example "Linear regression" (pytorch/examples regression/main.py): fit a degree-4 polynomial
with one nn.Linear on polynomial features, F.smooth_l1_loss, a hand-written SGD step
(``param.data.add_(-0.1 * param.grad)``, no torch.optim), random batches until the loss is below 1e-3.

Provenance: pytorch/examples regression/main.py.
Bug: none (official example).
Substitutions: none in the model or update rule; the loop's batches are grouped into "epochs" of 20
batches for UMLAUT's epoch calls (the example only prints at the end), at most 30 such epochs.
"""

from __future__ import annotations

from _common import monitor, torch as _torch

KIND = "clean"
SOURCE = "pytorch/examples regression/main.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    torch = _torch(2)
    import torch.nn.functional as F

    POLY_DEGREE = 4
    W_target = torch.randn(POLY_DEGREE, 1) * 5
    b_target = torch.randn(1) * 5

    def make_features(x):
        x = x.unsqueeze(1)
        return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)

    def f(x):
        return x.mm(W_target) + b_target.item()

    def get_batch(batch_size=32):
        random = torch.randn(batch_size)
        x = make_features(random)
        y = f(x)
        return x, y

    fc = torch.nn.Linear(W_target.size(0), 1)
    mon = monitor(fc, loss_fn=F.smooth_l1_loss, output_type="regression") if umlaut else None
    try:
        for _epoch in range(30):
            losses = []
            for _ in range(20):
                batch_x, batch_y = get_batch()
                fc.zero_grad()
                output = F.smooth_l1_loss(fc(batch_x), batch_y)
                loss = output.item()
                output.backward()
                for param in fc.parameters():
                    param.data.add_(-0.1 * param.grad)
                if mon:
                    mon.batch(loss=output, inputs=batch_x, targets=batch_y)
                losses.append(loss)
            if mon:
                mon.epoch(loss=sum(losses) / len(losses))
            if loss < 1e-3:
                break
    finally:
        if mon:
            mon.close()
    return list(mon.session.findings) if mon else []
