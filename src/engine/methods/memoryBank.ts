/**
 * A momentum memory bank of unit-length embeddings, one row per training sample, as CRD keeps it.
 * It lives in a plain Float32Array: updates touch a batch of rows and the negatives are a gather,
 * both cheap in JS, and the array goes into checkpoints as it is.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';

export class MemoryBank {
  private rows: Float32Array | null = null;

  constructor(readonly size: number, readonly dim: number, private readonly momentum: number, private readonly seed: number) {}

  /** The bank's rows, made on first use (a method that never draws negatives does not pay for them). */
  get values(): Float32Array {
    if (!this.rows) {
      this.rows = new Float32Array(this.size * this.dim);
      // CRD initialises uniformly in [-stdv, stdv] with stdv = 1 / sqrt(dim / 3).
      const rng = new Rng(this.seed);
      const stdv = 1 / Math.sqrt(this.dim / 3);
      for (let i = 0; i < this.rows.length; i++) this.rows[i] = (rng.next() * 2 - 1) * stdv;
    }
    return this.rows;
  }

  /** Rows `idx` as a [idx.length, dim] tensor. */
  gather(idx: Int32Array): tf.Tensor2D {
    const out = new Float32Array(idx.length * this.dim);
    const values = this.values;
    for (let k = 0; k < idx.length; k++) {
      out.set(values.subarray(idx[k] * this.dim, (idx[k] + 1) * this.dim), k * this.dim);
    }
    return tf.tensor2d(out, [idx.length, this.dim]);
  }

  /** row <- normalise(momentum * row + (1 - momentum) * embedding), for each sample of the batch. */
  update(indices: Int32Array, embeddings: Float32Array): void {
    const d = this.dim;
    const values = this.values;
    for (let b = 0; b < indices.length; b++) {
      const row = values.subarray(indices[b] * d, (indices[b] + 1) * d);
      let norm = 0;
      for (let k = 0; k < d; k++) {
        row[k] = this.momentum * row[k] + (1 - this.momentum) * embeddings[b * d + k];
        norm += row[k] * row[k];
      }
      const inv = 1 / Math.sqrt(norm + 1e-12);
      for (let k = 0; k < d; k++) row[k] *= inv;
    }
  }
}
