/** The engine process manager's process half, against a fake engine: events, stderr, stop, kill, crash. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { EngineEvent } from '../../src/protocol/events';
import { EngineProcess, engineArgs, type EngineExit } from '../../src/extension/engine/engineProcess';

const FAKE = path.join(__dirname, 'fixtures', 'fake-engine.cjs');

function start(mode: string, o: { stopAfterProgress?: number; stopTimeoutMs?: number; kind?: 'run' | 'resume' } = {}) {
  const events: EngineEvent[] = [];
  const stderr: string[] = [];
  const invalid: string[] = [];
  return new Promise<{ events: EngineEvent[]; stderr: string[]; invalid: string[]; exit: EngineExit; proc: EngineProcess }>((resolve) => {
    const proc: EngineProcess = new EngineProcess(
      { kind: o.kind ?? 'run', target: o.kind === 'resume' ? __dirname : path.join(__dirname, 'x.gacd'), backend: 'wasm' },
      { node: process.execPath, cli: FAKE, env: { FAKE_ENGINE: mode }, stopTimeoutMs: o.stopTimeoutMs ?? 5000 },
      {
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'progress' && o.stopAfterProgress && events.filter((x) => x.type === 'progress').length === o.stopAfterProgress) proc.stop();
        },
        onStderr: (l) => stderr.push(l),
        onInvalid: (l, why) => invalid.push(`${l} (${why})`),
        onExit: (exit) => resolve({ events, stderr, invalid, exit, proc }),
      },
    );
  });
}

test('engineArgs: run with --json, the runs folder and a pinned backend; resume of a folder', () => {
  assert.deepEqual(engineArgs({ kind: 'run', target: '/w/a.gacd', runsDir: '/runs', backend: 'wasm' }), ['run', '/w/a.gacd', '--json', '--runs-dir', '/runs', '--backend', 'wasm']);
  assert.deepEqual(engineArgs({ kind: 'resume', target: '/w/.gacd-runs/a/1', backend: 'auto' }), ['resume', '/w/.gacd-runs/a/1', '--json']);
});

test('a run that finishes: validated events, the run folder from run-start, stderr to the log', async () => {
  const r = await start('finish');
  assert.deepEqual(r.events.map((e) => e.type), ['run-start', 'progress', 'run-end']);
  assert.equal(r.proc.runDir, '/tmp/fake-run');
  assert.match(r.stderr[0], /fake engine: run .*x\.gacd --json --backend wasm/);
  assert.deepEqual([r.exit.status, r.exit.crashed, r.exit.code], ['finished', false, 0]);
});

test('lines that are not events are reported, never passed on', async () => {
  const r = await start('garbage');
  assert.deepEqual(r.events.map((e) => e.type), ['run-start', 'run-end']);
  assert.equal(r.invalid.length, 2);
  assert.match(r.invalid[0], /hello, not json \(not JSON\)/);
  assert.match(r.invalid[1], /stepsPerEpoch/);
});

test('Stop sends SIGINT: the engine checkpoints and exits 130, status stopped', async () => {
  const r = await start('slow', { stopAfterProgress: 3 });
  assert.ok(r.events.some((e) => e.type === 'checkpoint'));
  assert.deepEqual([r.exit.status, r.exit.crashed, r.exit.code], ['stopped', false, 130], JSON.stringify(r.exit) + JSON.stringify(r.events.map((e) => e.type)));
});

test('an engine that ignores SIGINT is killed after the timeout', async () => {
  const t0 = Date.now();
  const r = await start('stubborn', { stopAfterProgress: 2, stopTimeoutMs: 300 });
  assert.equal(r.exit.signal, 'SIGKILL');
  assert.deepEqual([r.exit.status, r.exit.crashed], ['stopped', false]);
  assert.ok(Date.now() - t0 >= 300);
  assert.match(r.stderr.join('\n'), /did not exit 0.3 s after SIGINT: killed/);
});

test('a crash (no run-end, non-zero exit) is reported with the last stderr lines', async () => {
  const r = await start('crash');
  assert.deepEqual([r.exit.status, r.exit.crashed, r.exit.code], ['failed', true, 3]);
  assert.match(r.exit.stderrTail.join('\n'), /out of memory \(simulated\)/);
});

test('resume knows its run folder before the engine says anything', async () => {
  const r = await start('finish', { kind: 'resume' });
  assert.match(r.stderr[0], /fake engine: resume /);
  assert.equal(r.exit.status, 'finished');
});
