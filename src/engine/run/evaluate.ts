/**
 * Robustness evaluation of one model on the test split: clean accuracy, each attack of the
 * experiment's list at its epsilon, the per-sample worst case over all of them, accuracy against
 * epsilon, and the worst class. Attacks run on the model in evaluation mode.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AttackResult } from '../../protocol/events';
import { parseEvalAttack } from '../attacks/registry';
import { Split, imageSize } from '../data/types';
import { Model } from '../models/model';
import { evalLogits } from '../methods/method';
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

/** Correct (1) or not (0) per sample, under one attack at one epsilon. */
function correctness(model: Model, split: Split, label: string, epsilon: number, cfg: EvaluationConfig, rng: Rng): Uint8Array {
  const spec = parseEvalAttack(label);
  const size = imageSize(split.shape);
  const out = new Uint8Array(split.count);
  const logitsFn = evalLogits(model);
  for (let start = 0; start < split.count; start += cfg.batchSize) {
    const n = Math.min(cfg.batchSize, split.count - start);
    const preds = tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(start * size, (start + n) * size), [n, ...split.shape]);
      const y = tf.tensor1d(split.labels.subarray(start, start + n), 'int32');
      const xAdv =
        spec.attack && epsilon > 0
          ? spec.attack.perturb(logitsFn, x, y, {
              epsilon,
              stepSize: epsilon / 4,
              steps: spec.steps,
              randomStart: spec.label !== 'fgsm',
              loss: spec.loss,
            }, rng)
          : x;
      return tf.argMax(logitsFn(xAdv), 1).dataSync();
    });
    for (let i = 0; i < n; i++) out[start + i] = preds[i] === split.labels[start + i] ? 1 : 0;
  }
  return out;
}

const mean = (c: Uint8Array) => c.reduce((a, b) => a + b, 0) / Math.max(c.length, 1);

export function evaluateModel(
  model: Model,
  split: Split,
  cfg: EvaluationConfig,
  onAttackDone?: (label: string) => void,
): Evaluation {
  const rng = new Rng(cfg.seed);
  const results: AttackResult[] = [];
  const worst = new Uint8Array(split.count).fill(1);
  const byLabel = new Map<string, Uint8Array>();
  for (const label of cfg.attacks) {
    const c = correctness(model, split, label, cfg.epsilon, cfg, rng);
    byLabel.set(label, c);
    for (let i = 0; i < c.length; i++) worst[i] &= c[i];
    results.push({ attack: label, epsilon: cfg.epsilon, accuracy: mean(c) });
    onAttackDone?.(label);
  }
  if (cfg.attacks.filter((a) => a !== 'clean').length > 1) {
    results.push({ attack: 'worst-case', epsilon: cfg.epsilon, accuracy: mean(worst) });
  }

  // The curve uses the strongest PGD of the list (most steps), or PGD-20.
  const pgdLabels = cfg.attacks.filter((a) => a.startsWith('pgd-'));
  const curveAttack = pgdLabels.sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))[0] ?? 'pgd-20';
  const accuracyVsEpsilon = cfg.epsilons.map((epsilon) => {
    if (epsilon === 0 && byLabel.has('clean')) return { epsilon, accuracy: mean(byLabel.get('clean')!) };
    if (epsilon === cfg.epsilon && byLabel.has(curveAttack)) return { epsilon, accuracy: mean(byLabel.get(curveAttack)!) };
    return { epsilon, accuracy: mean(correctness(model, split, curveAttack, epsilon, cfg, rng)) };
  });

  const perClass = new Array<{ hits: number; n: number }>(split.numClasses);
  for (let k = 0; k < split.numClasses; k++) perClass[k] = { hits: 0, n: 0 };
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
