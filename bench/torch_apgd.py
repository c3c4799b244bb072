"""The PyTorch reference of `gacd bench --case apgd`: APGD-CE and APGD-T (L-inf, 100 iterations,
1 restart, 9 targets), as fra31/auto-attack codes them (autoattack/autopgd_base.py; Croce and Hein,
ICML 2020, arXiv 2003.01690), on the shipped teacher's weights as `gacd export` writes them
(python/gacd_models.py's SmallCNN) and the first bundled Fashion-MNIST test images, epsilon 0.1,
on 2 CPU threads. An independent transcription of the official loop, written for this bench (the
engine's is src/engine/attacks/apgd.ts): each attack alone on all the images, then both as a
cascade (APGD-T on what APGD-CE left).
Prints one JSON line: {"case": "apgd", "clean": ..., "apgd-ce": {...}, "apgd-t": {...}, ...}.
Run with Debian's torch:
  /usr/bin/python3 bench/torch_apgd.py --weights teacher.pt [--images 1000] [--batch 250] [--steps 100]"""
import argparse
import gzip
import os
import sys
import time

import torch
import torch.nn.functional as F

from torch_step import print_figure

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
import gacd_models  # noqa: E402

torch.set_num_threads(2)


def fashion_test(n):
    """The first n images of the bundled test split, (n, 1, 28, 28) in [0, 1], and their labels."""
    folder = os.path.join(ROOT, "data", "fashion-mnist-mini")
    with gzip.open(os.path.join(folder, "t10k-images-idx3-ubyte.gz")) as f:
        images = torch.frombuffer(bytearray(f.read()[16:]), dtype=torch.uint8)
    with gzip.open(os.path.join(folder, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = torch.frombuffer(bytearray(f.read()[8:]), dtype=torch.uint8)
    x = images.view(-1, 1, 28, 28)[:n].float() / 255
    return x, labels[:n].long()


def dlr_targeted(z, y, t):
    s = z.sort(dim=1)[0]
    u = torch.arange(z.shape[0])
    return -(z[u, y] - z[u, t]) / (s[:, -1] - 0.5 * (s[:, -3] + s[:, -4]) + 1e-12)


def checkpoints(n):
    first, least, shrink = max(int(0.22 * n), 1), max(int(0.06 * n), 1), max(int(0.03 * n), 1)
    out, window, at = [], first, first
    while at <= n:
        out.append((at, window))
        window = max(window - shrink, least)
        at += window
    return dict(out)


def single_run(model, loss_fn, x, y, eps, steps):
    """One APGD run (the code's attack_single_run, L-inf): whether each point stayed correct, and
    the last iterate that misclassified it."""
    t = 2 * torch.rand_like(x) - 1
    x_adv = (x + eps * t / (t.abs().flatten(1).max(1)[0].view(-1, 1, 1, 1) + 1e-12)).clamp(0, 1)

    def evaluate(v):
        v = v.clone().requires_grad_()
        logits = model(v)
        loss = loss_fn(logits)
        (g,) = torch.autograd.grad(loss.sum(), v)
        return logits.detach(), loss.detach(), g.detach()

    logits, loss, grad = evaluate(x_adv)
    acc = logits.argmax(1) == y
    x_best_adv, x_best, grad_best, loss_best = x_adv.clone(), x_adv.clone(), grad.clone(), loss.clone()
    step = torch.full((x.shape[0], 1, 1, 1), 2 * eps)
    x_old = x_adv.clone()
    increases, loss_prev = torch.zeros_like(loss), torch.zeros_like(loss)
    best_last, reduced_last = loss_best.clone(), torch.ones_like(loss)
    checks = checkpoints(steps)
    project = lambda v: torch.min(torch.max(v, x - eps), x + eps).clamp(0, 1)  # noqa: E731
    for i in range(steps):
        a = 0.75 if i > 0 else 1.0
        z = project(x_adv + step * grad.sign())
        x_new = project(x_adv + a * (z - x_adv) + (1 - a) * (x_adv - x_old))
        x_old, x_adv = x_adv, x_new
        logits, loss, grad = evaluate(x_adv)
        wrong = logits.argmax(1) != y
        acc &= ~wrong
        x_best_adv[wrong] = x_adv[wrong]
        better = loss > loss_best
        x_best[better], grad_best[better], loss_best[better] = x_adv[better], grad[better], loss[better]
        increases += (loss > loss_prev).float()
        loss_prev = loss
        if i + 1 in checks:
            reduce = (increases <= checks[i + 1] * 0.75) | ((reduced_last == 0) & (best_last >= loss_best))
            reduced_last, best_last = reduce.float(), loss_best.clone()
            step[reduce] /= 2
            x_adv[reduce], grad[reduce] = x_best[reduce], grad_best[reduce]
            increases = torch.zeros_like(increases)
    return acc, x_best_adv


def apgd(model, x, y, eps, steps, loss, targets=9):
    """APGD-CE or APGD-T over a batch, only on the points still correct: the images and which stay correct."""
    with torch.no_grad():
        robust = model(x).argmax(1) == y
    adv = x.clone()
    ranks = [None] if loss == "ce" else range(2, targets + 2)
    for rank in ranks:
        idx = robust.nonzero().flatten()
        if idx.numel() == 0:
            break
        xs, ys = x[idx], y[idx]
        if rank is None:
            loss_fn = lambda z: F.cross_entropy(z, ys, reduction="none")  # noqa: E731
        else:
            with torch.no_grad():
                t = model(xs).sort(dim=1)[1][:, -rank]
            loss_fn = lambda z: dlr_targeted(z, ys, t)  # noqa: E731
        acc, xb = single_run(model, loss_fn, xs, ys, eps, steps)
        robust[idx[~acc]] = False
        adv[idx[~acc]] = xb[~acc]
    return adv, robust


def bench(weights, images, batch, steps, eps):
    model = gacd_models.build("small-cnn", num_classes=10, in_channels=1, height=28, width=28).eval()
    model.load_state_dict(torch.load(weights, weights_only=True))
    model.requires_grad_(False)
    x, y = fashion_test(images)
    with torch.no_grad():
        clean = (model(x).argmax(1) == y).float().mean().item()
    torch.manual_seed(0)
    apgd(model, x[:8], y[:8], eps, 5, "ce")  # warm-up
    out = {"clean": clean}
    robust_ce = torch.zeros(images, dtype=torch.bool)
    for name, loss in [("apgd-ce", "ce"), ("apgd-t", "dlr-targeted")]:
        torch.manual_seed(0)
        robust = torch.zeros(images, dtype=torch.bool)
        t0 = time.perf_counter()
        for s in range(0, images, batch):
            robust[s : s + batch] = apgd(model, x[s : s + batch], y[s : s + batch], eps, steps, loss)[1]
        seconds = time.perf_counter() - t0
        out[name] = {"accuracy": robust.float().mean().item(), "seconds": seconds, "imagesPerSecond": images / seconds}
        if name == "apgd-ce":
            robust_ce = robust
        else:
            out["worst-case"] = (robust & robust_ce).float().mean().item()
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--weights", required=True)
    p.add_argument("--images", type=int, default=1000)
    p.add_argument("--batch", type=int, default=250)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--epsilon", type=float, default=0.1)
    a = p.parse_args()
    figure = {"case": "apgd", "images": a.images, "batch": a.batch, "steps": a.steps, "epsilon": a.epsilon, **bench(a.weights, a.images, a.batch, a.steps, a.epsilon)}
    print_figure(figure)
