"""The PyTorch reference of `gacd bench --case resnet`: the PGD-10 adversarial training step of
PreAct ResNet-18 at 32x32x3 (the CIFAR form of the robust-distillation repositories, as the engine's
src/engine/models/preactResnet18.ts builds it: a 3x3/64 stem without BN, four stages of two
PreActBlocks of widths 64, 128, 256, 512 and strides 1, 2, 2, 2, a 1x1 convolution on the shortcut
when the shape changes, no convolution biases, a final BN-ReLU, global average pooling, a linear
layer), PGD-10 at 8/255 (step 2/255, random start) on the model in eval mode, then CE at x' in train
mode, SGD momentum 0.9, weight decay 5e-4; random images and labels, 2 CPU threads.
Prints one JSON line: {"imagesPerSecond": ..., "secondsPerStep": ..., "peakRssKiB": ...}.
Run with Debian's torch: /usr/bin/python3 bench/torch_resnet.py [--steps 2] [--batch 32]"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_step import print_figure, step

torch.set_num_threads(2)
torch.manual_seed(1)


class PreActBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.shortcut = (
            nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False))
            if stride != 1 or in_planes != planes
            else None
        )

    def forward(self, x):
        out = F.relu(self.bn1(x))
        skip = self.shortcut(out) if self.shortcut is not None else x
        out = self.conv2(F.relu(self.bn2(self.conv1(out))))
        return out + skip


class PreActResNet18(nn.Module):
    def __init__(self, channels=3, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 64, 3, padding=1, bias=False)
        layers, in_planes = [], 64
        for planes, stride in zip((64, 128, 256, 512), (1, 2, 2, 2)):
            layers.append(nn.Sequential(PreActBlock(in_planes, planes, stride), PreActBlock(planes, planes, 1)))
            in_planes = planes
        self.layers = nn.Sequential(*layers)
        self.bn = nn.BatchNorm2d(512)
        self.linear = nn.Linear(512, num_classes)

    def forward(self, x):
        out = self.layers(self.conv1(x))
        return self.linear(F.relu(self.bn(out)).mean(dim=(2, 3)))


def bench(steps, batch):
    model = PreActResNet18()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))
    step(model, opt, x, y)  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        step(model, opt, x, y)
    seconds = time.perf_counter() - t0
    return {"secondsPerStep": seconds / steps, "imagesPerSecond": steps * batch / seconds}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    a = p.parse_args()
    figure = {"case": "resnet", "batch": a.batch, "steps": a.steps, **bench(a.steps, a.batch)}
    print_figure(figure)
