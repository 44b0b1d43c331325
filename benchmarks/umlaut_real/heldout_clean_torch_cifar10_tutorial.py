"""PyTorch tutorial "Training a Classifier" (CIFAR-10): Net = conv(3, 6, 5)-pool-conv(6, 16, 5)-pool,
fc 120-84-10, nn.CrossEntropyLoss, SGD(lr 0.001, momentum 0.9), batch 4, images normalized with
Normalize((0.5,)*3, (0.5,)*3), 2 epochs, then test accuracy.

Provenance: pytorch/tutorials beginner_source/blitz/cifar10_tutorial.py.
Bug: none (official tutorial).
Substitutions: torchvision CIFAR-10 -> 10-class 32x32 RGB shape images made in code (2000 training,
400 test), the same ToTensor + Normalize; 2 epochs (as in the tutorial). A TorchMonitor is attached
in the loop (batch + epoch calls).
"""

from __future__ import annotations

from _common import monitor, ten_class_images, torch as _torch

KIND = "clean"
SOURCE = "pytorch/tutorials beginner_source/blitz/cifar10_tutorial.py"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    torch = _torch(0)
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim as optim

    images, labels = ten_class_images(2400)
    data = (torch.tensor(images, dtype=torch.float32).permute(0, 3, 1, 2) / 255 - 0.5) / 0.5
    targets = torch.tensor(labels)
    trainloader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data[:2000], targets[:2000]),
                                              batch_size=4, shuffle=True)
    testloader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data[2000:], targets[2000:]),
                                             batch_size=4, shuffle=False)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    net = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    mon = monitor(net, optimizer=optimizer, loss_fn=criterion) if umlaut else None
    try:
        for _epoch in range(2):
            running = 0.0
            for inputs, labels_ in trainloader:
                optimizer.zero_grad()
                outputs = net(inputs)
                loss = criterion(outputs, labels_)
                loss.backward()
                optimizer.step()
                if mon:
                    mon.batch(loss=loss, inputs=inputs, targets=labels_, outputs=outputs)
                running += loss.item()
            correct = total = 0
            with torch.no_grad():
                for inputs, labels_ in testloader:
                    predicted = net(inputs).argmax(1)
                    total += labels_.size(0)
                    correct += (predicted == labels_).sum().item()
            if mon:
                mon.epoch(loss=running / len(trainloader), val_accuracy=correct / total)
    finally:
        if mon:
            mon.close()
    return list(mon.session.findings) if mon else []
