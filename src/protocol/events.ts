/**
 * The engine's events: what `gacd run --json` prints one a line and what `events.jsonl` holds.
 * Typed once here and validated where they arrive (the extension, the dashboards, tests).
 */
import { z } from 'zod';

/** Which model of the run an event is about: `teacher`, `student`, or `baseline:<method>`. */
const model = z.string();

const base = {
  seq: z.number().int().nonnegative(),
  time: z.string(),
};

const accuracyAt = z.object({ epsilon: z.number(), accuracy: z.number() });

export const attackResult = z.object({
  attack: z.string(),
  epsilon: z.number(),
  accuracy: z.number(),
});

/** A reliability flag of an evaluation: what was seen, what it means, what to do. */
export const reliabilityFlag = z.object({
  /** Stable identifier, e.g. `zero-gradients`, `square-beats-white-box`. */
  code: z.string(),
  /** A few words for a badge. */
  title: z.string(),
  /** What was observed and what it means, in full sentences. */
  message: z.string(),
  fix: z.string(),
});

/** Accuracy per class of each row (each attack, then the worst case), in the classes' order. */
export const perClassResults = z.object({
  classNames: z.array(z.string()),
  counts: z.array(z.number().int()),
  rows: z.array(z.object({ attack: z.string(), accuracy: z.array(z.number()) })),
});

export const modelResults = z.object({
  model,
  method: z.string(),
  arch: z.string(),
  results: z.array(attackResult),
  accuracyVsEpsilon: z.array(accuracyAt),
  /** Robust accuracy of the worst class under the strongest attack evaluated. */
  worstClass: z.object({ className: z.string(), accuracy: z.number() }).optional(),
  perClass: perClassResults.optional(),
  flags: z.array(reliabilityFlag).optional(),
  /** True when the figures came from the evaluation cache (the same weights, settings and data). */
  cached: z.boolean().optional(),
  examples: z.number().int(),
});

export const runStart = z.object({
  ...base,
  type: z.literal('run-start'),
  runId: z.string(),
  experiment: z.string(),
  runDir: z.string(),
  backend: z.string(),
  backendDetail: z.string(),
  resumed: z.boolean(),
  versions: z.record(z.string(), z.string()),
  spec: z.unknown(),
});

export const stageStart = z.object({
  ...base,
  type: z.literal('stage-start'),
  model,
  method: z.string(),
  arch: z.string(),
  epochs: z.number().int(),
  stepsPerEpoch: z.number().int(),
  params: z.number().int(),
  /** Set when the model was loaded from a checkpoint instead of trained. */
  loadedFrom: z.string().optional(),
});

export const progress = z.object({
  ...base,
  type: z.literal('progress'),
  model,
  epoch: z.number().int(),
  step: z.number().int(),
  stepsPerEpoch: z.number().int(),
  loss: z.number(),
  /** The learning rate this step used (absent in logs of older engines). */
  lr: z.number().optional(),
  imagesPerSecond: z.number(),
  /** Seconds left in this model's training. */
  etaSeconds: z.number(),
});

export const epochEnd = z.object({
  ...base,
  type: z.literal('epoch'),
  model,
  epoch: z.number().int(),
  epochs: z.number().int(),
  lr: z.number(),
  loss: z.number(),
  /** The mean of each loss term over the epoch (for GACD: ce, contrastive, kd). */
  lossTerms: z.record(z.string(), z.number()),
  /** Loss weights the method adapts as it trains (MTARD's weight of each teacher), at the epoch's end. */
  adaptiveWeights: z.record(z.string(), z.number()).optional(),
  trainAccuracy: z.number(),
  /** Clean accuracy on the validation split (held out from the training data; never the test split). */
  testAccuracy: z.number(),
  /** PGD accuracy on a fixed slice of the test split, to watch robustness while training. */
  robustAccuracy: z.number().optional(),
  durationMs: z.number(),
});

export const similarity = z.object({
  ...base,
  type: z.literal('similarity'),
  model,
  epoch: z.number().int(),
  cka: z.object({ clean: z.number(), adversarial: z.number() }),
  /** Cosine of the projected embeddings, for methods that have projection heads (GACD). */
  cosine: z.object({ clean: z.number(), adversarial: z.number() }).optional(),
  /** Mean absolute difference of the teacher's and student's class-correlation matrices of logits. */
  /** Absent when teacher and student have different label sets (a teacher from another task). */
  logitCorrelationGap: z.number().optional(),
});

export const sampleWeights = z.object({
  ...base,
  type: z.literal('sample-weights'),
  model,
  epoch: z.number().int(),
  scheme: z.string(),
  histogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number().int()) }),
  mean: z.number(),
  /** A sample of (teacher confidence on the true class, weight) pairs. */
  samples: z.array(z.object({ confidence: z.number(), weight: z.number(), teacherCorrect: z.boolean() })),
});

export const evaluation = modelResults.extend({
  ...base,
  type: z.literal('evaluation'),
});

/** Progress of a model's evaluation, after each block of samples of each row. */
export const evaluationProgress = z.object({
  ...base,
  type: z.literal('evaluation-progress'),
  model,
  /** The row being computed, e.g. `pgd-20`, `aa-style`, or `pgd-20 @ 0.05` for the curve. */
  attack: z.string(),
  done: z.number().int(),
  total: z.number().int(),
  row: z.number().int(),
  rows: z.number().int(),
});

/**
 * The whole run's progress, one figure over every phase (teachers trained, the student, the
 * baselines, every model's evaluation): emitted at most every ~2 s as work is done, and as a
 * heartbeat when the run has been silent for 2 s (inside long epochs and attacks).
 */
export const runProgress = z.object({
  ...base,
  type: z.literal('run-progress'),
  /** Fraction of the planned work done, never decreasing; 1 only when the run has finished. */
  fraction: z.number().min(0).max(1),
  /** Seconds left at the rates measured so far; absent until something was timed. */
  etaSeconds: z.number().nonnegative().optional(),
  phase: z.enum(['setup', 'training', 'evaluation', 'done']),
  /** The model being trained or evaluated (empty during set-up). */
  model,
  /** Where in that phase, e.g. `epoch 2, step 13/47` or `pgd-20 500/1000 (row 3/7)`. */
  detail: z.string(),
});

/** A reliability flag raised by a model's evaluation. */
export const flag = reliabilityFlag.extend({
  ...base,
  type: z.literal('flag'),
  model,
});

export const checkpoint = z.object({
  ...base,
  type: z.literal('checkpoint'),
  model,
  epoch: z.number().int(),
  path: z.string(),
  /** The best checkpoint so far on the validation split (training.keep_best), kept beside the latest. */
  best: z.boolean().optional(),
});

export const warning = z.object({
  ...base,
  type: z.literal('warning'),
  message: z.string(),
});

export const error = z.object({
  ...base,
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  fix: z.string().optional(),
});

export const runEnd = z.object({
  ...base,
  type: z.literal('run-end'),
  status: z.enum(['finished', 'stopped', 'failed']),
  durationMs: z.number(),
  results: z.array(modelResults).optional(),
});

export const engineEvent = z.discriminatedUnion('type', [
  runStart,
  stageStart,
  progress,
  epochEnd,
  similarity,
  sampleWeights,
  evaluation,
  evaluationProgress,
  runProgress,
  flag,
  checkpoint,
  warning,
  error,
  runEnd,
]);

export type EngineEvent = z.infer<typeof engineEvent>;
export type ModelResults = z.infer<typeof modelResults>;
export type AttackResult = z.infer<typeof attackResult>;
export type ReliabilityFlag = z.infer<typeof reliabilityFlag>;
export type RunProgressEvent = z.infer<typeof runProgress>;
export type PerClassResults = z.infer<typeof perClassResults>;

/** Distributive Omit, so each member of the union keeps its own fields. */
type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;
/** An event before the log stamps it with its sequence number and time. */
export type EventBody = DistributiveOmit<EngineEvent, 'seq' | 'time'>;

/** Parses one line of `events.jsonl` or `--json` output; throws with the reason if it is not an event. */
export function parseEvent(line: string): EngineEvent {
  return engineEvent.parse(JSON.parse(line));
}
