/**
 * `gacd bench`: images per second of the PGD-10 adversarial training step of the small CNN
 * (batch 128; 28x28x1 and 32x32x3), through the engine's own training step, on each backend that
 * loads. `gacd bench --case NAME` runs one of the further cases of src/engine/bench (PreAct
 * ResNet-18, GACD against PGD-AT, PGD-20 evaluation, the leak check) instead. `npm run bench` puts
 * all of these beside PyTorch's figures for the same computations.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendPreference, selectBackend } from '../backend/select';
import { timeTrainingStep } from '../bench/trainingStep';
import { benchCases, CaseFlags } from '../bench/cases';
import { BenchCaseFigure } from '../bench/figure';
import { ImageShape } from '../models/model';
import { WorkerPool, workerCount } from '../parallel/pool';

export interface BenchFigure {
  backend: string;
  /** Threads: 1, or more with each step (PGD, teacher passes, gradients) shared by rows. */
  workers: number;
  shape: string;
  batch: number;
  steps: number;
  imagesPerSecond: number;
}

/** Times `steps` PGD-10 training steps after one warm-up step, on this thread or shared with `pool`. */
export async function benchTrainingStep(shape: ImageShape, batch: number, steps: number, pool: WorkerPool | null, arch = 'small-cnn'): Promise<number> {
  return (await timeTrainingStep(arch, shape, batch, steps, pool)).imagesPerSecond;
}

export interface BenchFlags extends CaseFlags {
  json?: boolean;
  backend?: string;
  workers?: string;
  case?: string;
}

export async function benchCommand(flags: BenchFlags): Promise<number> {
  if (flags.case) return caseCommand(flags.case, flags);
  const wanted = flags.backend ? [flags.backend] : ['tensorflow', 'wasm', 'cpu'];
  const shapes: ImageShape[] = [
    [28, 28, 1],
    [32, 32, 3],
  ];
  for (const name of wanted) {
    try {
      await selectBackend(name as 'wasm');
    } catch (err) {
      if (flags.backend) throw err;
      if (!flags.json) process.stdout.write(`${name}: not available (${(err as Error).message.split('\n')[0]})\n`);
      continue;
    }
    // The pure-JS cpu backend is two orders of magnitude slower: one timed step is enough.
    const steps = Number(flags.steps ?? (tf.getBackend() === 'cpu' ? 1 : 5));
    // Worker threads pay off on wasm (one wasm instance per thread); tfjs-node threads itself.
    const threads = flags.workers ? [Number(flags.workers)] : tf.getBackend() === 'wasm' ? [...new Set([1, workerCount('auto')])] : [1];
    for (const workers of threads) {
      const pool = workers > 1 ? await WorkerPool.start(workers, tf.getBackend()) : null;
      for (const shape of shapes) {
        const figure: BenchFigure = {
          backend: tf.getBackend(),
          workers,
          shape: shape.join('x'),
          batch: 128,
          steps,
          imagesPerSecond: await benchTrainingStep(shape, 128, steps, pool),
        };
        process.stdout.write(
          flags.json ? JSON.stringify(figure) + '\n' : `${figure.backend} x${workers} ${figure.shape}: ${figure.imagesPerSecond.toFixed(1)} img/s\n`,
        );
      }
      await pool?.close();
    }
  }
  return 0;
}

/** Runs one named case on one backend and thread count (`--workers`, default 1). */
async function caseCommand(name: string, flags: BenchFlags): Promise<number> {
  const benchCase = benchCases[name];
  if (!benchCase) {
    const known = Object.entries(benchCases).map(([k, c]) => `  ${k}: ${c.summary}`).join('\n');
    throw new Error(`unknown bench case '${name}'; the cases are:\n${known}`);
  }
  await selectBackend((flags.backend ?? 'auto') as BackendPreference);
  const workers = flags.workers ? workerCount(flags.workers === 'auto' ? 'auto' : Number(flags.workers)) : 1;
  const pool = workers > 1 ? await WorkerPool.start(workers, tf.getBackend()) : null;
  try {
    for (const figure of await benchCase.run(flags, pool)) {
      process.stdout.write(flags.json ? JSON.stringify(figure) + '\n' : describe(figure) + '\n');
    }
  } finally {
    await pool?.close();
  }
  return 0;
}

function describe(f: BenchCaseFigure): string {
  const speed = typeof f.imagesPerSecond === 'number' ? `${f.imagesPerSecond.toFixed(1)} img/s` : '';
  const leak =
    f.case === 'leak'
      ? (f.readings as Array<{ step: number; rssKiB: number; numTensors: number }>)
          .map((r) => `after ${r.step} steps: RSS ${(r.rssKiB / 1024).toFixed(0)} MiB, ${r.numTensors} tensors`)
          .join('; ')
      : '';
  return `${f.case} ${f.variant} (${f.backend} x${f.workers}): ${speed}${leak}; peak RSS ${(f.peakRssKiB / 1024).toFixed(0)} MiB`;
}
