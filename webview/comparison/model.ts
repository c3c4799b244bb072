/**
 * The comparison's view model: several runs' curves side by side, and a table of robust
 * accuracies beside only the settings in which the runs differ. Pure, unit-tested in node.
 */
import type { EngineEvent, ModelResults } from '../../src/protocol/events';
import type { RunRef } from '../../src/protocol/webview';
import type { CheckpointEvaluation } from '../../src/protocol/checkpointEvaluation';
import { differingSettings, flattenSpec, settingValue } from '../../src/protocol/specSettings';
import { applyEvents, checkpointEvaluationTable, emptyModel, setCheckpointEvaluations, type DashboardModel } from '../dashboard/model';

export interface ComparedRun {
  run: RunRef;
  model: DashboardModel;
  /** Each evaluated model's weights' sha256, from its model card, when the host found one. */
  weights?: Record<string, string>;
}

export function foldRuns(
  runs: ReadonlyArray<{ run: RunRef; events: readonly EngineEvent[]; weights?: Record<string, string>; checkpointEvaluations?: readonly CheckpointEvaluation[] }>,
): ComparedRun[] {
  return runs.map(({ run, events, weights, checkpointEvaluations }) => {
    const model = emptyModel(run);
    applyEvents(model, events);
    setCheckpointEvaluations(model, checkpointEvaluations ?? []);
    return { run, model, weights };
  });
}

/**
 * Every run's evaluated checkpoints (Evaluate Checkpoint) in one table: the dashboard's table with
 * the run's name first, a column per attack any of them ran, runs in the comparison's order.
 */
export function comparedCheckpointEvaluations(runs: readonly ComparedRun[]): {
  attacks: string[];
  rows: Array<ReturnType<typeof checkpointEvaluationTable>['rows'][number] & { run: string }>;
} {
  const names = runNames(runs);
  const owners = runs.flatMap((r, i) => r.model.checkpointEvaluations.map(() => names[i]));
  const t = checkpointEvaluationTable(runs.flatMap((r) => r.model.checkpointEvaluations));
  return { attacks: t.attacks, rows: t.rows.map((row, i) => ({ run: owners[i], ...row })) };
}

export { differingSettings, flattenSpec };

/**
 * What each run is called in legends, the table and exports: its label, else its run id; runs
 * that share a label are told apart by their run ids.
 */
export function runNames(runs: readonly ComparedRun[]): string[] {
  const named = runs.map((r) => r.run.label ?? r.run.runId);
  const taken = (n: string) => named.filter((m) => m === n).length > 1;
  return runs.map((r, i) => (r.run.label && taken(named[i]) ? `${named[i]} (${r.run.runId})` : named[i]));
}

/** A row's run cell: the run's name, or how many runs share the row and which. */
export function sharedName(names: readonly string[]): string {
  return names.length === 1 ? names[0] : `${names.length} runs: ${names.join(', ')}`;
}

/** Teachers are references, not contenders: the best of a column is chosen among the other models. */
export function isContender(model: string): boolean {
  return model !== 'teacher' && !model.startsWith('teacher:');
}

export interface ComparisonRow {
  /** The run cell: one run's name, or the runs that share the row (`sharedName`). */
  run: string;
  /** The names of the runs whose row this is (more than one when they share weights and figures). */
  runs: string[];
  model: string;
  /** Each differing setting's value; empty where the runs sharing the row disagree. */
  settings: string[];
  accuracies: Array<number | null>;
}

export interface ComparisonTable {
  /** Column headers: run, model, then the differing settings, then one per attack. */
  columns: string[];
  settings: string[];
  attacks: string[];
  rows: ComparisonRow[];
  /** Per attack column, the best contender's accuracy (teachers left out); null with fewer than two contenders. */
  best: Array<number | null>;
}

/**
 * One row per evaluated model of each run (the student, every baseline, the teachers). A model
 * with the same weights (its card's sha256) and the same figures in several runs, such as a
 * teacher they all load, is one row that says how many runs share it.
 */
export function comparisonTable(runs: readonly ComparedRun[]): ComparisonTable {
  const settings = differingSettings(runs.map((r) => r.model.spec));
  const names = runNames(runs);
  const attacks: string[] = [];
  const all: Array<{ run: ComparedRun; name: string; result: ModelResults }> = [];
  runs.forEach((r, i) => {
    for (const result of r.model.results.values()) {
      all.push({ run: r, name: names[i], result });
      for (const a of result.results) if (!attacks.includes(a.attack)) attacks.push(a.attack);
    }
  });
  const groups = new Map<string, typeof all>();
  all.forEach((x, i) => {
    const sha = x.run.weights?.[x.result.model];
    const key = sha ? JSON.stringify([sha, x.result.model, x.result.results.map((a) => [a.attack, a.accuracy]), x.result.accuracyVsEpsilon ?? []]) : `row ${i}`;
    groups.set(key, [...(groups.get(key) ?? []), x]);
  });
  const rows = [...groups.values()].map((members): ComparisonRow => {
    const runNamesOf = [...new Set(members.map((m) => m.name))];
    const { result } = members[0];
    return {
      run: sharedName(runNamesOf),
      runs: runNamesOf,
      model: result.model,
      settings: settings.map((k) => {
        const values = new Set(members.map((m) => settingValue(m.run.model.spec, k) ?? '–'));
        return values.size === 1 ? [...values][0] : '';
      }),
      accuracies: attacks.map((a) => result.results.find((x) => x.attack === a)?.accuracy ?? null),
    };
  });
  return { columns: ['run', 'model', ...settings, ...attacks], settings, attacks, rows, best: bestContenders(rows, attacks.length) };
}

/** Per column, the highest accuracy among the rows that are not teachers (two rows at least). */
export function bestContenders(rows: readonly ComparisonRow[], columns: number): Array<number | null> {
  const contenders = rows.filter((r) => isContender(r.model));
  return Array.from({ length: columns }, (_, j) => {
    const values = contenders.map((r) => r.accuracies[j]).filter((v): v is number => v !== null);
    return values.length > 1 ? Math.max(...values) : null;
  });
}

/** Whether a row's accuracy in attack column `j` is the column's best (ties are all best). */
export function isBest(t: ComparisonTable, row: number, j: number): boolean {
  const r = t.rows[row];
  return r !== undefined && t.best[j] !== null && isContender(r.model) && r.accuracies[j] === t.best[j];
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
export function seedAggregate(t: Pick<ComparisonTable, 'settings' | 'attacks'> & { rows: ReadonlyArray<Pick<ComparisonRow, 'model' | 'settings' | 'accuracies'>> }): SeedAggregate | null {
  const seedAt = t.settings.indexOf('seed');
  if (seedAt < 0) return null;
  const settings = t.settings.filter((_, i) => i !== seedAt);
  const groups = new Map<string, { settings: string[]; model: string; rows: Array<(typeof t.rows)[number]> }>();
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
