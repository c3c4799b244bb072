/**
 * Robustness evaluation of one model on a test split: clean accuracy, each attack of the list at
 * its epsilon, the per-sample worst case over all of them, accuracy against epsilon, and accuracy
 * per class for each of those rows. Attacks run on the model in evaluation mode.
 *
 * The split is attacked in blocks (one batch per thread), each saved as soon as it is done: a
 * killed evaluation resumes at the first block it had not finished, with the same figures,
 * because every evaluation batch draws its random start from its own seed (the attack's seed and
 * the batch's position), however the batches are shared among threads or blocks.
 */
import { AttackResult } from '../../protocol/events';
import { type AttackReport, addReport, emptyReport } from '../attacks/attack';
import { AttackEntryOf, EvaluationEntry, WORST_CASE_LABEL, resolveEvaluationEntry } from '../attacks/catalog';
import { Split, takeSamples } from '../data/types';
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

/** Where a long evaluation stands: per job (an attack at an epsilon), the blocks done so far. */
export interface EvaluationState {
  jobs: Record<string, { count: number; correct: number[]; report: AttackReport }>;
}

export interface EvaluationProgress {
  /** The row being computed, e.g. `pgd-20` or `pgd-20 @ 0.05` for the curve. */
  attack: string;
  /** Samples of this row done, of `total`. */
  done: number;
  total: number;
  /** Rows done before this one, of `rows`. */
  row: number;
  rows: number;
}

export interface EvaluationHooks {
  /** Computes correctness of a block; default: here, on this thread. */
  correctness?: CorrectnessFn;
  /** Threads the correctness function shares a block among (a block is one batch each). */
  threads?: number;
  /** Called after each block. */
  onProgress?: (p: EvaluationProgress) => void;
  /** The state a previous, interrupted evaluation saved. */
  resume?: EvaluationState;
  /** Called with the state after each block (write it somewhere that survives a kill). */
  save?: (state: EvaluationState) => void;
}

/** Accuracy per class of each row (the attacks, then the worst case), in the split's class order. */
export interface PerClass {
  /** Test samples of each class. */
  counts: number[];
  rows: Array<{ attack: string; accuracy: number[] }>;
}

export interface Evaluation {
  results: AttackResult[];
  accuracyVsEpsilon: Array<{ epsilon: number; accuracy: number }>;
  worstClass: { classIndex: number; accuracy: number };
  perClass: PerClass;
  /** What each attack reported of its reliability, by label. */
  reports: Record<string, AttackReport>;
  examples: number;
}

const mean = (c: Uint8Array) => c.reduce((a, b) => a + b, 0) / Math.max(c.length, 1);

export async function evaluateModel(model: Model, split: Split, cfg: EvaluationConfig, hooks: EvaluationHooks = {}): Promise<Evaluation> {
  const correctness: CorrectnessFn = hooks.correctness ?? (async (s, job) => correctnessRange(model, s, job));
  const state: EvaluationState = hooks.resume ?? { jobs: {} };
  // Seeds are drawn in a fixed order, whatever a resumed state already holds.
  const rng = new Rng(cfg.seed);
  const clean = cfg.attacks.find((a) => a.attack === 'clean');
  const curveAttack = strongestPgd(cfg.attacks);
  const rows = evaluationRows(cfg).length;
  let row = 0;

  const run = async (entry: EvaluationEntry, epsilon: number, key: string): Promise<{ correct: Uint8Array; report: AttackReport }> => {
    const job: CorrectnessJob = { entry, epsilon, batchSize: cfg.batchSize, seed: rng.nextUint32() };
    const block = cfg.batchSize * Math.max(1, hooks.threads ?? 1);
    const saved = (state.jobs[key] ??= { count: 0, correct: [], report: emptyReport() });
    for (let from = saved.count; from < split.count; from = saved.count) {
      const to = Math.min(split.count, from + block);
      const part = takeSamples(split, range(from, to));
      const c = await correctness(part, { ...job, offset: from });
      saved.correct.push(...c.correct);
      addReport(saved.report, c.report);
      saved.count = to;
      hooks.save?.(state);
      hooks.onProgress?.({ attack: key, done: to, total: split.count, row, rows });
    }
    row++;
    return { correct: Uint8Array.from(saved.correct), report: saved.report };
  };

  const results: AttackResult[] = [];
  const reports: Record<string, AttackReport> = {};
  const worst = new Uint8Array(split.count).fill(1);
  const byEntry = new Map<EvaluationEntry, Uint8Array>();
  const perClassRows: PerClass['rows'] = [];
  for (const entry of cfg.attacks) {
    const { correct, report } = await run(entry, cfg.epsilon, entry.label);
    byEntry.set(entry, correct);
    reports[entry.label] = report;
    for (let i = 0; i < correct.length; i++) worst[i] &= correct[i];
    results.push({ attack: entry.label, epsilon: cfg.epsilon, accuracy: mean(correct) });
    perClassRows.push({ attack: entry.label, accuracy: accuracyByClass(correct, split) });
  }
  if (cfg.attacks.filter((a) => a.attack !== 'clean').length > 1) {
    results.push({ attack: WORST_CASE_LABEL, epsilon: cfg.epsilon, accuracy: mean(worst) });
    perClassRows.push({ attack: WORST_CASE_LABEL, accuracy: accuracyByClass(worst, split) });
  }

  const accuracyVsEpsilon: Evaluation['accuracyVsEpsilon'] = [];
  for (const epsilon of cfg.epsilons) {
    let c: Uint8Array;
    if (epsilon === 0 && clean) c = byEntry.get(clean)!;
    else if (epsilon === cfg.epsilon && byEntry.has(curveAttack)) c = byEntry.get(curveAttack)!;
    else c = (await run(curveAttack, epsilon, `${curveAttack.label} @ ${epsilon}`)).correct;
    accuracyVsEpsilon.push({ epsilon, accuracy: mean(c) });
  }

  const counts = classCountsOf(split);
  // The worst class under the strongest row: the worst case, else the last attack.
  const strongest = perClassRows[perClassRows.length - 1]?.accuracy ?? [];
  let worstClass = { classIndex: 0, accuracy: Infinity };
  strongest.forEach((a, k) => {
    if (counts[k] > 0 && a < worstClass.accuracy) worstClass = { classIndex: k, accuracy: a };
  });
  return { results, accuracyVsEpsilon, worstClass, perClass: { counts, rows: perClassRows }, reports, examples: split.count };
}

/**
 * The rows an evaluation computes, in order: each attack at the evaluation's epsilon, then the
 * curve's epsilons that no attack row already gives (0 is the clean row, the evaluation's epsilon
 * the strongest PGD's). The run's work plan counts the same rows.
 */
export function evaluationRows(cfg: Pick<EvaluationConfig, 'attacks' | 'epsilon' | 'epsilons'>): Array<{ entry: EvaluationEntry; epsilon: number }> {
  const clean = cfg.attacks.find((a) => a.attack === 'clean');
  const curveAttack = strongestPgd(cfg.attacks);
  const curve = cfg.epsilons.filter((e) => !(e === 0 && clean) && !(e === cfg.epsilon && cfg.attacks.includes(curveAttack)));
  return [...cfg.attacks.map((entry) => ({ entry, epsilon: cfg.epsilon })), ...curve.map((epsilon) => ({ entry: curveAttack, epsilon }))];
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function classCountsOf(split: Split): number[] {
  const counts = new Array<number>(split.numClasses).fill(0);
  for (let i = 0; i < split.count; i++) counts[split.labels[i]]++;
  return counts;
}

/** Accuracy of each class (0 where a class has no sample). */
function accuracyByClass(correct: Uint8Array, split: Split): number[] {
  const hits = new Array<number>(split.numClasses).fill(0);
  const counts = classCountsOf(split);
  for (let i = 0; i < split.count; i++) hits[split.labels[i]] += correct[i];
  return hits.map((h, k) => (counts[k] > 0 ? h / counts[k] : 0));
}

/** The curve's attack: the PGD of the list with the most steps (the first of equals), else PGD-20. */
function strongestPgd(entries: EvaluationEntry[]): EvaluationEntry {
  const pgds = entries.filter((e): e is AttackEntryOf<'pgd'> => e.attack === 'pgd');
  if (pgds.length === 0) return resolveEvaluationEntry('pgd-20');
  return pgds.reduce((best, e) => (e.settings.steps > best.settings.steps ? e : best));
}
