/** The run explorer's pure parts: reading a growing log, a run's summary and status, the tree model. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunLogReader } from '../../src/extension/runs/runLog';
import { headlineResults, summarize } from '../../src/extension/runs/summary';
import { buildTree } from '../../src/extension/runs/treeModel';
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
  const tree = buildTree([a, c, b], [{ id: 'job-7', experiment: 'fixture', target: '/w/x.gacd', kind: 'run' }]);
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
