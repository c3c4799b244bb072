/**
 * The run explorer's tree as plain data: experiments, then their runs newest first, each with the
 * label, description, icon, tooltip and context value the view shows. Pure, unit-tested; the
 * TreeDataProvider (runExplorer.ts) only turns these into `vscode.TreeItem`s.
 */
import type { RunStatus } from '../../protocol/webview';
import { headlineResults, type RunSummary } from './summary';

export interface QueuedRun {
  /** The queue's id for the job. */
  id: string;
  experiment: string;
  /** The file to run, or the run folder to resume. */
  target: string;
  kind: 'run' | 'resume';
}

export interface RunNode {
  kind: 'run';
  id: string;
  label: string;
  description: string;
  tooltip: string;
  status: RunStatus;
  /** A codicon id (`sync~spin`, `pass`, …) and its theme colour id. */
  icon: { id: string; color?: string };
  /** `gacd.run.<status>`: the menus in package.json show the buttons that fit the state. */
  contextValue: string;
  runDir?: string;
  queueId?: string;
}

export interface ExperimentNode {
  kind: 'experiment';
  id: string;
  label: string;
  description: string;
  runs: RunNode[];
}

export const STATUS_ICONS: Record<RunStatus, { id: string; color?: string }> = {
  queued: { id: 'clock' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  finished: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  stopped: { id: 'debug-stop', color: 'charts.orange' },
};

function runNode(s: RunSummary): RunNode {
  const parts: string[] = [];
  if (s.method) parts.push(s.method);
  if (s.status === 'running' && s.current) {
    parts.push(`${Math.round(s.current.fraction * 100)}%`, `${s.current.model} e${s.current.epoch}/${s.current.epochs}`);
  } else if (s.status === 'finished') {
    const h = headlineResults(s);
    if (h) parts.push(h);
  } else if (s.status === 'stopped') {
    parts.push(s.interrupted ? 'interrupted' : 'stopped');
    if (s.current) parts.push(`at ${s.current.model} e${s.current.epoch}/${s.current.epochs}`);
  } else if (s.status === 'failed' && s.error) {
    parts.push(s.error.length > 60 ? `${s.error.slice(0, 57)}…` : s.error);
  }
  const tooltip = [
    `${s.experiment} · ${s.runId}`,
    `status: ${s.status}${s.interrupted ? ' (the engine stopped writing; resume to continue)' : ''}`,
    s.backend && `backend: ${s.backend}`,
    s.method && `method: ${s.method}${s.arch ? ` on ${s.arch}` : ''}`,
    ...s.results.map((r) => `${r.model}: ${r.results.map((x) => `${x.attack} ${(x.accuracy * 100).toFixed(1)}%`).join(', ')}`),
    s.error && `error: ${s.error}`,
    s.runDir,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    kind: 'run',
    id: `run:${s.runDir}`,
    label: s.runId,
    description: parts.join(' · '),
    tooltip,
    status: s.status,
    icon: STATUS_ICONS[s.status],
    contextValue: `gacd.run.${s.status}`,
    runDir: s.runDir,
  };
}

function queuedNode(q: QueuedRun, position: number): RunNode {
  return {
    kind: 'run',
    id: `queued:${q.id}`,
    label: q.kind === 'resume' ? `resume ${q.target.split(/[\\/]/).pop()}` : 'queued run',
    description: `queued · #${position}`,
    tooltip: `Waiting for a free slot (GACD: Max Concurrent Runs): ${q.target}`,
    status: 'queued',
    icon: STATUS_ICONS.queued,
    contextValue: 'gacd.run.queued',
    queueId: q.id,
    runDir: q.kind === 'resume' ? q.target : undefined,
  };
}

/** Experiments by name; in each, queued jobs first, then runs newest first (run ids sort by start time). */
export function buildTree(runs: readonly RunSummary[], queued: readonly QueuedRun[] = []): ExperimentNode[] {
  const byExperiment = new Map<string, { runs: RunSummary[]; queued: Array<[QueuedRun, number]> }>();
  const group = (name: string) => {
    let g = byExperiment.get(name);
    if (!g) byExperiment.set(name, (g = { runs: [], queued: [] }));
    return g;
  };
  for (const r of runs) group(r.experiment).runs.push(r);
  queued.forEach((q, i) => group(q.experiment).queued.push([q, i + 1]));
  return [...byExperiment.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, g]) => {
      const sorted = [...g.runs].sort((a, b) => b.runId.localeCompare(a.runId));
      const running = sorted.filter((r) => r.status === 'running').length;
      const counts = [`${sorted.length} run${sorted.length === 1 ? '' : 's'}`, running ? `${running} running` : '', g.queued.length ? `${g.queued.length} queued` : ''].filter(Boolean);
      return {
        kind: 'experiment' as const,
        id: `experiment:${name}`,
        label: name,
        description: counts.join(' · '),
        runs: [...g.queued.map(([q, i]) => queuedNode(q, i)), ...sorted.map(runNode)],
      };
    });
}
