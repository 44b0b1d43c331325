"""PyTorch "Quickstart" tutorial (FashionMNIST): NeuralNetwork = Flatten, Linear(784, 512), ReLU,
Linear(512, 512), ReLU, Linear(512, 10); nn.CrossEntropyLoss; SGD(lr 1e-3); batch 64; train() and
test() per epoch, 5 epochs.

Provenance: pytorch/tutorials beginner_source/basics/quickstart_tutorial.py.
Bug: none (official tutorial; its small learning rate makes the loss fall slowly, on purpose).
Substitutions: torchvision FashionMNIST with ToTensor -> digits upscaled to 28x28, /255 (the same
ToTensor range), 1200 training / 300 test images; 5 epochs (as in the tutorial). A TorchMonitor is
attached in train()/test() (batch + epoch calls).
"""

from __future__ import annotations

from _common import mnist_like, monitor, torch as _torch

KIND = "clean"
SOURCE = "pytorch/tutorials beginner_source/basics/quickstart_tutorial.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    torch = _torch(0)
    from torch import nn

    images, labels = mnist_like(1500)
    data = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255
    targets = torch.tensor(labels)
    train_dataloader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data[:1200], targets[:1200]),
                                                   batch_size=64)
    test_dataloader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data[1200:], targets[1200:]),
                                                  batch_size=64)

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                                                   nn.Linear(512, 10))

        def forward(self, x):
            x = self.flatten(x)
            return self.linear_relu_stack(x)

    model = NeuralNetwork()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    mon = monitor(model, optimizer=optimizer, loss_fn=loss_fn) if umlaut else None

    def train(dataloader, model, loss_fn, optimizer):
        model.train()
        total = 0.0
        for X, y in dataloader:
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if mon:
                mon.batch(loss=loss, inputs=X, targets=y, outputs=pred)
            total += loss.item()
        return total / len(dataloader)

    def test(dataloader, model, loss_fn):
        model.eval()
        test_loss, correct = 0.0, 0
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        return test_loss / len(dataloader), correct / len(dataloader.dataset)

    try:
        for _t in range(5):
            loss = train(train_dataloader, model, loss_fn, optimizer)
            val_loss, val_acc = test(test_dataloader, model, loss_fn)
            if mon:
                mon.epoch(loss=loss, val_loss=val_loss, val_accuracy=val_acc)
    finally:
        if mon:
            mon.close()
    return list(mon.session.findings) if mon else []
