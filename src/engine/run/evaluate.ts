/**
 * Robustness evaluation of one model on the test split: clean accuracy, each attack of the
 * experiment's list at its epsilon, the per-sample worst case over all of them, accuracy against
 * epsilon, and the worst class. Attacks run on the model in evaluation mode.
 *
 * Every evaluation batch draws its random start from its own seed (the attack's seed and the
 * batch's position), so the figures are the same however the batches are shared among threads.
 */
import { AttackResult } from '../../protocol/events';
import { AttackEntryOf, EvaluationEntry, WORST_CASE_LABEL, resolveEvaluationEntry } from '../attacks/catalog';
import { Split } from '../data/types';
import { CorrectnessFn, CorrectnessJob, correctnessRange } from '../step/correctness';
import { Model } from '../models/model';
import { Rng } from '../util/rng';

export interface EvaluationConfig {
  epsilon: number;
  /** Resolved evaluation entries (attacks/catalog.ts parses them), reported under their labels. */
  attacks: EvaluationEntry[];
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
  const job = (entry: EvaluationEntry, epsilon: number): CorrectnessJob => ({ entry, epsilon, batchSize: cfg.batchSize, seed: rng.nextUint32() });
  const results: AttackResult[] = [];
  const worst = new Uint8Array(split.count).fill(1);
  const byEntry = new Map<EvaluationEntry, Uint8Array>();
  for (const entry of cfg.attacks) {
    const c = await correctness(split, job(entry, cfg.epsilon));
    byEntry.set(entry, c);
    for (let i = 0; i < c.length; i++) worst[i] &= c[i];
    results.push({ attack: entry.label, epsilon: cfg.epsilon, accuracy: mean(c) });
  }
  if (cfg.attacks.filter((a) => a.attack !== 'clean').length > 1) {
    results.push({ attack: WORST_CASE_LABEL, epsilon: cfg.epsilon, accuracy: mean(worst) });
  }

  const clean = cfg.attacks.find((a) => a.attack === 'clean');
  const curveAttack = strongestPgd(cfg.attacks);
  const accuracyVsEpsilon: Evaluation['accuracyVsEpsilon'] = [];
  for (const epsilon of cfg.epsilons) {
    let c: Uint8Array;
    if (epsilon === 0 && clean) c = byEntry.get(clean)!;
    else if (epsilon === cfg.epsilon && byEntry.has(curveAttack)) c = byEntry.get(curveAttack)!;
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

/** The curve's attack: the PGD of the list with the most steps (the first of equals), else PGD-20. */
function strongestPgd(entries: EvaluationEntry[]): EvaluationEntry {
  const pgds = entries.filter((e): e is AttackEntryOf<'pgd'> => e.attack === 'pgd');
  if (pgds.length === 0) return resolveEvaluationEntry('pgd-20');
  return pgds.reduce((best, e) => (e.settings.steps > best.settings.steps ? e : best));
}
