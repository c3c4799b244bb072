/** Shared by the sweep tests: a scratch workspace, a tiny experiment, and the CLI as a user runs it. */
import { spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../engine/paths';

export { ROOT };
export const GACD = path.join(ROOT, 'bin', 'gacd.js');

/** A folder with a package.json (the workspace root that path checks stop at). */
export function scratch(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.writeFileSync(path.join(dir, 'package.json'), '{}');
  return dir;
}

/**
 * An experiment small enough that a member takes a couple of seconds: 120 training images, one
 * epoch of tiny-cnn, clean and FGSM on 100 test images. `extra` is appended (a sweep: block).
 */
export function tinyExperiment(extra: string, o: { name?: string; epochs?: number; trainSize?: number; batch?: number } = {}): string {
  return `name: ${o.name ?? 'tiny'}
seed: 0
workers: 1
data:
  dataset: fashion-mnist-mini
  train_size: ${o.trainSize ?? 120}
  test_size: 100
  validation_size: 20
student:
  model: tiny-cnn
method:
  name: natural
training:
  epochs: ${o.epochs ?? 1}
  batch_size: ${o.batch ?? 32}
  attack:
    steps: 2
evaluation:
  attacks: [clean, fgsm]
  epsilons: [0]
${extra}`;
}

export function gacd(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [GACD, ...args], { cwd, encoding: 'utf8', env });
}

/** The same, without blocking the test (a sweep in the background). */
export function gacdAsync(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GACD, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The sweep folder a `gacd sweep` printed ("... in DIR"). */
export function sweepDirOf(stdout: string): string {
  const m = stdout.match(/members \((?:local|slurm)\) in (\S+)/);
  if (!m) throw new Error(`no sweep folder in:\n${stdout}`);
  return m[1];
}

/** Waits until `ok()` holds, polling; fails with `what` after `ms`. */
export async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The bytes of a run's final checkpoint of the student (its last epoch, completed). */
export function finalWeights(runDir: string): Buffer {
  const pointer = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', 'student.json'), 'utf8')) as { path: string; completed: boolean };
  if (!pointer.completed) throw new Error(`${runDir}: the student did not finish`);
  return fs.readFileSync(path.join(runDir, 'checkpoints', pointer.path, 'tensors.bin'));
}
