/**
 * Trains one model of a run (the teacher, the student or a baseline) with its method. Reads
 * top-down: per epoch, per batch: learning rate, step, progress; at the end of an epoch: the
 * monitors and a checkpoint. A stop request ends the run after a checkpoint at the next step
 * boundary; a non-finite loss ends it before the bad update touches the weights.
 */
import { emptyWeightLog, histogram, samplePairs } from '../analysis/weightStats';
import { Augmenter } from '../data/augment';
import { batchCount, batches } from '../data/batches';
import { Split } from '../data/types';
import type { ExperimentSpec } from '../experiment/schema';
import { findMethod } from '../methods/catalog';
import { Method, MethodContext, Teachers } from '../methods/method';
import { methodFactory } from '../methods/registry';
import { Model } from '../models/model';
import { Rng, RngState } from '../util/rng';
import { LoadedCheckpoint, loadWeights, methodStateOf, optimizerState } from './checkpoint';
import { CheckpointStore } from './checkpointStore';
import { EventLog } from './eventLog';
import { accuracy, head, robustAccuracy, similarity } from './monitor';
import { learningRate } from './schedule';
import { Sgd } from '../step/sgd';
import { startNoiseFor, trainStep, trainableOf } from '../step/trainStep';
import type { WorkerPool } from '../parallel/pool';

/** The training section of the resolved spec (every default filled in by the schema). */
export type TrainingSpec = ExperimentSpec['training'];

export interface TrainModelOptions {
  label: string;
  model: Model;
  /** The run's teachers by role (the robust one is `adversarial`); empty when none. */
  teachers: Teachers;
  /** False when the teachers were trained on another label set (another task): no logit comparison. */
  teacherLabelsMatch?: boolean;
  method: string;
  methodSettings: Record<string, unknown>;
  training: TrainingSpec;
  train: Split;
  /** Held out from the training data: what each epoch's accuracy and robustness are measured on. */
  validation: Split;
  augment?: Augmenter;
  seed: number;
  log: EventLog;
  /** Folder of this run's checkpoints. */
  checkpointsDir: string;
  shouldStop: () => boolean;
  /** A checkpoint of this model to continue from. */
  resumeFrom?: LoadedCheckpoint;
  /** Worker threads to share each step (its adversarial search and its gradients) with. */
  pool?: WorkerPool | null;
}

export type TrainOutcome = { status: 'finished' | 'stopped' } | { status: 'failed'; code: string; message: string; fix: string };

// The checkpoint files' names moved to the checkpoint store; these names stay for older importers.
export { pointerFile, safeName } from './checkpointStore';

export async function trainModel(o: TrainModelOptions): Promise<TrainOutcome> {
  const t = o.training;
  const attack = {
    epsilon: t.attack.epsilon,
    stepSize: t.attack.step_size,
    steps: t.attack.steps,
    randomStart: t.attack.random_start,
    start: findMethod(o.method)?.attackStart ?? 'uniform',
  };
  const context: MethodContext = {
    student: o.model,
    teacher: o.teachers.adversarial ?? null,
    teachers: o.teachers,
    settings: o.methodSettings,
    attack,
    trainSize: o.train.count,
    trainLabels: o.train.labels,
    numClasses: o.train.numClasses,
    seed: o.seed,
  };
  const method: Method = methodFactory(o.method)(context);
  const sgd = new Sgd(trainableOf(o.model, method), { momentum: t.momentum, weightDecay: t.weight_decay });
  const stepsPerEpoch = batchCount(o.train.count, t.batch_size);
  // Never the test split: it is for the final evaluation only.
  const probe = head(o.validation, 256);
  const validationSlice = head(o.validation, 1000);

  // Where to start: a fresh model, or exactly where a checkpoint left off.
  let epoch = 0;
  let skipSteps = 0;
  let dataRng = new Rng(o.seed);
  let attackRng = new Rng(o.seed ^ 0x5bd1e995);
  if (o.resumeFrom) {
    const st = o.resumeFrom.state;
    loadWeights(o.resumeFrom, o.model, `checkpoint of ${o.label}`, method.extraParams);
    sgd.load(optimizerState(o.resumeFrom));
    if (method.loadState) method.loadState(methodStateOf(o.resumeFrom));
    epoch = st.epoch;
    skipSteps = st.step;
    dataRng = new Rng(st.rng.dataEpochStart);
    attackRng = new Rng(st.rng.attack);
  }
  // With worker threads, every stage of each step is shared among them; their copies of the
  // method start from this one's state (memory banks after a resume).
  const session = o.pool && o.pool.size > 1 ? o.pool.trainingSession(o.method, context, method) : null;
  const stepOptions = { startNoise: startNoiseFor(o.method, attack), workers: session?.workers };

  o.log.emit({
    type: 'stage-start',
    model: o.label,
    method: o.method,
    arch: o.model.arch,
    epochs: t.epochs,
    stepsPerEpoch,
    params: o.model.params.count(),
  });

  const store = new CheckpointStore(o.checkpointsDir, o.label);
  const metaOf = (epochsDone: number, stepInEpoch: number, epochStart: RngState, completed: boolean) => ({
    arch: o.model.arch,
    inputShape: o.model.inputShape,
    numClasses: o.model.numClasses,
    model: o.label,
    method: o.method,
    epoch: epochsDone,
    step: stepInEpoch,
    completed,
    rng: { dataEpochStart: epochStart, attack: attackRng.state },
  });
  const save = (epochsDone: number, stepInEpoch: number, epochStart: RngState, completed: boolean) => {
    const dir = store.save(metaOf(epochsDone, stepInEpoch, epochStart, completed), {
      model: o.model,
      methodParams: method.extraParams,
      optimizer: sgd.state(),
      methodState: method.state?.() ?? {},
    });
    o.log.emit({ type: 'checkpoint', model: o.label, epoch: epochsDone, path: dir });
  };

  try {
    const started = Date.now();
    let stepsDone = 0;
    const totalSteps = (t.epochs - epoch) * stepsPerEpoch - skipSteps;
    for (; epoch < t.epochs; epoch++) {
      const epochStart = dataRng.state;
      const epochStarted = Date.now();
      const weightLog = emptyWeightLog();
      const sums: Record<string, number> = {};
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let step = 0;
      for (const b of batches(o.train, t.batch_size, dataRng, { augment: o.augment })) {
        if (step < skipSteps) {
          step++;
          continue;
        }
        const lr = learningRate({ ...t }, epoch + step / stepsPerEpoch);
        const result = trainStep(o.model, method, sgd, b, lr, attackRng, { ...stepOptions, epoch, epochs: t.epochs });
        if (!Number.isFinite(result.loss)) {
          // Say which checkpoint stays in charge, or that there is none: a resume needs one.
          const kept = store.current();
          const where = `${o.label}: the loss became ${result.loss} at epoch ${epoch + 1}, step ${step + 1} (lr ${lr.toPrecision(3)}); the update was not applied`;
          return {
            status: 'failed',
            code: 'non-finite-loss',
            message: kept
              ? `${where}, and the last checkpoint (${kept.path}: epoch ${kept.epoch}, step ${kept.step}) is kept`
              : `${where}; no checkpoint of ${o.label} had been written yet, so there is none to resume from`,
            fix: kept
              ? 'lower training.lr (or the method\'s loss weights) and run again, or resume from the last checkpoint with a smaller lr'
              : 'lower training.lr (or the method\'s loss weights) and run again',
          };
        }
        lossSum += result.loss * b.size;
        for (const [k, v] of Object.entries(result.terms)) sums[k] = (sums[k] ?? 0) + v * b.size;
        correct += result.correct;
        seen += b.size;
        if (result.weights) {
          weightLog.weights.push(...result.weights.weights);
          weightLog.confidence.push(...result.weights.confidence);
          for (const c of result.weights.teacherCorrect) weightLog.teacherCorrect.push(c === 1);
        }
        step++;
        stepsDone++;
        // Let signal handlers (a stop request) and stdout run between steps.
        await new Promise((resolve) => setImmediate(resolve));
        const elapsed = (Date.now() - started) / 1000;
        o.log.emit({
          type: 'progress',
          model: o.label,
          epoch: epoch + 1,
          step,
          stepsPerEpoch,
          loss: result.loss,
          lr,
          imagesPerSecond: (stepsDone * t.batch_size) / Math.max(elapsed, 1e-3),
          etaSeconds: (elapsed / stepsDone) * (totalSteps - stepsDone),
        });
        if (o.shouldStop() && step < stepsPerEpoch) {
          save(epoch, step, epochStart, false);
          return { status: 'stopped' };
        }
      }
      skipSteps = 0;

      const seed = o.seed + epoch;
      const robust = attack.epsilon > 0 && probe.count > 0 ? robustAccuracy(o.model, probe, attack, seed) : undefined;
      const lossTerms = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(seen, 1)]));
      o.log.emit({
        type: 'epoch',
        model: o.label,
        epoch: epoch + 1,
        epochs: t.epochs,
        lr: learningRate({ ...t }, epoch + 1 - 1e-9),
        loss: lossSum / Math.max(seen, 1),
        lossTerms,
        adaptiveWeights: method.adaptiveWeights?.(),
        trainAccuracy: correct / Math.max(seen, 1),
        testAccuracy: accuracy(o.model, validationSlice),
        robustAccuracy: robust,
        durationMs: Date.now() - epochStarted,
      });
      const teacher = o.teachers.adversarial ?? o.teachers.natural;
      if (teacher) {
        o.log.emit({ type: 'similarity', model: o.label, epoch: epoch + 1, ...similarity(o.model, teacher, method, probe, attack, seed, o.teacherLabelsMatch ?? true) });
      }
      if (weightLog.weights.length > 0) {
        const w = weightLog.weights;
        o.log.emit({
          type: 'sample-weights',
          model: o.label,
          epoch: epoch + 1,
          scheme: weightScheme(o.method, o.methodSettings),
          histogram: histogram(w, 20),
          mean: w.reduce((a, v) => a + v, 0) / w.length,
          samples: samplePairs(weightLog, 300, seed),
        });
      }
      // The best epoch on the validation split, kept apart (the test split never chooses).
      if (t.keep_best && robust !== undefined && robust > (store.best()?.robustAccuracy ?? -1)) {
        store.saveBest(metaOf(epoch + 1, 0, dataRng.state, false), { model: o.model, methodParams: null, optimizer: [], methodState: {} }, robust);
        o.log.emit({ type: 'checkpoint', model: o.label, epoch: epoch + 1, path: store.bestFolder, best: true });
      }
      save(epoch + 1, 0, dataRng.state, epoch + 1 === t.epochs);
      if (o.shouldStop() && epoch + 1 < t.epochs) return { status: 'stopped' };
    }
    return { status: 'finished' };
  } finally {
    await session?.close();
    sgd.dispose();
    method.dispose?.();
  }
}

/** The name of a method's sample-weighting scheme, as its description says where to find it. */
function weightScheme(method: string, settings: Record<string, unknown>): string {
  const described = findMethod(method)?.sampleWeights;
  if (!described) return 'none';
  return 'scheme' in described ? described.scheme : String(settings[described.schemeSetting]);
}
