/**
 * A named collection of a model's variables: trainable weights and non-trainable buffers
 * (batch-norm running statistics). Names are stable paths like `block1.conv1.kernel`, which is
 * what checkpoints store, so a checkpoint of another architecture is refused by name and shape.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';

export type Init = 'he-normal' | 'glorot-uniform' | 'zeros' | 'ones';

export class Params {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly trainableNames = new Set<string>();
  private readonly rng: Rng;

  constructor(seed: number, readonly prefix = '') {
    this.rng = new Rng(seed);
  }

  /** A trainable weight initialised with `init`; fanIn/fanOut follow the kernel's layout. */
  weight(name: string, shape: number[], init: Init, fan?: { in: number; out: number }): tf.Variable {
    const values = initialValues(this.rng, shape, init, fan);
    return this.add(name, tf.tensor(values, shape), true);
  }

  /** A non-trainable buffer (for example a running mean). */
  buffer(name: string, shape: number[], fill: number): tf.Variable {
    return this.add(name, tf.fill(shape, fill), false);
  }

  private add(name: string, value: tf.Tensor, trainable: boolean): tf.Variable {
    const full = this.prefix + name;
    if (this.vars.has(full)) throw new Error(`duplicate parameter name ${full}`);
    const v = tf.variable(value, trainable, `${full}#${uniqueId++}`);
    value.dispose();
    this.vars.set(full, v);
    if (trainable) this.trainableNames.add(full);
    return v;
  }

  /** Trainable variables in a fixed order (the order they were created). */
  trainable(): tf.Variable[] {
    return [...this.vars.entries()].filter(([n]) => this.trainableNames.has(n)).map(([, v]) => v);
  }

  trainableNamed(): Array<[string, tf.Variable]> {
    return [...this.vars.entries()].filter(([n]) => this.trainableNames.has(n));
  }

  /** Every variable, trainable or not, by name, in creation order. */
  entries(): Array<[string, tf.Variable]> {
    return [...this.vars.entries()];
  }

  get(name: string): tf.Variable | undefined {
    return this.vars.get(name);
  }

  isTrainable(name: string): boolean {
    return this.trainableNames.has(name);
  }

  /** Total number of scalar parameters (trainable only). */
  count(): number {
    return this.trainable().reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

// tfjs needs globally unique variable names; ours are unique per model only.
let uniqueId = 0;

function initialValues(rng: Rng, shape: number[], init: Init, fan?: { in: number; out: number }): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (init === 'zeros') return out;
  if (init === 'ones') return out.fill(1);
  const fanIn = fan?.in ?? shape[0];
  const fanOut = fan?.out ?? shape[shape.length - 1];
  if (init === 'he-normal') {
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < size; i += 2) {
      // Box-Muller: two normals from two uniforms.
      const u = 1 - rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      out[i] = r * Math.cos(2 * Math.PI * v) * std;
      if (i + 1 < size) out[i + 1] = r * Math.sin(2 * Math.PI * v) * std;
    }
    return out;
  }
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}
