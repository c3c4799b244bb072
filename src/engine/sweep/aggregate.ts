/**
 * The sweep's aggregate: members that differ only by their seed make one configuration, and each
 * figure of their results.json (every model's accuracy under each attack, each point of its
 * accuracy-against-epsilon curve, its worst class) becomes the mean and the sample standard
 * deviation over the seeds that finished, with their number.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelResults } from '../../protocol/events';
import type { AggregateFigure, SweepManifest, SweepResults } from '../../protocol/sweep';

/** Mean and sample standard deviation (n - 1 in the denominator; null for fewer than two values). */
export function meanStd(values: readonly number[]): { mean: number; std: number | null; n: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: null, n };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

/** One model's figures as (name, value) pairs, fractions of 1 as results.json holds them. */
export function figuresOf(r: ModelResults): Array<[string, number]> {
  const out: Array<[string, number]> = r.results.map((a) => [a.attack, a.accuracy]);
  for (const p of r.accuracyVsEpsilon) out.push([`pgd-20 @ ${+p.epsilon.toFixed(4)}`, p.accuracy]);
  if (r.worstClass) out.push(['worst class', r.worstClass.accuracy]);
  return out;
}

/** A member's results, or null while it has none. */
export function readRunResults(runDir: string): ModelResults[] | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8')) as { models: ModelResults[] }).models;
  } catch {
    return null;
  }
}

export function aggregate(manifest: SweepManifest, results: (runDir: string) => ModelResults[] | null = readRunResults): SweepResults {
  const groups = new Map<string, number[]>();
  for (const m of manifest.members) groups.set(m.configuration, [...(groups.get(m.configuration) ?? []), m.index]);
  let finished = 0;
  const configurations = [...groups.entries()].map(([configuration, indices]) => {
    const members = indices.map((i) => manifest.members[i]);
    const seeds: number[] = [];
    // Figures keyed by model and name, in the order they first appear.
    const values = new Map<string, { model: string; method: string; figure: string; values: number[] }>();
    for (const m of members) {
      const models = results(m.runDir);
      if (!models) continue;
      finished++;
      seeds.push(m.seed);
      for (const r of models) {
        for (const [figure, v] of figuresOf(r)) {
          const key = `${r.model}\u0000${figure}`;
          if (!values.has(key)) values.set(key, { model: r.model, method: r.method, figure, values: [] });
          values.get(key)!.values.push(v);
        }
      }
    }
    const figures: AggregateFigure[] = [...values.values()].map((f) => ({ model: f.model, method: f.method, figure: f.figure, ...meanStd(f.values) }));
    const overrides = Object.fromEntries(Object.entries(members[0].overrides).filter(([k]) => k !== 'seed'));
    return { configuration, overrides, members: indices, seeds, figures };
  });
  return { sweep: manifest.id, experiment: manifest.experiment, finished, members: manifest.members.length, configurations };
}
