/**
 * The comparison's view model: several runs' curves side by side, and a table of robust
 * accuracies beside only the settings in which the runs differ. Pure, unit-tested in node.
 */
import type { EngineEvent, ModelResults } from '../../src/protocol/events';
import type { RunRef } from '../../src/protocol/webview';
import { applyEvents, emptyModel, type DashboardModel } from '../dashboard/model';

export interface ComparedRun {
  run: RunRef;
  model: DashboardModel;
}

export function foldRuns(runs: ReadonlyArray<{ run: RunRef; events: readonly EngineEvent[] }>): ComparedRun[] {
  return runs.map(({ run, events }) => {
    const model = emptyModel(run);
    applyEvents(model, events);
    return { run, model };
  });
}

/** `{a: {b: 1}, c: [1, 2]}` → `{'a.b': '1', c: '[1,2]'}`: every leaf setting under a dotted key. */
export function flattenSpec(spec: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    for (const [k, v] of Object.entries(spec as Record<string, unknown>)) flattenSpec(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = typeof spec === 'string' ? spec : JSON.stringify(spec);
  }
  return out;
}

/**
 * The settings whose values are not the same in every spec, in the order they first appear. The
 * experiment's name is left out: runs of one experiment share it and the run column names them.
 */
export function differingSettings(specs: readonly unknown[]): string[] {
  const flat = specs.map((s) => flattenSpec(s));
  const keys: string[] = [];
  for (const f of flat) for (const k of Object.keys(f)) if (!keys.includes(k)) keys.push(k);
  return keys.filter((k) => k !== 'name' && new Set(flat.map((f) => f[k] ?? '–')).size > 1);
}

export interface ComparisonTable {
  /** Column headers: run, model, then the differing settings, then one per attack. */
  columns: string[];
  settings: string[];
  attacks: string[];
  rows: Array<{ run: string; model: string; settings: string[]; accuracies: Array<number | null> }>;
}

/** One row per evaluated model of each run (the student and every baseline). */
export function comparisonTable(runs: readonly ComparedRun[]): ComparisonTable {
  const settings = differingSettings(runs.map((r) => r.model.spec));
  const attacks: string[] = [];
  const all: Array<{ run: ComparedRun; result: ModelResults }> = [];
  for (const r of runs) {
    for (const result of r.model.results.values()) {
      all.push({ run: r, result });
      for (const a of result.results) if (!attacks.includes(a.attack)) attacks.push(a.attack);
    }
  }
  const rows = all.map(({ run, result }) => {
    const flat = flattenSpec(run.model.spec);
    return {
      run: run.run.runId,
      model: result.model,
      settings: settings.map((k) => flat[k] ?? '–'),
      accuracies: attacks.map((a) => result.results.find((x) => x.attack === a)?.accuracy ?? null),
    };
  });
  return { columns: ['run', 'model', ...settings, ...attacks], settings, attacks, rows };
}

/** The table as strings, accuracies in percent with one decimal, for display and export alike. */
export function tableCells(t: ComparisonTable): string[][] {
  return t.rows.map((r) => [r.run, r.model, ...r.settings, ...r.accuracies.map((a) => (a === null ? '–' : (a * 100).toFixed(1)))]);
}

/** One configuration's figures over its seeds: mean, sample standard deviation, and how many seeds. */
export interface SeedAggregateRow {
  /** The differing settings other than the seed, as in the comparison table. */
  settings: string[];
  model: string;
  n: number;
  mean: Array<number | null>;
  /** Sample standard deviation (n - 1); null with one seed. */
  std: Array<number | null>;
}

export interface SeedAggregate {
  settings: string[];
  attacks: string[];
  rows: SeedAggregateRow[];
}

/**
 * The comparison table's rows grouped by configuration (every differing setting but the seed)
 * and model, each attack's accuracy as mean ± std over the seeds. Null when no configuration has
 * more than one seed (then there is nothing to aggregate).
 */
export function seedAggregate(t: ComparisonTable): SeedAggregate | null {
  const seedAt = t.settings.indexOf('seed');
  if (seedAt < 0) return null;
  const settings = t.settings.filter((_, i) => i !== seedAt);
  const groups = new Map<string, { settings: string[]; model: string; rows: ComparisonTable['rows'] }>();
  for (const r of t.rows) {
    const own = r.settings.filter((_, i) => i !== seedAt);
    const key = JSON.stringify([own, r.model]);
    const g = groups.get(key) ?? { settings: own, model: r.model, rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  }
  if (![...groups.values()].some((g) => g.rows.length > 1)) return null;
  const rows = [...groups.values()].map((g) => {
    const stats = t.attacks.map((_, j) => {
      const values = g.rows.map((r) => r.accuracies[j]).filter((v): v is number => v !== null);
      if (values.length === 0) return { mean: null, std: null };
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : null;
      return { mean, std };
    });
    return { settings: g.settings, model: g.model, n: g.rows.length, mean: stats.map((s) => s.mean), std: stats.map((s) => s.std) };
  });
  return { settings, attacks: t.attacks, rows };
}

/** The aggregate as strings, `mean ± std` in percent with one decimal. */
export function aggregateCells(a: SeedAggregate): string[][] {
  const cell = (m: number | null, s: number | null) => (m === null ? '–' : s === null ? (m * 100).toFixed(1) : `${(m * 100).toFixed(1)} ± ${(s * 100).toFixed(1)}`);
  return a.rows.map((r) => [r.model, ...r.settings, String(r.n), ...r.mean.map((m, j) => cell(m, r.std[j]))]);
}
