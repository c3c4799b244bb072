"""The PyTorch reference of `gacd bench --case gacd`: a compact reconstruction of the engine's GACD
step (src/engine/methods/gacd.ts) beside the plain PGD-AT step of the same student, so that the
engine's overhead (GACD time / PGD-AT time) can be put beside PyTorch's.

Student tiny-cnn (widths 16, 32, 64), teacher small-cnn (32, 64, 128, frozen, eval mode), 28x28x1,
batch 128, PGD-10 at 8/255 (step 2/255, random start, CE, student in eval mode). GACD's step, for
the settings the engine resolves (critic nce, direction teacher-anchor, teacher_input clean,
reweight confidence, alpha 0: the catalog defaults; others are refused):
  teacher on x (features, no grad); x' = PGD(student); teacher on x' (logits, no grad);
  w_i = p_T(y_i | x'_i) / mean; K negatives drawn per batch, masked per sample (not itself, not its
  class); embeddings = linear + l2-normalise (student head 64->d, teacher head 128->d, both
  trained); CRD's NCE with the teacher's embedding bank, Z fixed from the first batch;
  L = gamma CE(S(x'), y) + beta sum_i w_i NCE_i / sum_i w_i; SGD momentum 0.9, weight decay 5e-4;
  then both memory banks take the batch's embeddings (momentum, renormalised).
Random images; labels of a notional split of --train-size samples; 2 CPU threads.
Prints one JSON line per method: {"method": ..., "imagesPerSecond": ..., "peakRssKiB": ...}.
Run with Debian's torch:
  /usr/bin/python3 bench/torch_gacd.py --method gacd --settings '{"negatives": 16384, ...}'
`npm run bench` passes the settings that the engine's own figure reports (its catalog defaults)."""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_step import print_figure, SmallCnn, pgd, step as pgd_at_step

torch.set_num_threads(2)
torch.manual_seed(1)


class Head(nn.Module):
    """g(f) = normalise(W f + b), the embedding head of CRD and of the engine."""

    def __init__(self, inp, out):
        super().__init__()
        self.linear = nn.Linear(inp, out)

    def forward(self, f):
        z = self.linear(f)
        return z / (z.norm(dim=1, keepdim=True) + 1e-12)


class MemoryBank:
    def __init__(self, size, dim, momentum):
        stdv = 1 / (dim / 3) ** 0.5
        self.values = torch.rand(size, dim) * 2 * stdv - stdv
        self.momentum = momentum

    @torch.no_grad()
    def update(self, idx, emb):
        rows = self.values[idx] * self.momentum + emb * (1 - self.momentum)
        self.values[idx] = rows / (rows.norm(dim=1, keepdim=True) + 1e-12)


class Gacd:
    def __init__(self, student, teacher, s, train_labels):
        for key, want in (("critic", "nce"), ("direction", "teacher-anchor"), ("teacher_input", "clean"), ("reweight", "confidence"), ("attack_loss", "ce")):
            if s.get(key, want) != want:
                raise SystemExit(f"torch_gacd.py reconstructs {key}={want} only, not {s[key]}")
        if s.get("alpha", 0) != 0:
            raise SystemExit("torch_gacd.py reconstructs alpha=0 only")
        self.student, self.teacher, self.s = student, teacher, s
        self.n = len(train_labels)
        self.train_labels = train_labels
        self.k = min(s["negatives"], self.n - 1)
        d = s["embed_dim"]
        self.student_head = Head(student.fc2.in_features, d)
        self.teacher_head = Head(teacher.fc2.in_features, d)
        self.teacher_bank = MemoryBank(self.n, d, s["bank_momentum"])
        self.student_bank = MemoryBank(self.n, d, s["bank_momentum"])
        self.z = None
        params = [*student.parameters(), *self.student_head.parameters(), *self.teacher_head.parameters()]
        self.opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=5e-4)

    def nce(self, anchor, positive, neg, mask):
        tau = self.s["temperature"]
        pos = torch.exp((anchor * positive).sum(1) / tau)
        negs = torch.exp(anchor @ neg.t() / tau)
        if self.z is None:
            self.z = torch.cat([pos, negs.flatten()]).mean().item() * self.n
        m_pn = mask.sum(1) / self.n
        p_pos = pos / self.z
        log_d1 = torch.log(p_pos / (p_pos + m_pn + 1e-7))
        p_neg = negs / self.z
        log_d0 = torch.log(m_pn[:, None] / (p_neg + m_pn[:, None] + 1e-7))
        return -(log_d1 + (log_d0 * mask).sum(1))

    def step(self, x, y, idx):
        s = self.s
        with torch.no_grad():
            _, t_features = self.teacher.features(x)
        self.student.eval()
        x_adv = pgd(self.student, x, y)
        self.student.train()
        with torch.no_grad():
            t_adv_logits = self.teacher(x_adv)
        w = F.softmax(t_adv_logits, 1).gather(1, y[:, None]).squeeze(1)
        w = w / w.mean() if w.mean() > 0 else torch.ones_like(w)
        neg_idx = torch.randint(0, self.n, (self.k,))
        mask = (neg_idx[None, :] != idx[:, None]).float()
        if s["class_negatives"]:
            mask = mask * (self.train_labels[neg_idx][None, :] != y[:, None]).float()
        neg = self.teacher_bank.values[neg_idx]
        logits, features = self.student.features(x_adv)
        s_emb = self.student_head(features)
        t_emb = self.teacher_head(t_features)
        ce = F.cross_entropy(logits, y) * s["gamma"]
        per_sample = self.nce(s_emb, t_emb, neg, mask)
        contrastive = s["beta"] * (w * per_sample).sum() / (w.sum() + 1e-12)
        self.opt.zero_grad()
        (ce + contrastive).backward()
        self.opt.step()
        self.teacher_bank.update(idx, t_emb.detach())
        self.student_bank.update(idx, s_emb.detach())


def bench(method, settings, steps, batch, train_size):
    student = SmallCnn(28, 28, 1, widths=(16, 32, 64))
    train_labels = torch.randint(0, 10, (train_size,))
    batches = []
    for k in range(steps + 1):
        idx = torch.arange(k * batch, (k + 1) * batch) % train_size
        batches.append((torch.rand(batch, 1, 28, 28), train_labels[idx], idx))
    if method == "gacd":
        teacher = SmallCnn(28, 28, 1).eval()
        teacher.requires_grad_(False)
        gacd = Gacd(student, teacher, settings, train_labels)
        run = gacd.step
    else:
        opt = torch.optim.SGD(student.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
        run = lambda x, y, idx: pgd_at_step(student, opt, x, y)
    run(*batches[0])  # warm-up
    t0 = time.perf_counter()
    for b in batches[1:]:
        run(*b)
    seconds = time.perf_counter() - t0
    out = {"secondsPerStep": seconds / steps, "imagesPerSecond": steps * batch / seconds}
    if method == "gacd":
        out["negatives"] = gacd.k
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--method", choices=["pgd-at", "gacd"], required=True)
    p.add_argument("--settings", default="{}", help="GACD's settings as JSON (the engine figure's `settings`); needed for gacd")
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--train-size", type=int, default=60000)
    a = p.parse_args()
    settings = json.loads(a.settings)
    if a.method == "gacd":
        missing = [k for k in ("gamma", "beta", "embed_dim", "negatives", "temperature", "bank_momentum", "class_negatives") if k not in settings]
        if missing:
            raise SystemExit(f"--settings lacks {', '.join(missing)}: pass the engine figure's settings")
    figure = {"case": "gacd", "method": a.method, "batch": a.batch, "steps": a.steps, "trainSize": a.train_size, **bench(a.method, settings, a.steps, a.batch, a.train_size)}
    print_figure(figure)
