/** Summaries of GACD's per-sample weights for the reweighting charts: a histogram and a sample. */
import { Rng } from '../util/rng';

export interface WeightLog {
  weights: number[];
  confidence: number[];
  teacherCorrect: boolean[];
}

export function emptyWeightLog(): WeightLog {
  return { weights: [], confidence: [], teacherCorrect: [] };
}

export function histogram(values: number[], bins: number): { edges: number[]; counts: number[] } {
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  const hi = max > 0 ? max : 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (hi * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v / hi) * bins))]++;
  return { edges, counts };
}

/** Up to `n` (confidence, weight) pairs chosen uniformly at random, reproducibly. */
export function samplePairs(log: WeightLog, n: number, seed: number) {
  const rng = new Rng(seed);
  const order = rng.permutation(log.weights.length).subarray(0, Math.min(n, log.weights.length));
  return Array.from(order, (i) => ({
    confidence: log.confidence[i],
    weight: log.weights[i],
    teacherCorrect: log.teacherCorrect[i],
  }));
}
