/**
 * Reliability flags of an evaluation, in the spirit of AutoAttack's checks (fra31/auto-attack,
 * autoattack/checks.py) and beyond them: each says what was seen, what it means and what to do.
 *   random-forward        the model's outputs change between identical passes (dropout, noise);
 *   softmax-outputs       the outputs look like probabilities, not logits (gradients vanish);
 *   zero-gradients        some sample's input gradient was exactly zero at some iteration (the
 *                         reference checks only the start point, its issue #108);
 *   loss-not-rising       a gradient attack's mean loss did not rise from start to end;
 *   weaker-beats-stronger a weaker attack found more adversarial points than a stronger one;
 *   square-beats-white-box the black-box Square Attack broke more than 0.2% of the points the
 *                         white-box attacks could not (a sign of gradient masking);
 *   few-points            the test set is too small for the precision the table is printed at.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttackResult, ReliabilityFlag } from '../../protocol/events';
import type { AttackReport } from '../attacks/attack';
import type { EvaluationEntry } from '../attacks/catalog';
import { Split, imageSize } from '../data/types';
import { Model } from '../models/model';

/** How much stronger each attack is expected to be than the others (higher: stronger). */
function strength(entry: EvaluationEntry): number {
  switch (entry.attack) {
    case 'clean':
      return 0;
    case 'fgsm':
      return 1;
    case 'pgd':
    case 'cw':
      return 2 + Math.log10(entry.settings.steps * entry.settings.restarts);
    default:
      // The AA-style components and suites: stronger than any PGD of up to 1,000 steps.
      return entry.attack.startsWith('aa-style') ? 6 : 5;
  }
}

/** Points of accuracy by which a weaker attack must beat a stronger one to raise the flag. */
export const WEAKER_MARGIN = 0.005;
/** Share of points Square must break beyond the white-box attacks to raise the flag (AutoAttack's 0.2%). */
export const SQUARE_MARGIN = 0.002;
/** The largest 95% half-width (in accuracy) the one-decimal tables can honestly print. */
export const PRECISION = 0.01;

/** Flags from the figures and the attacks' reports. */
export function evaluationFlags(
  entries: EvaluationEntry[],
  results: AttackResult[],
  reports: Record<string, AttackReport>,
  examples: number,
): ReliabilityFlag[] {
  const flags: ReliabilityFlag[] = [];
  const accuracy = new Map(results.map((r) => [r.attack, r.accuracy]));

  const zero = entries.filter((e) => (reports[e.label]?.zeroGradient ?? 0) > 0);
  if (zero.length > 0) {
    const worst = zero.reduce((a, b) => (reports[b.label].zeroGradient / reports[b.label].samples > reports[a.label].zeroGradient / reports[a.label].samples ? b : a));
    const r = reports[worst.label];
    flags.push({
      code: 'zero-gradients',
      title: 'zero gradients',
      message:
        `${r.zeroGradient} of ${r.samples} samples attacked by ${worst.label} had an exactly zero input gradient at some iteration` +
        `${zero.length > 1 ? ` (also under ${zero.filter((e) => e !== worst).map((e) => e.label).join(', ')})` : ''}: ` +
        'gradient attacks learn nothing there, so their figures may overstate robustness.',
      fix: 'check for saturated or quantised outputs and non-differentiable layers; trust the black-box Square figure for those points',
    });
  }

  const flat = entries.filter((e) => (reports[e.label]?.flatRuns ?? 0) > 0);
  if (flat.length > 0) {
    const parts = flat.map((e) => `${e.label} ${reports[e.label].flatRuns} of ${reports[e.label].runs}`);
    flags.push({
      code: 'loss-not-rising',
      title: 'attack loss flat',
      message: `the mean attack loss did not rise from start to end in some runs (${parts.join(', ')} runs): the attack may be stuck.`,
      fix: 'try more steps, a larger step size or restarts; if the loss is flat everywhere, suspect gradient masking',
    });
  }

  for (const weak of entries) {
    for (const strong of entries) {
      if (weak.attack === 'clean' || strength(weak) >= strength(strong)) continue;
      const a = accuracy.get(weak.label);
      const b = accuracy.get(strong.label);
      if (a === undefined || b === undefined || b - a <= WEAKER_MARGIN) continue;
      flags.push({
        code: 'weaker-beats-stronger',
        title: 'weaker attack stronger',
        message:
          `${weak.label} left ${pct(a)} accuracy but the stronger ${strong.label} left ${pct(b)}: ` +
          'a stronger attack should find at least the same adversarial points, so the stronger one is not working as it should here.',
        fix: `report the per-sample worst case (it includes ${weak.label}); look for gradient masking or a wrong step size`,
      });
    }
  }

  for (const e of entries) {
    const broken = reports[e.label]?.brokenBy?.square ?? 0;
    if (examples > 0 && broken / examples > SQUARE_MARGIN) {
      flags.push({
        code: 'square-beats-white-box',
        title: 'possible gradient masking',
        message:
          `in ${e.label}, the black-box Square Attack broke ${broken} of the ${examples} points (${pct(broken / examples)}) that every white-box attack before it failed on: ` +
          'gradients mislead the white-box attacks, a sign of gradient masking.',
        fix: 'do not trust white-box figures for this model; report the AA-style worst case and look for the masking (saturation, randomness, quantisation)',
      });
    }
  }

  const halfWidth = 1.96 * Math.sqrt(0.25 / Math.max(examples, 1));
  if (halfWidth > PRECISION) {
    flags.push({
      code: 'few-points',
      title: 'few test points',
      message:
        `with ${examples} test points, the 95% interval of an accuracy near 50% is ±${(halfWidth * 100).toFixed(1)} points: ` +
        'differences smaller than that between models or attacks are noise.',
      fix: `evaluate on at least ${Math.ceil((1.96 * 0.5) ** 2 / PRECISION ** 2)} points for ±1 point, or report the interval`,
    });
  }
  return flags;
}

/**
 * Flags from the model itself on the first images: outputs that change between identical
 * passes (five passes, as the reference), and outputs that look like probabilities.
 */
export function modelFlags(model: Model, split: Split, n = 64): ReliabilityFlag[] {
  const count = Math.min(n, split.count);
  if (count === 0) return [];
  const flags: ReliabilityFlag[] = [];
  const { moved, probabilities } = tf.tidy(() => {
    const x = tf.tensor4d(split.images.subarray(0, count * imageSize(split.shape)), [count, ...split.shape]);
    const passes = Array.from({ length: 5 }, () => model.apply(x, { training: false }).logits);
    const first = passes[0];
    const moved = Math.max(...passes.slice(1).map((p) => tf.max(tf.abs(tf.sub(p, first))).dataSync()[0]));
    const inRange = tf.logicalAnd(tf.greaterEqual(first, 0), tf.lessEqual(first, 1)).dataSync().every((v) => v === 1);
    const sums = tf.sum(first, 1).dataSync();
    const probabilities = inRange && sums.every((s) => Math.abs(s - 1) < 1e-4);
    return { moved, probabilities } as unknown as tf.TensorContainer;
  }) as unknown as { moved: number; probabilities: boolean };
  if (moved > 1e-4) {
    flags.push({
      code: 'random-forward',
      title: 'randomised model',
      message: `the model's outputs moved by up to ${moved.toPrecision(3)} between identical passes over the same images: deterministic attacks misjudge a randomised model.`,
      fix: 'evaluate with aa-style-rand (attacks that average gradients over the randomness), or make the forward pass deterministic',
    });
  }
  if (probabilities) {
    flags.push({
      code: 'softmax-outputs',
      title: 'outputs are probabilities',
      message: "the model's outputs lie in [0, 1] and sum to 1, so they look like probabilities: attacks need logits, and a softmax before them weakens the gradients.",
      fix: 'remove the final softmax from the model (or evaluate the logits before it)',
    });
  }
  return flags;
}

const pct = (a: number) => `${(a * 100).toFixed(1)}%`;
