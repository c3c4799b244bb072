/** The command line as a user meets it: exit codes, messages without stack traces, --json events, stop and resume. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineEvent, engineEvent } from '../../src/protocol/events';
import { loadExperiment } from '../../src/engine/experiment/load';
import { experimentSchema } from '../../src/engine/experiment/schema';
import { ROOT, TEACHER_CHECKPOINT } from './paths';

const GACD = path.join(ROOT, 'bin', 'gacd.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-cli-'));
fs.writeFileSync(path.join(work, 'package.json'), '{}'); // the workspace root for path checks
after(() => fs.rmSync(work, { recursive: true, force: true }));

function gacd(args: string[]) {
  return spawnSync(process.execPath, [GACD, ...args], { cwd: work, encoding: 'utf8' });
}

function write(name: string, text: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return file;
}

const tiny = (epochs: number) => `name: cli-tiny
seed: 1
allow_outside_workspace: true
data:
  dataset: fashion-mnist-mini
  train_size: 512
  test_size: 50
teacher:
  model: small-cnn
  checkpoint: ${TEACHER_CHECKPOINT}
student:
  model: tiny-cnn
method:
  name: gacd
  negatives: 128
training:
  epochs: ${epochs}
  batch_size: 64
  attack:
    steps: 2
evaluation:
  attacks: [clean, pgd-5]
  epsilons: [0]
`;

test('check: a good file exits 0; a bad one prints FILE:LINE:COL problems with fixes and exits 1', () => {
  const good = write('good.gacd', tiny(1));
  assert.equal(gacd(['check', good]).status, 0);
  const bad = write('bad.gacd', 'data:\n  dataset: fashion-mnist-mini\n  trian_size: 5\nstudent:\n  model: tiny-cnn\nmethod:\n  name: pgd-at\ntraining:\n  attack:\n    epsilon: 8\n');
  const r = gacd(['check', bad]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:3: error: .*trian_size.*\\(fix: .*train_size`));
  assert.match(r.stdout, /:10:14: error: .*epsilon.*\(fix: .*8\/255/);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
});

test('run refuses a malformed file before doing anything, naming the line', () => {
  const bad = write('malformed.gacd', 'data:\n  dataset: [fashion-mnist-mini\nstudent: {model: tiny-cnn}\n');
  const r = gacd(['run', bad]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /malformed\.gacd:\d+:\d+: error:/);
  assert.match(r.stderr, /nothing was run/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.ok(!fs.existsSync(path.join(work, '.gacd-runs', 'malformed')));
});

test('unknown commands and missing arguments print the usage and exit 2', () => {
  const r = gacd(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
  assert.match(r.stderr, /usage:/);
});

test('run --json prints only events, the first naming the backend; resume of a finished run is refused', () => {
  const file = write('json.gacd', tiny(1));
  const r = gacd(['run', file, '--json', '--runs-dir', path.join(work, 'runs-json')]);
  assert.equal(r.status, 0, r.stderr);
  const events = r.stdout.trim().split('\n').map((l) => engineEvent.parse(JSON.parse(l)));
  assert.equal(events[0].type, 'run-start');
  assert.equal(events[0].type === 'run-start' && events[0].backend, 'wasm');
  const end = events[events.length - 1];
  assert.ok(end.type === 'run-end' && end.status === 'finished');
  const runDir = events[0].type === 'run-start' ? events[0].runDir : '';
  const logged = fs.readFileSync(path.join(runDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(logged, events.map((e) => JSON.parse(JSON.stringify(e))));
  const again = gacd(['resume', runDir]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already finished/);
});

test('the human output starts with the backend and ends with the robustness table', () => {
  const file = write('human.gacd', tiny(1));
  const r = gacd(['run', file, '--runs-dir', path.join(work, 'runs-human')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.split('\n')[0], /^gacd \S+ · backend wasm: /);
  assert.match(r.stdout, /model\s+method\s+arch\s+clean\s+pgd-5/);
  assert.match(r.stdout, /student\s+gacd\s+tiny-cnn/);
});

const literally = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('the resolved spec that run writes to spec.json is valid input to the schema and comes back unchanged', () => {
  const spec = JSON.parse(JSON.stringify(loadExperiment(write('resolved.gacd', tiny(1))).spec));
  assert.deepEqual(JSON.parse(JSON.stringify(experimentSchema.parse(spec))), spec);
});

test('resume refuses an invalid or torn spec.json, naming the file, the field and the fix', () => {
  const spec = JSON.parse(JSON.stringify(loadExperiment(write('bad-spec.gacd', tiny(1))).spec));
  const runDir = path.join(work, 'runs-bad-spec', 'cli-tiny', 'run');
  fs.mkdirSync(path.join(runDir, 'checkpoints'), { recursive: true });
  const specFile = path.join(runDir, 'spec.json');
  spec.training.attack.steps = 0;
  spec.training.lrr = 0.1;
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2));
  const r = gacd(['resume', runDir]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`${literally(specFile)}:\\d+:\\d+: error: training\\.attack\\.steps must be at least 1, not 0`));
  assert.match(r.stderr, new RegExp(`${literally(specFile)}:\\d+:\\d+: error: training\\.lrr: unknown key "lrr" in training.*\\(fix: .*\\blr\\b`));
  assert.match(r.stderr, /gacd: error: .*spec\.json is not a valid experiment spec, so the run was not resumed \(fix: correct the fields named above in spec\.json/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');

  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2).slice(0, 300));
  const torn = gacd(['resume', runDir]);
  assert.equal(torn.status, 1);
  assert.match(torn.stderr, new RegExp(`${literally(specFile)}:\\d+:\\d+: error: `));
  assert.match(torn.stderr, /not a valid experiment spec/);
});

/** Starts a run, waits for `progressEvents` progress events, then sends `signal`. */
function runAndSignal(file: string, runsDir: string, signal: NodeJS.Signals, progressEvents: number): Promise<{ code: number | null; events: EngineEvent[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GACD, 'run', file, '--json', '--runs-dir', runsDir], { cwd: work });
    const events: EngineEvent[] = [];
    let buffer = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const e = engineEvent.parse(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
        events.push(e);
        if (!sent && events.filter((x) => x.type === 'progress').length >= progressEvents) {
          sent = true;
          child.kill(signal);
        }
      }
    });
    child.on('exit', (code) => resolve({ code, events }));
  });
}

test('SIGINT stops after a checkpoint; resume finishes the run', async () => {
  const file = write('stop.gacd', tiny(2));
  const { code, events } = await runAndSignal(file, path.join(work, 'runs-stop'), 'SIGINT', 3);
  assert.equal(code, 130);
  assert.ok(events.some((e) => e.type === 'checkpoint'));
  const end = events[events.length - 1];
  assert.ok(end.type === 'run-end' && end.status === 'stopped');
  const runDir = events[0].type === 'run-start' ? events[0].runDir : '';
  // The editor's label file in the run folder (meta.json): the engine ignores it and leaves it be.
  const meta = '{ "label": "stopped once", "tags": ["cli"] }\n';
  fs.writeFileSync(path.join(runDir, 'meta.json'), meta);
  const r = gacd(['resume', runDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"type":"run-end","status":"finished"|"status":"finished"/);
  assert.ok(fs.existsSync(path.join(runDir, 'results.json')));
  assert.equal(fs.readFileSync(path.join(runDir, 'meta.json'), 'utf8'), meta);
});

test('an engine killed outright (SIGKILL) resumes from its last checkpoint', async () => {
  const file = write('kill.gacd', tiny(2));
  // 8 steps an epoch: kill during the second epoch, after the first epoch's checkpoint.
  const { code, events } = await runAndSignal(file, path.join(work, 'runs-kill'), 'SIGKILL', 10);
  assert.equal(code, null);
  const runDir = events[0].type === 'run-start' ? events[0].runDir : '';
  assert.ok(!fs.existsSync(path.join(runDir, 'results.json')));
  const r = gacd(['resume', runDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const resumedEvents = r.stdout.trim().split('\n').map((l) => engineEvent.parse(JSON.parse(l)));
  const firstEpoch = resumedEvents.find((e) => e.type === 'epoch' && e.model === 'student');
  assert.ok(firstEpoch && firstEpoch.type === 'epoch' && firstEpoch.epoch === 2, 'training continues at epoch 2');
});
