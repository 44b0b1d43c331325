"""PyTorch example "Basic MNIST Example" (pytorch/examples mnist/main.py): Net with F.log_softmax in
forward, F.nll_loss, Adadelta(lr=1.0), StepLR(step_size=1, gamma=0.7), train() and test() functions.

Provenance: pytorch/examples mnist/main.py.
Bug: none (official example).
Substitutions: torchvision MNIST -> scikit-learn digits upscaled to 28x28 (same shape; the same
ToTensor + Normalize((0.1307,), (0.3081,))), 1000 training / 300 test images; epochs 14 -> 3; the
argparse options are constants. A TorchMonitor is attached in train()/test() (batch + epoch calls).
"""

from __future__ import annotations

from _common import mnist_like, monitor, torch as _torch

KIND = "clean"
SOURCE = "pytorch/examples mnist/main.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    torch = _torch(1)
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim as optim
    from torch.optim.lr_scheduler import StepLR

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    images, labels = mnist_like(1300, seed=1)
    data = ((torch.tensor(images, dtype=torch.float32) / 255 - 0.1307) / 0.3081).unsqueeze(1)
    targets = torch.tensor(labels)
    train_set = torch.utils.data.TensorDataset(data[:1000], targets[:1000])
    test_set = torch.utils.data.TensorDataset(data[1000:], targets[1000:])
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=64, shuffle=True)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=1000)

    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    mon = monitor(model, optimizer=optimizer, loss_fn=F.nll_loss) if umlaut else None

    def train(model, train_loader, optimizer, epoch):
        model.train()
        total = 0.0
        for batch_idx, (data, target) in enumerate(train_loader):  # noqa: B007 - as in the example (it logs batch_idx)
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            if mon:
                mon.batch(loss=loss, inputs=data, targets=target, outputs=output)
            total += loss.item() * len(data)
        return total / len(train_loader.dataset)

    def test(model, test_loader):
        model.eval()
        test_loss, correct = 0.0, 0
        with torch.no_grad():
            for data, target in test_loader:
                output = model(data)
                test_loss += F.nll_loss(output, target, reduction="sum").item()
                pred = output.argmax(dim=1, keepdim=True)
                correct += pred.eq(target.view_as(pred)).sum().item()
        return test_loss / len(test_loader.dataset), correct / len(test_loader.dataset)

    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    try:
        for epoch in range(1, 4):
            loss = train(model, train_loader, optimizer, epoch)
            val_loss, val_acc = test(model, test_loader)
            if mon:
                mon.epoch(loss=loss, val_loss=val_loss, val_accuracy=val_acc)
            scheduler.step()
    finally:
        if mon:
            mon.close()
    return list(mon.session.findings) if mon else []
