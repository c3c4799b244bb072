/**
 * `gacd bench`: images per second of the PGD-10 adversarial training step of the small CNN
 * (batch 128; 28x28x1 and 32x32x3), through the engine's own training step, on each backend that
 * loads. `npm run bench` puts these figures beside PyTorch's for the same step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { pgdAt } from '../methods/pgdAt';
import { buildModel } from '../models/registry';
import { ImageShape } from '../models/model';
import { Sgd } from '../run/sgd';
import { trainStep } from '../run/trainModel';
import { Rng } from '../util/rng';
import { WorkerPool, workerCount } from '../parallel/pool';

export interface BenchFigure {
  backend: string;
  /** Threads: 1, or 2 with each batch's PGD shared with a worker thread. */
  workers: number;
  shape: string;
  batch: number;
  steps: number;
  imagesPerSecond: number;
}

/** Times `steps` PGD-10 training steps after one warm-up step, on this thread or shared with `pool`. */
export async function benchTrainingStep(shape: ImageShape, batch: number, steps: number, pool: WorkerPool | null, arch = 'small-cnn'): Promise<number> {
  const model = buildModel(arch, { inputShape: shape, numClasses: 10, seed: 1 });
  const attack = { epsilon: 8 / 255, stepSize: 2 / 255, steps: 10, randomStart: true };
  const session = pool ? pool.attackSession(model, batch) : null;
  const method = pgdAt({ student: model, teacher: null, settings: {}, attack, trainSize: batch, trainLabels: new Int32Array(batch), numClasses: 10, seed: 1, perturb: session?.perturb });
  const sgd = new Sgd(model.params.trainableNamed(), { momentum: 0.9, weightDecay: 5e-4 });
  const rng = new Rng(1);
  const size = shape[0] * shape[1] * shape[2];
  const images = new Float32Array(batch * size).map(() => rng.next());
  const labels = new Int32Array(batch).map(() => rng.int(10));
  const b = { images, labels, indices: new Int32Array(batch).map((_, i) => i), size: batch };
  trainStep(model, method, sgd, b, 0.01, rng);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) trainStep(model, method, sgd, b, 0.01, rng);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await session?.close();
  sgd.dispose();
  model.params.dispose();
  return (steps * batch) / seconds;
}

export async function benchCommand(flags: { json?: boolean; backend?: string; steps?: string; workers?: string }): Promise<number> {
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
