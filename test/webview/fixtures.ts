/**
 * Synthetic but well-formed engine events for the panels' tests and the dashboard benchmark: a
 * GACD run with a natural baseline, every kind of event, validated against src/protocol.
 */
import { engineEvent, type EngineEvent, type EventBody, type ModelResults } from '../../src/protocol/events';
import type { RunRef } from '../../src/protocol/webview';
import type { CheckpointEvaluation } from '../../src/protocol/checkpointEvaluation';

export interface FixtureOptions {
  runId?: string;
  experiment?: string;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Shifts every accuracy, so runs differ. */
  skill?: number;
  seed?: number;
  lr?: number;
  finished?: boolean;
}

/** A small deterministic generator (mulberry32), so fixtures are the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fixtureSpec(o: { epochs: number; lr: number; seed: number }) {
  return {
    name: 'fixture',
    seed: o.seed,
    backend: 'auto',
    data: { dataset: 'fashion-mnist-mini', path: null, train_size: 512, test_size: 100, augment: 'none' },
    teacher: { model: 'small-cnn', checkpoint: '/ckpt/teacher', train: null },
    student: { model: 'tiny-cnn' },
    method: { name: 'gacd', negatives: 128, reweight: 'confidence' },
    training: { epochs: o.epochs, batch_size: 64, lr: o.lr, schedule: 'cosine', attack: { epsilon: 0.1, step_size: 0.025, steps: 2 } },
    baselines: [{ method: 'natural' }],
    evaluation: { epsilon: 0.1, attacks: ['clean', 'fgsm', 'pgd-20', 'cw-20'], epsilons: [0, 0.05, 0.1] },
  };
}

function results(model: string, method: string, skill: number): ModelResults {
  const clean = 0.8 + skill;
  const robust = method === 'natural' ? 0.05 + skill / 4 : 0.45 + skill;
  return {
    model,
    method,
    arch: 'tiny-cnn',
    results: [
      { attack: 'clean', epsilon: 0, accuracy: clean },
      { attack: 'fgsm', epsilon: 0.1, accuracy: (clean + robust) / 2 },
      { attack: 'pgd-20', epsilon: 0.1, accuracy: robust },
      { attack: 'cw-20', epsilon: 0.1, accuracy: robust - 0.02 },
    ],
    accuracyVsEpsilon: [
      { epsilon: 0, accuracy: clean },
      { epsilon: 0.05, accuracy: (clean + robust) / 2 },
      { epsilon: 0.1, accuracy: robust },
    ],
    worstClass: { className: 'shirt', accuracy: robust / 2 },
    examples: 100,
  };
}

/** The events of a whole run, `run-start` to `run-end`. */
export function fixtureRun(o: FixtureOptions = {}): { run: RunRef; events: EngineEvent[] } {
  const epochs = o.epochs ?? 3;
  const steps = o.stepsPerEpoch ?? 8;
  const skill = o.skill ?? 0;
  const seed = o.seed ?? 0;
  const lr = o.lr ?? 0.05;
  const runId = o.runId ?? '20261125-120000-abcd';
  const experiment = o.experiment ?? 'fixture';
  const runDir = `/work/.gacd-runs/${experiment}/${runId}`;
  const random = rng(seed + 1);
  const bodies: EventBody[] = [];
  bodies.push({
    type: 'run-start',
    runId,
    experiment,
    runDir,
    backend: 'wasm',
    backendDetail: 'wasm (SIMD, 1 thread) with GACD kernels',
    resumed: false,
    versions: { engine: '0.1.0', tfjs: '4.22.0', node: '20.20.2' },
    spec: fixtureSpec({ epochs, lr, seed }),
  });
  bodies.push({ type: 'warning', message: 'faster backends not used: @tensorflow/tfjs-node is not installed' });
  bodies.push({ type: 'stage-start', model: 'teacher', method: 'pgd-at', arch: 'small-cnn', epochs: 0, stepsPerEpoch: 0, params: 200000, loadedFrom: '/ckpt/teacher' });
  for (const [model, method] of [['student', 'gacd'], ['baseline:natural', 'natural']] as const) {
    bodies.push({ type: 'stage-start', model, method, arch: 'tiny-cnn', epochs, stepsPerEpoch: steps, params: 50000 });
    for (let epoch = 1; epoch <= epochs; epoch++) {
      for (let step = 1; step <= steps; step++) {
        const t = ((epoch - 1) * steps + step) / (epochs * steps);
        bodies.push({ type: 'progress', model, epoch, step, stepsPerEpoch: steps, loss: 2.3 * (1 - 0.6 * t) + 0.2 * (random() - 0.5), imagesPerSecond: 400, etaSeconds: (1 - t) * 60 });
      }
      const f = epoch / epochs;
      bodies.push({
        type: 'epoch',
        model,
        epoch,
        epochs,
        lr: lr * 0.5 * (1 + Math.cos((Math.PI * epoch) / epochs)),
        loss: 2.3 * (1 - 0.5 * f),
        lossTerms: method === 'gacd' ? { ce: 1.2 - 0.3 * f, contrastive: 0.8 - 0.2 * f, kd: 0.3 } : { ce: 2 - f },
        trainAccuracy: 0.5 + 0.3 * f + skill,
        testAccuracy: 0.45 + 0.3 * f + skill,
        robustAccuracy: method === 'natural' ? 0.05 : 0.2 + 0.2 * f + skill,
        durationMs: 1000,
      });
      if (method === 'gacd') {
        bodies.push({
          type: 'similarity',
          model,
          epoch,
          cka: { clean: 0.5 + 0.3 * f, adversarial: 0.4 + 0.3 * f },
          cosine: { clean: 0.6 + 0.2 * f, adversarial: 0.5 + 0.2 * f },
          logitCorrelationGap: 0.2 - 0.1 * f,
        });
        const samples = Array.from({ length: 200 }, () => {
          const confidence = random();
          return { confidence, weight: 0.2 + 1.6 * confidence * (0.8 + 0.4 * random()), teacherCorrect: confidence > 0.3 };
        });
        const edges = Array.from({ length: 11 }, (_, i) => i * 0.2);
        const counts = edges.slice(0, -1).map((lo, i) => samples.filter((s) => s.weight >= lo && (s.weight < edges[i + 1] || i === edges.length - 2)).length);
        bodies.push({ type: 'sample-weights', model, epoch, scheme: 'confidence', histogram: { edges, counts }, mean: samples.reduce((a, s) => a + s.weight, 0) / samples.length, samples });
      }
      bodies.push({ type: 'checkpoint', model, epoch, path: `${runDir}/checkpoints/${model}-e${epoch}` });
    }
  }
  const finished = o.finished ?? true;
  const all = [results('student', 'gacd', skill), results('baseline:natural', 'natural', skill)];
  if (finished) {
    for (const r of all) bodies.push({ type: 'evaluation', ...r });
    bodies.push({ type: 'run-end', status: 'finished', durationMs: 42000, results: all });
  }
  const start = Date.parse('2026-11-25T12:00:00Z');
  const events = bodies.map((b, seq) => engineEvent.parse({ seq, time: new Date(start + seq * 100).toISOString(), ...b }));
  return { run: { runDir, runId, experiment, status: finished ? 'finished' : 'running' }, events };
}

/** `count` progress events of one model from sequence number `seq0` on: the live stream of a long run. */
export function progressStream(count: number, seq0: number, model = 'student', stepsPerEpoch = 1000): EngineEvent[] {
  const random = rng(7);
  const out: EngineEvent[] = [];
  for (let i = 0; i < count; i++) {
    const x = i + 1;
    out.push({
      seq: seq0 + i,
      time: '2026-11-25T12:00:00.000Z',
      type: 'progress',
      model,
      epoch: Math.floor((x - 1) / stepsPerEpoch) + 1,
      step: ((x - 1) % stepsPerEpoch) + 1,
      stepsPerEpoch,
      loss: 2.3 * Math.exp(-x / 30000) + 0.3 * random(),
      imagesPerSecond: 500,
      etaSeconds: (count - x) / 10,
    });
  }
  return out;
}

/**
 * An Evaluate Checkpoint record as the extension writes it: one accuracy per attack (clean at
 * epsilon 0, the others at the record's epsilon), for the dashboard's and comparison's tests.
 */
export function checkpointEvaluationFixture(o: {
  checkpoint: string;
  accuracies: Record<string, number>;
  model?: string;
  epoch?: number;
  step?: number;
  epsilon?: number;
  method?: string;
  evaluatedAt?: string;
  examples?: number;
  flags?: ModelResults['flags'];
}): CheckpointEvaluation {
  const model = o.model ?? 'student';
  const epsilon = o.epsilon ?? 0.1;
  return {
    checkpoint: o.checkpoint,
    model,
    epoch: o.epoch ?? 1,
    step: o.step ?? 0,
    epsilon,
    attacks: Object.keys(o.accuracies),
    evaluatedAt: o.evaluatedAt ?? '2026-11-30T09:00:00Z',
    backend: 'wasm',
    results: {
      model,
      method: o.method ?? 'gacd',
      arch: 'tiny-cnn',
      results: Object.entries(o.accuracies).map(([attack, accuracy]) => ({ attack, epsilon: attack === 'clean' ? 0 : epsilon, accuracy })),
      accuracyVsEpsilon: [],
      ...(o.flags ? { flags: o.flags } : {}),
      examples: o.examples ?? 100,
    },
  };
}
