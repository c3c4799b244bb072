"""The PyTorch reference for `npm run bench`: the same PGD-10 adversarial training step of the same
small CNN as the engine's bench (conv3x3/32, pool, conv3x3/64, pool, dense 128, dense 10; batch 128;
eps 8/255, step 2/255, random start; SGD momentum 0.9, weight decay 5e-4), on 2 CPU threads.
Prints one JSON line per input shape: {"shape": "28x28x1", "imagesPerSecond": ...}.
Run with Debian's torch: /usr/bin/python3 bench/torch_step.py [steps]"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(1)


class SmallCnn(nn.Module):
    """The engine's small-cnn (widths 32, 64, 128) or, with widths (16, 32, 64), its tiny-cnn."""

    def __init__(self, h, w, c, widths=(32, 64, 128)):
        super().__init__()
        self.conv1 = nn.Conv2d(c, widths[0], 3, padding=1)
        self.conv2 = nn.Conv2d(widths[0], widths[1], 3, padding=1)
        self.fc1 = nn.Linear((h // 4) * (w // 4) * widths[1], widths[2])
        self.fc2 = nn.Linear(widths[2], 10)

    def features(self, x):
        """The logits and the penultimate features (the engine's `penultimate` tap)."""
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        penultimate = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(penultimate), penultimate

    def forward(self, x):
        return self.features(x)[0]


def pgd(model, x, y, eps=8 / 255, alpha=2 / 255, steps=10):
    """L-inf PGD with a random start, maximising the summed CE (the engine's attack objective)."""
    x_adv = (x + torch.empty_like(x).uniform_(-eps, eps)).clamp(0, 1)
    for _ in range(steps):
        x_adv.requires_grad_(True)
        loss = F.cross_entropy(model(x_adv), y, reduction="sum")
        (g,) = torch.autograd.grad(loss, x_adv)
        x_adv = torch.min(torch.max(x_adv.detach() + alpha * g.sign(), x - eps), x + eps).clamp(0, 1)
    return x_adv


def step(model, opt, x, y):
    model.eval()
    x_adv = pgd(model, x, y)
    model.train()
    opt.zero_grad()
    F.cross_entropy(model(x_adv), y).backward()
    opt.step()


def print_figure(figure):
    """Prints a bench case's figure as one JSON line, with the threads, torch's version and this
    process's peak RSS (KiB), as every reference script reports them."""
    figure.update(threads=torch.get_num_threads(), torch=torch.__version__, peakRssKiB=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps(figure), flush=True)


def bench(h, w, c, steps, batch=128):
    model = SmallCnn(h, w, c)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(batch, c, h, w)
    y = torch.randint(0, 10, (batch,))
    step(model, opt, x, y)  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        step(model, opt, x, y)
    return steps * batch / (time.perf_counter() - t0)


if __name__ == "__main__":
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for h, w, c in [(28, 28, 1), (32, 32, 3)]:
        print(json.dumps({"shape": f"{h}x{w}x{c}", "imagesPerSecond": bench(h, w, c, steps), "torch": torch.__version__}), flush=True)
