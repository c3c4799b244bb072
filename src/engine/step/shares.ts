/**
 * A share is a contiguous slice of a batch's rows that one thread computes. The main thread takes
 * the first (and largest) share, each worker the next ones in order, so that adding the shares'
 * results in that order does not depend on timing.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, SampleWeights } from '../methods/method';

/** Row bounds of `threads` contiguous shares of `n` rows: share i is [bounds[i], bounds[i + 1]). */
export function shareBounds(n: number, threads: number): number[] {
  const per = Math.ceil(n / threads);
  return Array.from({ length: threads + 1 }, (_, i) => Math.min(n, i * per));
}

/** Rows [from, to) of a tensor. */
export function rowSlice<T extends tf.Tensor>(t: T, from: number, to: number): T {
  return tf.slice(t, [from], [to - from]) as T;
}

/** Rows [from, to) of a batch. */
export function rowsOf(batch: Batch, from: number, to: number): Batch {
  return {
    x: rowSlice(batch.x, from, to),
    y: rowSlice(batch.y, from, to),
    labels: batch.labels.subarray(from, to),
    indices: batch.indices.subarray(from, to),
    total: batch.total,
    offset: batch.offset + from,
    noise: batch.noise ? rowSlice(batch.noise, from, to) : null,
  };
}

/** Adds each share's partial sums, in share order. */
export function addSums(parts: Array<Record<string, number> | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Concatenates typed arrays in order. */
export function concatArrays<T extends Float32Array | Uint8Array>(parts: T[], make: (n: number) => T): T {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The shares' sample weights as one batch's, in share order. */
export function concatWeights(parts: SampleWeights[]): SampleWeights {
  return {
    weights: concatArrays(parts.map((p) => p.weights), (n) => new Float32Array(n)),
    confidence: concatArrays(parts.map((p) => p.confidence), (n) => new Float32Array(n)),
    teacherCorrect: concatArrays(parts.map((p) => p.teacherCorrect), (n) => new Uint8Array(n)),
  };
}
