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
