/**
 * Bench case `methods`: the training step of every registered method beside PGD-AT's, timed in the
 * same process on the same batches, so that each method's cost reads as a ratio to plain
 * adversarial training. Student tiny-cnn (the same initial weights for every method), 28x28x1,
 * batch 128, PGD-10 at 8/255 for the adversarial methods, each method with its catalog defaults
 * (memory-bank negatives capped at the split, as in a run); its teachers are small-cnns with random
 * weights, one per role the method declares with those defaults (the robust one, and a second one
 * for the naturally trained role where the method reads it). Every step goes through the real
 * trainStep. PGD-AT runs before and after the others; its figure is the mean of the two. The peak
 * RSS of a figure is the process's so far (the methods run one after another).
 */
import { findMethod } from '../methods/catalog';
import { methodImplementations } from '../methods/registry';
import { rolesOf } from '../catalog/types';
import type { Teachers } from '../methods/method';
import { ImageShape } from '../models/model';
import { buildModel } from '../models/registry';
import { Rng } from '../util/rng';
import type { WorkerPool } from '../parallel/pool';
import { BenchCaseFigure } from './figure';
import { benchAttack, caseFigure, methodSettings, openTraining, splitBatches, TrainBatch } from './harness';

/** The method every other one is measured against. */
export const BASELINE_METHOD = 'pgd-at';

export interface MethodStepsOptions {
  /** The methods to time (PGD-AT is always timed, first); null: every registered method. */
  methods: string[] | null;
  steps: number;
  batch: number;
  /** Size of the notional training split (memory banks have one row per sample). */
  trainSize: number;
  pool: WorkerPool | null;
}

const SHAPE: ImageShape = [28, 28, 1];
const STUDENT = 'tiny-cnn';
const TEACHER = 'small-cnn';

/** The registered methods, in the registry's order. */
export function registeredMethods(): string[] {
  return Object.keys(methodImplementations);
}

interface Timing {
  method: string;
  secondsPerStep: number;
  teachers: Record<string, string>;
  settings: Record<string, unknown>;
  /** PGD-AT's: its seconds per step before and after the other methods. */
  runs?: number[];
}

/** Times `steps` steps of one method after one warm-up step, on fresh models. */
async function timeMethod(name: string, batches: TrainBatch[], trainLabels: Int32Array, o: MethodStepsOptions): Promise<Timing> {
  const settings = methodSettings(name);
  const roles = rolesOf(findMethod(name)!, settings);
  const student = buildModel(STUDENT, { inputShape: SHAPE, numClasses: 10, seed: 1 });
  const teachers: Teachers = Object.fromEntries(roles.map((role, k) => [role, buildModel(TEACHER, { inputShape: SHAPE, numClasses: 10, seed: 2 + k })]));
  const training = openTraining({
    method: name,
    student,
    teachers,
    attack: benchAttack(10),
    trainSize: o.trainSize,
    trainLabels,
    numClasses: 10,
    maxBatch: o.batch,
    seed: 1,
    pool: o.pool,
  });
  try {
    const secondsPerStep = training.secondsPerStep(batches, o.steps, new Rng(2));
    return { method: name, secondsPerStep, teachers: Object.fromEntries(roles.map((r) => [r, TEACHER])), settings: training.settings };
  } finally {
    await training.close();
    student.params.dispose();
    for (const t of Object.values(teachers)) t.params.dispose();
  }
}

export async function methodStepsCase(o: MethodStepsOptions): Promise<BenchCaseFigure[]> {
  const known = registeredMethods();
  const asked = o.methods ?? known;
  for (const m of asked) {
    if (!known.includes(m)) throw new Error(`the methods case times registered methods (${known.join(', ')}), not '${m}'`);
  }
  const others = asked.filter((m) => m !== BASELINE_METHOD);
  const { trainLabels, batches } = splitBatches(SHAPE, o.batch, o.steps + 1, o.trainSize, new Rng(1));
  // PGD-AT is timed before and after the others, and its mean is the baseline, so that neither the
  // process's own warm-up nor a drift of the machine's load during the case lands on one side.
  const first = await timeMethod(BASELINE_METHOD, batches, trainLabels, o);
  const timings: Timing[] = [];
  for (const name of others) timings.push(await timeMethod(name, batches, trainLabels, o));
  const last = await timeMethod(BASELINE_METHOD, batches, trainLabels, o);
  const baseline = (first.secondsPerStep + last.secondsPerStep) / 2;
  timings.unshift({ ...first, secondsPerStep: baseline, runs: [first.secondsPerStep, last.secondsPerStep] });
  return timings.map((t) =>
    caseFigure('methods', t.method, o.pool?.size ?? 1, {
      student: STUDENT,
      teachers: t.teachers,
      adversarial: findMethod(t.method)!.adversarial,
      shape: SHAPE.join('x'),
      batch: o.batch,
      steps: o.steps,
      trainSize: o.trainSize,
      secondsPerStep: t.secondsPerStep,
      imagesPerSecond: o.batch / t.secondsPerStep,
      // This method's step time over PGD-AT's, measured in this process.
      relativeToPgdAt: t.secondsPerStep / baseline,
      ...(t.runs ? { runs: t.runs } : {}),
      settings: t.settings,
    }),
  );
}
