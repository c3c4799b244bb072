"""The PyTorch reference of `gacd bench --case eval`: PGD-20 evaluation of the small CNN at 28x28x1
(epsilon 8/255, step 2/255, random start, model in eval mode, gradients for the input only), then
the accuracy at x', over random images with random labels and random weights (the cost does not
depend on them), in evaluation batches, on 2 CPU threads.
Prints one JSON line: {"imagesPerSecond": ..., "peakRssKiB": ...}.
Run with Debian's torch: /usr/bin/python3 bench/torch_eval.py [--images 10000] [--batch 250]"""
import argparse
import time

import torch

from torch_step import print_figure, SmallCnn, pgd

torch.set_num_threads(2)
torch.manual_seed(1)


def bench(images, batch):
    model = SmallCnn(28, 28, 1).eval()
    model.requires_grad_(False)
    x = torch.rand(images, 1, 28, 28)
    y = torch.randint(0, 10, (images,))
    pgd(model, x[:8], y[:8], steps=20)  # warm-up
    correct = 0
    t0 = time.perf_counter()
    for start in range(0, images, batch):
        xb, yb = x[start : start + batch], y[start : start + batch]
        x_adv = pgd(model, xb, yb, eps=8 / 255, alpha=2 / 255, steps=20)
        with torch.no_grad():
            correct += (model(x_adv).argmax(1) == yb).sum().item()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "imagesPerSecond": images / seconds, "accuracy": correct / images}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=10000)
    p.add_argument("--batch", type=int, default=250)
    a = p.parse_args()
    figure = {"case": "eval", "images": a.images, "batch": a.batch, **bench(a.images, a.batch)}
    print_figure(figure)
