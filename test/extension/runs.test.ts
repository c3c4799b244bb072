/** The run explorer's pure parts: reading a growing log, a run's summary and status, the tree model. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunLogReader } from '../../src/extension/runs/runLog';
import { headlineResults, summarize } from '../../src/extension/runs/summary';
import { buildTree, type RunNode, type SweepNode } from '../../src/extension/runs/treeModel';
import { findSweeps } from '../../src/extension/runs/sweeps';
import { fixtureRun } from '../webview/fixtures';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-ext-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('the log reader returns only new lines, keeps a torn last line, reports invalid ones', () => {
  const file = path.join(work, 'events.jsonl');
  const { events } = fixtureRun();
  const lines = events.slice(0, 4).map((e) => JSON.stringify(e));
  fs.writeFileSync(file, lines[0] + '\n' + lines[1] + '\n' + lines[2].slice(0, 30));
  const r = new RunLogReader(file);
  assert.deepEqual(r.readNew().events.map((e) => e.seq), [0, 1]);
  fs.appendFileSync(file, lines[2].slice(30) + '\n{"seq": 99}\n' + lines[3] + '\n');
  const second = r.readNew();
  assert.deepEqual(second.events.map((e) => e.seq), [2, 3]);
  assert.equal(second.invalid.length, 1);
  assert.deepEqual(r.readNew().events, []);
  fs.writeFileSync(file, lines[0] + '\n');
  const again = r.readNew();
  assert.equal(again.reset, true);
  assert.deepEqual(again.events.map((e) => e.seq), [0]);
  assert.deepEqual(new RunLogReader(path.join(work, 'missing.jsonl')).readNew().events, []);
});

test('status: the last run-end; a live engine; a quiet log is interrupted; an engine that exited', () => {
  const { events, run } = fixtureRun();
  const done = summarize(run.runDir, events, { live: false });
  assert.equal(done.status, 'finished');
  assert.equal(done.method, 'gacd');
  assert.equal(done.results.length, 2);
  assert.equal(headlineResults(done), 'clean 80.0% · cw-20 43.0%');

  const partial = fixtureRun({ finished: false }).events.slice(0, 20);
  assert.equal(summarize(run.runDir, partial, { live: true }).status, 'running');
  const now = Date.now();
  assert.equal(summarize(run.runDir, partial, { live: false, mtimeMs: now - 1000, now }).status, 'running', 'a CLI run still writing');
  const quiet = summarize(run.runDir, partial, { live: false, mtimeMs: now - 10 * 60_000, now });
  assert.deepEqual([quiet.status, quiet.interrupted], ['stopped', true]);
  assert.equal(summarize(run.runDir, partial, { live: false, exited: 'failed' }).status, 'failed');
  const p = summarize(run.runDir, partial, { live: true }).current!;
  assert.equal(p.model, 'student');
  assert.ok(p.fraction > 0 && p.fraction < 1);

  // A stopped run that was resumed is running again; its second end decides.
  const stopped = [...partial, { seq: 100, time: 't', type: 'run-end' as const, status: 'stopped' as const, durationMs: 1 }];
  assert.equal(summarize(run.runDir, stopped, { live: false }).status, 'stopped');
  const resumed = [...stopped, { ...events[0], seq: 101 }];
  assert.equal(summarize(run.runDir, resumed, { live: true }).status, 'running');
  // A folder with no events yet is named after its path.
  const empty = summarize('/w/.gacd-runs/exp/20261125-1', [], { live: true });
  assert.deepEqual([empty.experiment, empty.runId, empty.status], ['exp', '20261125-1', 'running']);
});

test('tree: experiments by name, queued first then newest runs, icons and context values by state', () => {
  const a = summarize('/w/.gacd-runs/fixture/20261125-100000-a', fixtureRun({ runId: '20261125-100000-a' }).events, { live: false });
  const b = summarize('/w/.gacd-runs/fixture/20261125-110000-b', fixtureRun({ runId: '20261125-110000-b', finished: false }).events.slice(0, 30), { live: true });
  const c = summarize('/w/.gacd-runs/other/20261125-090000-c', fixtureRun({ runId: '20261125-090000-c', experiment: 'other', finished: false }).events.slice(0, 10), { live: false, exited: 'stopped' });
  const tree = buildTree([a, c, b], [{ id: 'job-7', experiment: 'fixture', target: '/w/x.gacd', kind: 'run' }]).map((e) => ({ ...e, runs: e.runs as RunNode[] }));
  assert.deepEqual(tree.map((e) => e.label), ['fixture', 'other']);
  assert.equal(tree[0].description, '2 runs · 1 running · 1 queued');
  assert.deepEqual(tree[0].runs.map((r) => [r.label, r.status, r.contextValue, r.icon.id]), [
    ['queued run', 'queued', 'gacd.run.queued', 'clock'],
    ['20261125-110000-b', 'running', 'gacd.run.running', 'sync~spin'],
    ['20261125-100000-a', 'finished', 'gacd.run.finished', 'pass'],
  ]);
  assert.match(tree[0].runs[1].description, /^gacd · \d+% · student e\d\/3$/);
  assert.equal(tree[0].runs[2].description, 'gacd · clean 80.0% · cw-20 43.0%');
  assert.match(tree[0].runs[2].tooltip, /student: clean 80\.0%, fgsm 62\.5%, pgd-20 45\.0%, cw-20 43\.0%/);
  assert.deepEqual([tree[1].runs[0].status, tree[1].runs[0].icon.id], ['stopped', 'debug-stop']);
  assert.match(tree[1].runs[0].description, /interrupted/);
  assert.equal(tree[0].runs[0].queueId, 'job-7');
});

test('tree: a sweep groups its members under one node, with each member\'s state, configuration and Slurm job', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-sweep-tree-'));
  try {
    const exp = path.join(root, '.gacd-runs', 'grid');
    const sweepDir = path.join(exp, 'sweep-abc');
    fs.mkdirSync(path.join(sweepDir, 'members'), { recursive: true });
    const member = (index: number, seed: number) => ({
      index,
      id: `m0${index}`,
      overrides: { seed, 'method.name': 'gacd' },
      configuration: 'method.name=gacd',
      seed,
      file: path.join(sweepDir, 'members', `m0${index}.gacd`),
      runDir: path.join(exp, `sweep-abc-m0${index}`),
      settings: {},
    });
    const manifest = {
      format: 'gacd-sweep-1',
      id: 'abc',
      experiment: 'grid',
      source: path.join(root, 'grid.gacd'),
      created: '2026-11-30T00:00:00Z',
      executor: 'slurm',
      parallel: 2,
      axes: [{ path: 'seed', values: [0, 1], kind: 'grid' }],
      teachers: [],
      members: [member(0, 0), member(1, 1)],
      slurm: { resources: { partition: null, time: null, cpus: null, gpus: null, memory: null, account: null, extra: [] }, submissions: [{ jobId: '42', members: [0, 1], script: 'x.sh', submittedAt: '2026-11-30T00:00:00Z' }] },
    };
    fs.writeFileSync(path.join(sweepDir, 'sweep.json'), JSON.stringify(manifest));
    fs.writeFileSync(path.join(sweepDir, 'members', 'm00.state.json'), JSON.stringify({ state: 'finished', pid: 1, host: 'h', startedAt: 'x', slurmJobId: '42_0' }));
    const started = summarize(path.join(exp, 'sweep-abc-m00'), fixtureRun({ runId: 'sweep-abc-m00', experiment: 'grid' }).events, { live: false });
    const loose = summarize(path.join(exp, '20261125-100000-a'), fixtureRun({ runId: '20261125-100000-a', experiment: 'grid' }).events, { live: false });
    const sweeps = findSweeps([started.runDir, loose.runDir]);
    assert.equal(sweeps.length, 1);
    const tree = buildTree([started, loose], [], sweeps);
    assert.equal(tree.length, 1);
    const [sweep, run] = tree[0].runs as [SweepNode, RunNode];
    assert.equal(sweep.kind, 'sweep');
    assert.equal(sweep.label, 'sweep abc');
    assert.equal(sweep.description, '2 members · 1 finished · Slurm');
    assert.deepEqual(sweep.members.map((m) => [m.label, m.status]), [['m00', 'finished'], ['m01', 'queued']]);
    assert.match(sweep.members[0].description, /^method\.name=gacd · seed 0 · job 42_0 · gacd/);
    assert.match(sweep.members[1].description, /seed 1 · pending/);
    assert.match(sweep.members[1].tooltip, /pending in Slurm job 42_1/);
    assert.equal(run.label, '20261125-100000-a', 'a run outside the sweep stays beside it');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the sweep commands build gacd sweep with the executor and the gacd.slurm.* settings', async () => {
  const { sweepArgs } = await import('../../src/extension/sweepArgs');
  const config = (values: Record<string, unknown>) => (<T>(k: string, d: T) => (values[k] as T) ?? d);
  assert.deepEqual(sweepArgs('/x/cli.js', '/w/grid.gacd', 'local', config({ 'sweep.parallel': 2 }), '/runs'), ['/x/cli.js', 'sweep', '/w/grid.gacd', '--executor', 'local', '--wait', '--yes', '--parallel', '2', '--runs-dir', '/runs']);
  const slurm = sweepArgs('/x/cli.js', '/w/grid.gacd', 'slurm', config({ 'slurm.partition': 'gpu', 'slurm.gpus': 1, 'slurm.time': ' 04:00:00 ' }));
  assert.deepEqual(slurm.slice(3), ['--executor', 'slurm', '--wait', '--yes', '--parallel', '1', '--partition', 'gpu', '--time', '04:00:00', '--gpus', '1']);
});
