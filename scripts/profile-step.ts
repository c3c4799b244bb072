/**
 * Per-kernel profile of one PGD-10 adversarial training step on the wasm backend (one thread),
 * built from the engine's own pieces exactly as `gacd bench` builds it (benchTrainingStep):
 * buildModel, the pgd-at method, Sgd with momentum 0.9 and weight decay 5e-4, trainStep.
 *
 *   node --import tsx scripts/profile-step.ts --model small-cnn [--shape 28x28x1] [--batch 128]
 *   node --import tsx scripts/profile-step.ts --model preact-resnet18 [--shape 32x32x3] [--batch 32]
 *   options: --steps N (timed steps after one warm-up), --pgd-steps N (10), --top N, --by-shape (one row per kernel
 *   and input shapes), --json (one JSON object per configuration)
 *
 * Timing: every kernel registered for 'wasm' is wrapped with a timer. Wasm kernels are synchronous,
 * so the wall time around kernelFunc is the kernel's time. Only calls made by the engine are timed;
 * a kernel that one of our kernels calls itself (through runWasm) counts in its caller's time, so
 * the rows add up to the time spent in kernels. What is left of the step is the engine's own work
 * in JavaScript (tape, tidy, reference counts) and the glue in trainStep.
 *
 * FLOPs: the multiply-adds of the convolutions and matrix products (2 per multiply-add), counted
 * from the shapes each call gets; the elementwise kernels are left out (a few per element).
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backend/select';
import { pgdAt } from '../src/engine/methods/pgdAt';
import { ImageShape } from '../src/engine/models/model';
import { buildModel } from '../src/engine/models/registry';
import { Sgd } from '../src/engine/step/sgd';
import { trainStep } from '../src/engine/step/trainStep';
import { Rng } from '../src/engine/util/rng';

interface Row {
  key: string;
  calls: number;
  ms: number;
  flops: number;
}

interface Options {
  model: string;
  shapes: ImageShape[];
  batch: number;
  steps: number;
  top: number;
  byShape: boolean;
  json: boolean;
  /** PGD steps of the attack (10 unless told: fewer for a quicker look at the same kernels). */
  pgdSteps: number;
}

function parseArgs(argv: string[]): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const boolean = a === '--by-shape' || a === '--json';
    flags.set(a.slice(2), boolean ? 'true' : argv[++i]);
  }
  const model = flags.get('model') ?? 'small-cnn';
  const resnet = model !== 'small-cnn' && model !== 'tiny-cnn';
  const shapes: ImageShape[] = flags.has('shape')
    ? [flags.get('shape')!.split('x').map(Number) as ImageShape]
    : resnet
      ? [[32, 32, 3]]
      : [
          [28, 28, 1],
          [32, 32, 3],
        ];
  return {
    model,
    shapes,
    batch: Number(flags.get('batch') ?? (resnet ? 32 : 128)),
    steps: Number(flags.get('steps') ?? (resnet ? 2 : 3)),
    top: Number(flags.get('top') ?? 10),
    byShape: flags.has('by-shape'),
    json: flags.has('json'),
    pgdSteps: Number(flags.get('pgd-steps') ?? 10),
  };
}

/** Multiply-adds x 2 of a convolution or matrix product, from its inputs and attributes. */
function flopsOf(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, out: tf.TensorInfo | tf.TensorInfo[]): number {
  const shape = (t: tf.TensorInfo | undefined) => t?.shape ?? [];
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const first = Array.isArray(out) ? out[0] : out;
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D': {
      const [kh, kw, ci] = shape(inputs.filter);
      return 2 * size(first.shape) * kh * kw * ci;
    }
    case 'Conv2DBackpropInput': {
      const [kh, kw, ci] = shape(inputs.filter);
      return 2 * size(shape(inputs.dy)) * kh * kw * ci;
    }
    case 'Conv2DBackpropFilter': {
      const [kh, kw, ci] = (attrs.filterShape as number[]) ?? [0, 0, 0];
      return 2 * size(shape(inputs.dy)) * kh * kw * ci;
    }
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2D': {
      const [kh, kw] = shape(inputs.filter);
      return 2 * size(first.shape) * kh * kw;
    }
    case 'DepthwiseConv2dNativeBackpropInput':
    case 'DepthwiseConv2dNativeBackpropFilter': {
      const f = name.endsWith('Input') ? shape(inputs.filter) : ((attrs.filterShape as number[]) ?? [0, 0]);
      return 2 * size(shape(inputs.dy)) * f[0] * f[1];
    }
    case 'BatchMatMul':
    case '_FusedMatMul': {
      const a = shape(inputs.a);
      const inner = attrs.transposeA ? a[a.length - 2] : a[a.length - 1];
      return 2 * size(first.shape) * inner;
    }
    default:
      return 0;
  }
}

/** Wraps every wasm kernel with a timer; returns the table and a function that unwraps them. */
function instrument(byShape: boolean): { rows: Map<string, Row>; restore: () => void } {
  const rows = new Map<string, Row>();
  const originals = tf.getKernelsForBackend('wasm');
  let depth = 0;
  for (const config of originals) {
    const inner = config.kernelFunc;
    const name = config.kernelName;
    const kernelFunc: tf.KernelFunc = (args) => {
      if (depth > 0) return inner(args);
      depth++;
      const t0 = performance.now();
      let out: ReturnType<tf.KernelFunc>;
      try {
        out = inner(args);
      } finally {
        depth--;
      }
      const ms = performance.now() - t0;
      const inputs = args.inputs;
      const key = byShape
        ? `${name} ${Object.values(inputs)
            .map((t) => (t ? `[${t.shape.join(',')}]` : '-'))
            .join(' ')}${args.attrs?.strides ? ` s${String(args.attrs.strides)}` : ''}`
        : name;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { key, calls: 0, ms: 0, flops: 0 }));
      row.calls++;
      row.ms += ms;
      row.flops += flopsOf(name, inputs, args.attrs ?? {}, out as tf.TensorInfo | tf.TensorInfo[]);
      return out;
    };
    tf.unregisterKernel(name, 'wasm');
    // No setupFunc: the backend already ran it when it started, and the wrapped function uses it.
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, disposeFunc: config.disposeFunc });
  }
  const restore = () => {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel(config);
    }
  };
  return { rows, restore };
}

interface Profile {
  model: string;
  shape: string;
  batch: number;
  pgdSteps: number;
  steps: number;
  stepMs: number;
  /** CPU time of this process over wall time: well under 1 when other processes share the cores. */
  cpuShare: number;
  kernelMs: number;
  gflop: number;
  rows: Array<Row & { msPerStep: number; share: number; gflops: number }>;
}

function profile(o: Options, shape: ImageShape): Profile {
  const { batch, steps } = o;
  const model = buildModel(o.model, { inputShape: shape, numClasses: 10, seed: 1 });
  const attack = { epsilon: 8 / 255, stepSize: 2 / 255, steps: o.pgdSteps, randomStart: true };
  const method = pgdAt({ student: model, teacher: null, teachers: {}, settings: {}, attack, trainSize: batch, trainLabels: new Int32Array(batch), numClasses: 10, seed: 1 });
  const sgd = new Sgd(model.params.trainableNamed(), { momentum: 0.9, weightDecay: 5e-4 });
  const rng = new Rng(1);
  const size = shape[0] * shape[1] * shape[2];
  const images = new Float32Array(batch * size).map(() => rng.next());
  const labels = new Int32Array(batch).map(() => rng.int(10));
  const b = { images, labels, indices: new Int32Array(batch).map((_, i) => i), size: batch };
  // Warm-up: XNNPACK builds (and caches) its operators on the first call of each shape.
  const options = { startNoise: { kind: 'uniform', epsilon: attack.epsilon } as const };
  trainStep(model, method, sgd, b, 0.01, rng, options);
  const { rows, restore } = instrument(o.byShape);
  let stepMs: number;
  let cpuShare: number;
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) trainStep(model, method, sgd, b, 0.01, rng, options);
    stepMs = (performance.now() - t0) / steps;
    const cpu = process.cpuUsage(cpu0);
    cpuShare = (cpu.user + cpu.system) / 1000 / steps / stepMs;
  } finally {
    restore();
    sgd.dispose();
    model.params.dispose();
  }
  const all = [...rows.values()].sort((a, c) => c.ms - a.ms);
  const kernelMs = all.reduce((s, r) => s + r.ms, 0) / steps;
  const flops = all.reduce((s, r) => s + r.flops, 0) / steps;
  return {
    model: o.model,
    shape: shape.join('x'),
    batch,
    pgdSteps: o.pgdSteps,
    steps,
    stepMs,
    cpuShare,
    kernelMs,
    gflop: flops / 1e9,
    rows: all.map((r) => ({
      ...r,
      msPerStep: r.ms / steps,
      share: r.ms / steps / stepMs,
      gflops: r.flops > 0 ? r.flops / r.ms / 1e6 : 0,
    })),
  };
}

function print(p: Profile, top: number): void {
  const lines: string[] = [];
  lines.push(
    `${p.model} ${p.shape} batch ${p.batch}, PGD-${p.pgdSteps}: ${p.stepMs.toFixed(0)} ms/step (${((p.batch * 1000) / p.stepMs).toFixed(1)} img/s), ` +
      `kernels ${p.kernelMs.toFixed(0)} ms (${((100 * p.kernelMs) / p.stepMs).toFixed(0)}%), ` +
      `${p.gflop.toFixed(2)} GFLOP in conv/matmul = ${(p.gflop / (p.stepMs / 1000)).toFixed(1)} GFLOP/s over the step (mean of ${p.steps} steps, ` +
      `process CPU ${(100 * p.cpuShare).toFixed(0)}% of wall time)`,
  );
  const width = Math.max(6, ...p.rows.slice(0, top).map((r) => r.key.length));
  lines.push(`  ${'kernel'.padEnd(width)}  calls   ms/step  share  GFLOP/s`);
  for (const r of p.rows.slice(0, top)) {
    lines.push(
      `  ${r.key.padEnd(width)}  ${String(r.calls / p.steps).padStart(5)}  ${r.msPerStep.toFixed(1).padStart(8)}  ${(100 * r.share).toFixed(1).padStart(4)}%  ${r.gflops ? r.gflops.toFixed(1).padStart(7) : '      -'}`,
    );
  }
  const rest = p.rows.slice(top);
  const restMs = rest.reduce((s, r) => s + r.msPerStep, 0);
  lines.push(`  ${`(${rest.length} other kernels)`.padEnd(width)}  ${''.padStart(5)}  ${restMs.toFixed(1).padStart(8)}  ${((100 * restMs) / p.stepMs).toFixed(1).padStart(4)}%`);
  const outside = p.stepMs - p.kernelMs;
  lines.push(`  ${'(outside kernels)'.padEnd(width)}  ${''.padStart(5)}  ${outside.toFixed(1).padStart(8)}  ${((100 * outside) / p.stepMs).toFixed(1).padStart(4)}%`);
  process.stdout.write(lines.join('\n') + '\n\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const info = await selectBackend('wasm');
  if (!o.json) process.stdout.write(`${info.detail}\n\n`);
  for (const shape of o.shapes) {
    const p = profile(o, shape);
    if (o.json) process.stdout.write(JSON.stringify({ ...p, rows: p.rows.slice(0, o.top) }) + '\n');
    else print(p, o.top);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
