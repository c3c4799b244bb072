/**
 * The small interface every attack implements, and the options of the PGD that training uses. An
 * attack sees the model only as a function from images to logits, so the same code attacks a
 * student, a teacher or an ensemble.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import type { AttackName, AttackSettings } from './catalog';
import type { AttackLossName } from './losses';

export type LogitsFn = (x: tf.Tensor4D) => tf.Tensor2D;

/** The options of training-time PGD (the methods' training attack and the monitor use them). */
export interface AttackOptions {
  /** L-inf radius, inputs in [0, 1]. */
  epsilon: number;
  /** Size of each signed-gradient step. */
  stepSize: number;
  steps: number;
  randomStart: boolean;
  loss: AttackLossName;
  /** Required for loss 'kl': the distribution to move away from (e.g. the teacher's on clean x). */
  targetProbs?: tf.Tensor2D;
  /** The random start's noise, when the caller drew it (a batch shared among threads draws it once). */
  startNoise?: tf.Tensor4D;
}

/** The uniform noise of PGD's random start, drawn from `rng` so that a run is reproducible. */
export function randomStartNoise(shape: [number, number, number, number], epsilon: number, rng: Rng): tf.Tensor4D {
  return tf.randomUniform(shape, -epsilon, epsilon, 'float32', rng.seed()) as tf.Tensor4D;
}

/**
 * The Gaussian start TRADES, RSLAD and AdaAD code (x + 0.001·N(0, I), not projected: their first
 * step projects), drawn from `rng`.
 */
export function normalStartNoise(shape: [number, number, number, number], std: number, rng: Rng): tf.Tensor4D {
  return tf.randomNormal(shape, 0, std, 'float32', rng.seed()) as tf.Tensor4D;
}

/**
 * What attacks tell about their own reliability as they run, added up over batches and threads;
 * the evaluation turns it into reliability flags (run/reliability.ts). Plain numbers only.
 */
export interface AttackReport {
  /** Samples attacked with gradients. */
  samples: number;
  /** Of those, samples whose input gradient was exactly zero at some iteration (not only the start). */
  zeroGradient: number;
  /** Runs of a gradient attack (batch x restart), and those whose mean loss did not rise from start to end. */
  runs: number;
  flatRuns: number;
  /** Samples each component of a cascade broke first, by component label. */
  brokenBy: Record<string, number>;
  /** Forward passes per sample of score-based attacks (Square), summed over samples. */
  queries: number;
}

export function emptyReport(): AttackReport {
  return { samples: 0, zeroGradient: 0, runs: 0, flatRuns: 0, brokenBy: {}, queries: 0 };
}

/** `into` plus `more`, in place (a report is a sum). */
export function addReport(into: AttackReport, more: AttackReport): AttackReport {
  into.samples += more.samples;
  into.zeroGradient += more.zeroGradient;
  into.runs += more.runs;
  into.flatRuns += more.flatRuns;
  into.queries += more.queries;
  for (const [k, v] of Object.entries(more.brokenBy)) into.brokenBy[k] = (into.brokenBy[k] ?? 0) + v;
  return into;
}

/**
 * One attack of the catalog, registered under its name in registry.ts. `perturb` returns
 * adversarial images within epsilon of x and within [0, 1], leaks no tensor, and gives the same
 * images for the same `rng` state; `settings` are the attack's own, every default filled in. When
 * given a `report`, it adds what it observed (zero gradients, a loss that did not rise) to it.
 */
export interface AttackImplementation<N extends AttackName = AttackName> {
  readonly name: N;
  perturb(
    logitsFn: LogitsFn,
    x: tf.Tensor4D,
    labels: tf.Tensor1D,
    epsilon: number,
    settings: AttackSettings<N>,
    rng: Rng,
    report?: AttackReport,
  ): tf.Tensor4D;
}

/** A setting `step_size` of null means epsilon/4, the usual step of an L-inf PGD. */
export function stepSizeOf(stepSize: number | null, epsilon: number): number {
  return stepSize ?? epsilon / 4;
}

/** Projection onto the epsilon ball around x intersected with the image range [0, 1]. */
export function project(xAdv: tf.Tensor4D, x: tf.Tensor4D, epsilon: number): tf.Tensor4D {
  return tf.tidy(() =>
    tf.clipByValue(tf.minimum(tf.maximum(xAdv, tf.sub(x, epsilon)), tf.add(x, epsilon)), 0, 1) as tf.Tensor4D,
  );
}
