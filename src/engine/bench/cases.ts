/**
 * The bench cases by name (`gacd bench --case NAME`), each a function from the command's flags to
 * its figures. Each case runs in a process of its own when `npm run bench` asks for it, so that the
 * peak RSS in its figures is its own.
 */
import { apgdCase } from './apgdThroughput';
import { distillCase } from './distillStep';
import { evalCase } from './evalThroughput';
import { BenchCaseFigure } from './figure';
import { defaultEvalBatch } from './harness';
import { leakCase } from './leakCheck';
import { methodStepsCase } from './methodSteps';
import { resnetCase } from './trainingStep';
import type { WorkerPool } from '../parallel/pool';

export interface CaseFlags {
  steps?: string;
  batch?: string;
  images?: string;
  method?: string;
  'train-size'?: string;
}

export interface BenchCase {
  /** One line for the usage text. */
  summary: string;
  run(flags: CaseFlags, pool: WorkerPool | null): Promise<BenchCaseFigure[]>;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not '${value}'`);
  return n;
}

export const benchCases: Record<string, BenchCase> = {
  resnet: {
    summary: 'PGD-10 training step of PreAct ResNet-18, 32x32x3 (--steps 2, --batch 32)',
    run: (f, pool) => resnetCase({ steps: int(f.steps, 2, 'steps'), batch: int(f.batch, 32, 'batch'), pool }),
  },
  gacd: {
    summary: 'GACD step vs PGD-AT step of tiny-cnn (teacher small-cnn), 28x28x1 (--method pgd-at|gacd, default both; --steps 5, --batch 128, --train-size 60000)',
    run: async (f, pool) => {
      const methods = f.method ? [f.method] : ['pgd-at', 'gacd'];
      const out: BenchCaseFigure[] = [];
      for (const method of methods) {
        out.push(...(await distillCase({
          method,
          steps: int(f.steps, 5, 'steps'),
          batch: int(f.batch, 128, 'batch'),
          trainSize: int(f['train-size'], 60000, 'train-size'),
          pool,
        })));
      }
      return out;
    },
  },
  methods: {
    summary:
      "every registered method's step vs PGD-AT's in the same process, tiny-cnn student (small-cnn teachers as each method needs), 28x28x1, PGD-10 (--method a,b: only these; --steps 3, --batch 128, --train-size 60000)",
    run: (f, pool) =>
      methodStepsCase({
        methods: f.method ? f.method.split(',').map((m) => m.trim()).filter(Boolean) : null,
        steps: int(f.steps, 3, 'steps'),
        batch: int(f.batch, 128, 'batch'),
        trainSize: int(f['train-size'], 60000, 'train-size'),
        pool,
      }),
  },
  eval: {
    summary: 'PGD-20 evaluation of small-cnn, 28x28x1 (--images 10000, --batch: the experiment default)',
    run: (f, pool) => evalCase({ images: int(f.images, 10000, 'images'), batch: int(f.batch, defaultEvalBatch(), 'batch'), pool }),
  },
  apgd: {
    summary: 'APGD-CE and APGD-T (eps 0.1) on the shipped teacher over the first bundled test images: images per second and accuracy (--images 1000, --batch 250, --steps 100)',
    run: (f) => apgdCase({ images: int(f.images, 1000, 'images'), batch: int(f.batch, 250, 'batch'), steps: int(f.steps, 100, 'steps') }),
  },
  leak: {
    summary: 'RSS and live tensors after a tenth of and all --steps (1000) GACD steps, batch 16, PGD-2 (--train-size 1024)',
    run: (f, pool) => leakCase({ steps: int(f.steps, 1000, 'steps'), batch: int(f.batch, 16, 'batch'), trainSize: int(f['train-size'], 1024, 'train-size'), pool }),
  },
};
