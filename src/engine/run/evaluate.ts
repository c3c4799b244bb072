/**
 * Robustness evaluation of one model on the test split: clean accuracy, each attack of the
 * experiment's list at its epsilon, the per-sample worst case over all of them, accuracy against
 * epsilon, and the worst class. Attacks run on the model in evaluation mode.
 *
 * Every evaluation batch draws its random start from its own seed (the attack's seed and the
 * batch's position), so the figures are the same however the batches are shared among threads.
 */
import { AttackResult } from '../../protocol/events';
import { Split } from '../data/types';
import { CorrectnessFn, CorrectnessJob, correctnessRange } from '../step/correctness';
import { Model } from '../models/model';
import { Rng } from '../util/rng';

export interface EvaluationConfig {
  epsilon: number;
  /** Labels like `clean`, `fgsm`, `pgd-20`, `cw-20`. */
  attacks: string[];
  /** Epsilons for the accuracy-against-epsilon curve (attacked with the strongest PGD of the list). */
  epsilons: number[];
  batchSize: number;
  seed: number;
}

export interface Evaluation {
  results: AttackResult[];
  accuracyVsEpsilon: Array<{ epsilon: number; accuracy: number }>;
  worstClass: { classIndex: number; accuracy: number };
  examples: number;
}

const mean = (c: Uint8Array) => c.reduce((a, b) => a + b, 0) / Math.max(c.length, 1);

export async function evaluateModel(
  model: Model,
  split: Split,
  cfg: EvaluationConfig,
  correctness: CorrectnessFn = async (s, job) => correctnessRange(model, s, job),
): Promise<Evaluation> {
  const rng = new Rng(cfg.seed);
  const job = (label: string, epsilon: number): CorrectnessJob => ({ label, epsilon, batchSize: cfg.batchSize, seed: rng.nextUint32() });
  const results: AttackResult[] = [];
  const worst = new Uint8Array(split.count).fill(1);
  const byLabel = new Map<string, Uint8Array>();
  for (const label of cfg.attacks) {
    const c = await correctness(split, job(label, cfg.epsilon));
    byLabel.set(label, c);
    for (let i = 0; i < c.length; i++) worst[i] &= c[i];
    results.push({ attack: label, epsilon: cfg.epsilon, accuracy: mean(c) });
  }
  if (cfg.attacks.filter((a) => a !== 'clean').length > 1) {
    results.push({ attack: 'worst-case', epsilon: cfg.epsilon, accuracy: mean(worst) });
  }

  // The curve uses the strongest PGD of the list (most steps), or PGD-20.
  const pgdLabels = cfg.attacks.filter((a) => a.startsWith('pgd-'));
  const curveAttack = pgdLabels.sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))[0] ?? 'pgd-20';
  const accuracyVsEpsilon: Evaluation['accuracyVsEpsilon'] = [];
  for (const epsilon of cfg.epsilons) {
    let c: Uint8Array;
    if (epsilon === 0 && byLabel.has('clean')) c = byLabel.get('clean')!;
    else if (epsilon === cfg.epsilon && byLabel.has(curveAttack)) c = byLabel.get(curveAttack)!;
    else c = await correctness(split, job(curveAttack, epsilon));
    accuracyVsEpsilon.push({ epsilon, accuracy: mean(c) });
  }

  const perClass = Array.from({ length: split.numClasses }, () => ({ hits: 0, n: 0 }));
  for (let i = 0; i < split.count; i++) {
    perClass[split.labels[i]].n++;
    perClass[split.labels[i]].hits += worst[i];
  }
  let worstClass = { classIndex: 0, accuracy: Infinity };
  perClass.forEach((c, k) => {
    if (c.n > 0 && c.hits / c.n < worstClass.accuracy) worstClass = { classIndex: k, accuracy: c.hits / c.n };
  });
  return { results, accuracyVsEpsilon, worstClass, examples: split.count };
}
