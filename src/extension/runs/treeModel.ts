/**
 * The run explorer's tree as plain data: experiments, then their runs newest first, each with the
 * label, description, icon, tooltip and context value the view shows. Pure, unit-tested; the
 * TreeDataProvider (runExplorer.ts) only turns these into `vscode.TreeItem`s.
 */
import { differingSettings, settingPairs } from '../../protocol/specSettings';
import type { RunStatus } from '../../protocol/webview';
import { headlineResults, type RunSummary } from './summary';
import type { SweepView } from './sweeps';
import { runProgressPhrase, runProgressText } from '../../protocol/eventText';

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

/** A sweep: its members' runs (or a placeholder for a member not started), under its experiment. */
export interface SweepNode {
  kind: 'sweep';
  id: string;
  label: string;
  description: string;
  tooltip: string;
  dir: string;
  contextValue: string;
  members: RunNode[];
}

export interface ExperimentNode {
  kind: 'experiment';
  id: string;
  label: string;
  description: string;
  runs: Array<RunNode | SweepNode>;
}

export const STATUS_ICONS: Record<RunStatus, { id: string; color?: string }> = {
  queued: { id: 'clock' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  finished: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  stopped: { id: 'debug-stop', color: 'charts.orange' },
};

/** How many differing settings a row's description shows (the tooltip shows them all), and how long a value. */
const DESCRIBED_SETTINGS = 3;
const DESCRIBED_VALUE = 16;

/**
 * A run's row. `differing` are the settings in which the runs of its experiment differ: the row
 * says its own values of them first (`method.name=ard seed=1`), so siblings can be told apart.
 */
function runNode(s: RunSummary, differing: readonly string[] = []): RunNode {
  const own = settingPairs(s.spec, differing, DESCRIBED_VALUE);
  const tags = (s.meta?.tags ?? []).map((t) => `#${t}`);
  const parts: string[] = [...own.slice(0, DESCRIBED_SETTINGS), ...tags];
  if (s.method && !differing.includes('method.name')) parts.push(s.method);
  if (s.status === 'running' && s.overall) {
    // The whole run's figure, and what it is doing (training a model, or evaluating one).
    parts.push(runProgressText(s.overall.fraction, s.overall.etaSeconds), runProgressPhrase(s.overall));
  } else if (s.status === 'running' && s.current) {
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
    s.meta?.label ? `${s.meta.label} (${s.experiment} · ${s.runId})` : `${s.experiment} · ${s.runId}`,
    tags.length > 0 && `tags: ${tags.join(' ')}`,
    s.meta?.note && `note: ${s.meta.note}`,
    s.metaError && `meta.json: ${s.metaError}`,
    own.length > 0 && `differs from the other runs of ${s.experiment}: ${settingPairs(s.spec, differing, 60).join(', ')}`,
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
    label: s.meta?.label ?? s.runId,
    description: parts.join(' · '),
    tooltip,
    status: s.status,
    icon: STATUS_ICONS[s.status],
    // `.resumable`: a stopped or failed run with a checkpoint, the only ones that offer Resume.
    contextValue: `gacd.run.${s.status}${(s.status === 'stopped' || s.status === 'failed') && s.hasCheckpoint ? '.resumable' : ''}`,
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

/** A member that has no run folder yet (queued locally, or pending on the cluster). */
function pendingMember(s: SweepView, m: SweepView['members'][number]): RunNode {
  const where = m.slurmJob ? `Slurm job ${m.slurmJob}` : s.executor === 'slurm' ? 'Slurm' : 'the local queue';
  return {
    kind: 'run',
    id: `member:${s.dir}:${m.id}`,
    label: m.id,
    description: [m.configuration, `seed ${m.seed}`, m.state].filter(Boolean).join(' · '),
    tooltip: `${s.experiment} · sweep ${s.id} · member ${m.id}: ${m.state} in ${where}\n${m.runDir}`,
    status: 'queued',
    icon: STATUS_ICONS.queued,
    contextValue: 'gacd.member.pending',
  };
}

/** A sweep's node: each member's run (its summary when it has started), in member order. */
function sweepNode(s: SweepView, byDir: Map<string, RunSummary>): SweepNode {
  const members = s.members.map((m) => {
    const run = byDir.get(m.runDir);
    if (!run) return pendingMember(s, m);
    const node = runNode(run);
    const extra = [m.configuration, `seed ${m.seed}`, m.slurmJob && `job ${m.slurmJob}`].filter(Boolean).join(' · ');
    return { ...node, label: run.meta?.label ?? m.id, description: [extra, node.description].filter(Boolean).join(' · '), tooltip: `${node.tooltip}\nsweep ${s.id}, member ${m.id}${m.slurmJob ? `, Slurm job ${m.slurmJob}` : ''}` };
  });
  const count = (st: RunStatus) => members.filter((n) => n.status === st).length;
  const parts = [`${members.length} members`, `${count('finished')} finished`, count('running') && `${count('running')} running`, count('failed') && `${count('failed')} failed`, s.executor === 'slurm' && 'Slurm'];
  return {
    kind: 'sweep',
    id: `sweep:${s.dir}`,
    label: `sweep ${s.id}`,
    description: parts.filter(Boolean).join(' · '),
    tooltip: `${s.experiment} · sweep ${s.id} (${s.executor})\n${s.dir}`,
    dir: s.dir,
    contextValue: `gacd.sweep.${s.executor}`,
    members,
  };
}

/** Experiments by name; in each, queued jobs first, then sweeps, then runs newest first (run ids sort by start time). */
export function buildTree(runs: readonly RunSummary[], queued: readonly QueuedRun[] = [], sweeps: readonly SweepView[] = []): ExperimentNode[] {
  const byExperiment = new Map<string, { runs: RunSummary[]; queued: Array<[QueuedRun, number]> }>();
  const group = (name: string) => {
    let g = byExperiment.get(name);
    if (!g) byExperiment.set(name, (g = { runs: [], queued: [] }));
    return g;
  };
  // A sweep's members are shown under the sweep, not beside it.
  const inSweep = new Set(sweeps.flatMap((s) => s.members.map((m) => m.runDir)));
  const byDir = new Map(runs.map((r) => [r.runDir, r]));
  const sweepsOf = (name: string) => sweeps.filter((s) => s.experiment === name).map((s) => sweepNode(s, byDir));
  for (const r of runs) if (!inSweep.has(r.runDir)) group(r.experiment).runs.push(r);
  for (const s of sweeps) group(s.experiment);
  queued.forEach((q, i) => group(q.experiment).queued.push([q, i + 1]));
  return [...byExperiment.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, g]) => {
      const sorted = [...g.runs].sort((a, b) => b.runId.localeCompare(a.runId));
      const differing = differingSettings(sorted.map((r) => r.spec));
      const running = sorted.filter((r) => r.status === 'running').length;
      const counts = [`${sorted.length} run${sorted.length === 1 ? '' : 's'}`, running ? `${running} running` : '', g.queued.length ? `${g.queued.length} queued` : ''].filter(Boolean);
      return {
        kind: 'experiment' as const,
        id: `experiment:${name}`,
        label: name,
        description: counts.join(' · '),
        runs: [...g.queued.map(([q, i]) => queuedNode(q, i)), ...sweepsOf(name), ...sorted.map((r) => runNode(r, differing))],
      };
    });
}
