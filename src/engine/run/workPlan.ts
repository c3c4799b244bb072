/**
 * The work of a whole run, estimated up front from the resolved spec, in one unit: a forward pass
 * of one image through a model of cost 1 (a backward pass counts as two). Training a model is
 * its steps (the training attack's passes, the teacher's forward passes, the update) and the
 * end-of-epoch monitors; evaluating it is each row (attack, or attack at an epsilon of the curve)
 * times its passes per image. The run's one progress figure is the units done over these totals.
 *
 * A model's cost is its parameter count to the power 0.75: small models are dominated by the
 * per-operation overhead, so time grows slower than their size (on the quickstart, small-cnn has
 * 4x tiny-cnn's parameters and takes about 2.8x its time). It is a prior only: the ETA comes from
 * the rates measured as the run goes (runProgress.ts).
 *
 * A training step costs about twice its passes (weight gradients, the optimizer, the method's
 * loss, batches half the evaluation's): on the quickstart, without that factor the evaluation
 * would be planned as 70% of the run; it takes 55%.
 */
import type { EvaluationEntry } from '../attacks/catalog';
import { batchCount } from '../data/batches';
import { findMethod } from '../methods/catalog';

/** One phase of the run: a model trained, or a model evaluated. */
export interface Phase {
  /** `train:<model>` or `eval:<model>`. */
  key: string;
  model: string;
  kind: 'training' | 'evaluation';
  units: number;
  /** Training: units of one step and of one epoch's monitors (to place a `progress` event). */
  stepUnits?: number;
  monitorUnits?: number;
  stepsPerEpoch?: number;
  /** Evaluation: units of each row, in the order they are computed. */
  rowUnits?: number[];
}

export interface TrainedModel {
  label: string;
  method: string;
  cost: number;
  /** The summed cost of the teachers the method reads (0 for none). */
  teacherCost: number;
  epochs: number;
  batchSize: number;
  attackSteps: number;
  epsilon: number;
  trainCount: number;
  validationCount: number;
}

export interface EvaluatedModel {
  label: string;
  cost: number;
}

export interface EvaluationPlan {
  examples: number;
  /** The rows in the order the evaluation computes them (evaluate.ts's `evaluationRows`). */
  rows: Array<{ entry: EvaluationEntry; epsilon: number }>;
}

/** What a training step costs beyond its passes (see the header). */
const TRAINING_STEP_OVERHEAD = 2;

/** The relative cost of a model of `params` parameters (see the header). */
export function modelCost(params: number): number {
  return Math.pow(Math.max(params, 1), 0.75) / 1000;
}

/** Units of one training step and of one epoch's monitors of a model (as trainModel.ts runs them). */
export function trainingPhase(m: TrainedModel): Phase {
  const adversarial = (findMethod(m.method)?.adversarial ?? false) && m.epsilon > 0;
  const attack = adversarial ? 3 * m.attackSteps : 0;
  // The update (forward and backward), the attack's passes, the teacher at x and at x'.
  const stepUnits = TRAINING_STEP_OVERHEAD * m.batchSize * (m.cost * (3 + attack) + 2 * m.teacherCost);
  const probe = Math.min(256, m.validationCount);
  // Validation accuracy (1,000 images), PGD-10 on the probe, and the similarity to the teacher.
  const monitorUnits =
    Math.min(1000, m.validationCount) * m.cost +
    (m.epsilon > 0 ? probe * 31 * m.cost : 0) +
    (m.teacherCost > 0 ? probe * (31 * m.cost + 2 * (m.cost + m.teacherCost)) : 0);
  const stepsPerEpoch = batchCount(m.trainCount, m.batchSize);
  return {
    key: `train:${m.label}`,
    model: m.label,
    kind: 'training',
    units: m.epochs * (stepsPerEpoch * stepUnits + monitorUnits),
    stepUnits,
    monitorUnits,
    stepsPerEpoch,
  };
}

/** Units of each evaluation row of a model. */
export function evaluationPhase(m: EvaluatedModel, plan: EvaluationPlan): Phase {
  const rowUnits = plan.rows.map((r) => plan.examples * m.cost * passesPerImage(r.entry));
  return { key: `eval:${m.label}`, model: m.label, kind: 'evaluation', units: rowUnits.reduce((a, b) => a + b, 0), rowUnits };
}

/**
 * Forward-pass equivalents an attack spends on one image: a gradient step is 3 (forward and
 * backward), a query is 1, plus the final prediction. AutoAttack-style runs count every component
 * on every image, an upper bound (later components only see the images earlier ones left).
 */
export function passesPerImage(entry: EvaluationEntry): number {
  const s = entry.settings as Record<string, number | undefined>;
  const restarts = s.restarts ?? 1;
  const eot = s.eot ?? 1;
  const iterations = s.steps ?? s.iterations ?? 100;
  switch (entry.attack) {
    case 'clean':
      return 1;
    case 'fgsm':
      return 4;
    case 'square':
      return iterations * restarts + 1;
    case 'apgd-t':
      return 9 * 3 * iterations * restarts + 1;
    case 'aa-style':
      return 3 * iterations * 10 + (s.queries ?? 5000) + 1;
    case 'aa-style-fast':
      return 3 * iterations * 4 + 1;
    case 'aa-style-rand':
      return 3 * iterations * eot * 2 + 1;
    default:
      return 3 * iterations * restarts * eot + 1;
  }
}

export function totalUnits(phases: Phase[]): number {
  return phases.reduce((a, p) => a + p.units, 0);
}
