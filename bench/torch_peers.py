"""The PyTorch reference of `gacd bench --case methods` for TRADES and RSLAD: the same steps as the
engine's (src/engine/methods/trades.ts, rslad.ts) beside the plain PGD-AT step of the same student,
so that each method's cost relative to PGD-AT, and the engine's speed, can be put beside PyTorch's.

Student tiny-cnn (widths 16, 32, 64), teacher small-cnn (32, 64, 128, frozen, eval mode; RSLAD
only), 28x28x1, batch 128, PGD-10 at 8/255 (step 2/255); SGD momentum 0.9, weight decay 5e-4.
  pgd-at  uniform start in the ball, CE on the true label (bench/torch_step.py's step);
  trades  (yaodongyu/TRADES trades.py) x'_0 = x + 0.001 N(0, I); the student's clean softmax as the
          fixed target; PGD on sum_i KL(f(x_i) || f(x'_i)) with the student in eval mode; then in
          train mode L = CE(f(x), y) + beta KL(f(x) || f(x')), gradient through both sides;
  rslad   (zibojia/RSLAD) the teacher's clean logits; the same Gaussian start, PGD on
          sum_i KL(T(x_i) || S(x'_i)) with the student in eval mode; then in train mode, x' first,
          L = adv_weight KL(T(x) || S(x')) + natural_weight KL(T(x) || S(x)).
The KL terms are reduced as the settings' kl_reduction says ('batchmean': summed over classes, mean
over the batch; 'mean': mean over batch and classes). As in the engine, the clean logits are
computed once a step where the official codes compute them more often (TRADES's code recomputes
f(x) at every attack step and twice in its loss), so both sides time the same computation.
Random images and labels; 2 CPU threads. Prints one JSON line per method:
  {"case": "methods", "method": ..., "secondsPerStep": ..., "imagesPerSecond": ..., "peakRssKiB": ...}
Run with Debian's torch:
  /usr/bin/python3 bench/torch_peers.py --method trades --settings '{"beta": 6, ...}'
`npm run bench` passes the settings that the engine's own figures report (the catalog defaults)."""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from torch_step import print_figure, SmallCnn, step as pgd_at_step

torch.set_num_threads(2)
torch.manual_seed(1)

EPS, ALPHA, STEPS = 8 / 255, 2 / 255, 10


def kl(student_logits, target_logits, reduction):
    """KL(softmax(target) || softmax(student)) over the batch, reduced as the engine's kl_reduction."""
    summed = F.kl_div(F.log_softmax(student_logits, dim=1), F.softmax(target_logits, dim=1), reduction="sum")
    per_row = summed / len(student_logits)
    return per_row if reduction == "batchmean" else per_row / student_logits.shape[1]


def kl_pgd(model, x, target_probs):
    """PGD from x + 0.001 N(0, I) ascending the summed KL(target || model(x')), projected onto the
    epsilon ball and [0, 1] at each step (TRADES's and RSLAD's inner loop)."""
    x_adv = x + 0.001 * torch.randn_like(x)
    for _ in range(STEPS):
        x_adv.requires_grad_(True)
        loss = F.kl_div(F.log_softmax(model(x_adv), dim=1), target_probs, reduction="sum")
        (g,) = torch.autograd.grad(loss, x_adv)
        x_adv = torch.min(torch.max(x_adv.detach() + ALPHA * g.sign(), x - EPS), x + EPS).clamp(0, 1)
    return x_adv


def attack_mode(model, s):
    """The student's mode while the training attack runs (the settings' attack_mode)."""
    model.train() if s["attack_mode"] == "train" else model.eval()


def trades_step(model, opt, x, y, s):
    attack_mode(model, s)
    with torch.no_grad():
        target = F.softmax(model(x), dim=1)
    x_adv = kl_pgd(model, x, target)
    model.train()
    opt.zero_grad()
    clean = model(x)
    loss = F.cross_entropy(clean, y) + s["beta"] * kl(model(x_adv), clean, s["kl_reduction"])
    loss.backward()
    opt.step()


def rslad_step(model, teacher, opt, x, s):
    with torch.no_grad():
        teacher_logits = teacher(x)
    attack_mode(model, s)
    x_adv = kl_pgd(model, x, F.softmax(teacher_logits, dim=1))
    model.train()
    opt.zero_grad()
    adv = model(x_adv)
    natural = model(x)
    r = s["kl_reduction"]
    loss = s["adv_weight"] * kl(adv, teacher_logits, r) + s["natural_weight"] * kl(natural, teacher_logits, r)
    loss.backward()
    opt.step()


REQUIRED = {"pgd-at": (), "trades": ("beta", "kl_reduction", "attack_mode"), "rslad": ("adv_weight", "natural_weight", "kl_reduction", "attack_mode")}


def bench(method, s, steps, batch):
    student = SmallCnn(28, 28, 1, widths=(16, 32, 64))
    opt = torch.optim.SGD(student.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    batches = [(torch.rand(batch, 1, 28, 28), torch.randint(0, 10, (batch,))) for _ in range(steps + 1)]
    if method == "rslad":
        teacher = SmallCnn(28, 28, 1).eval()
        teacher.requires_grad_(False)
        run = lambda x, y: rslad_step(student, teacher, opt, x, s)
    elif method == "trades":
        run = lambda x, y: trades_step(student, opt, x, y, s)
    else:
        run = lambda x, y: pgd_at_step(student, opt, x, y)
    run(*batches[0])  # warm-up
    t0 = time.perf_counter()
    for b in batches[1:]:
        run(*b)
    seconds = time.perf_counter() - t0
    return {"secondsPerStep": seconds / steps, "imagesPerSecond": steps * batch / seconds}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--method", choices=sorted(REQUIRED), required=True)
    p.add_argument("--settings", default="{}", help="the method's settings as JSON (the engine figure's `settings`)")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--batch", type=int, default=128)
    a = p.parse_args()
    settings = json.loads(a.settings)
    missing = [k for k in REQUIRED[a.method] if k not in settings]
    if missing:
        raise SystemExit(f"--settings lacks {', '.join(missing)}: pass the engine figure's settings")
    figure = {"case": "methods", "method": a.method, "batch": a.batch, "steps": a.steps, "settings": settings, **bench(a.method, settings, a.steps, a.batch)}
    print_figure(figure)
