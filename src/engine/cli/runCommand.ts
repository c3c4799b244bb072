/**
 * `gacd run FILE.gacd`: checks the experiment file, refuses it with every problem when any is an
 * error, else creates a run folder (the file as written, the resolved spec.json) and runs it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../experiment/load';
import type { ExperimentSpec } from '../experiment/schema';
import { createRunDir } from '../run/runDir';
import { executeRun, RunFlags } from './execute';
import { Printer } from './printer';

export async function runCommand(file: string, flags: RunFlags, printer = new Printer()): Promise<number> {
  if (flags['run-id'] !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(flags['run-id'])) {
    printer.error(`--run-id "${flags['run-id']}" is not a folder name`, 'use letters, digits, ".", "_" and "-"');
    return 2;
  }
  const loaded = loadExperiment(path.resolve(file));
  printer.problems(loaded.problems.filter((q) => q.severity !== 'info'));
  if (!loaded.spec || loaded.problems.some((p) => p.severity === 'error')) {
    printer.error(`${file} has errors; nothing was run`, `correct them (gacd check ${file} lists them all)`);
    return 1;
  }
  const spec = absolutePaths(loaded.spec, path.dirname(path.resolve(file)));
  const runsDir = path.resolve(flags['runs-dir'] ?? path.join(path.dirname(path.resolve(file)), '.gacd-runs'));
  const dir = createRunDir(runsDir, spec.name, fs.readFileSync(file, 'utf8'), spec, flags['run-id']);
  return executeRun(spec, dir.root, false, flags);
}

/** Relative paths of the spec made absolute, so spec.json is valid wherever the run is resumed. */
function absolutePaths(spec: ExperimentSpec, base: string): ExperimentSpec {
  const abs = (p: string | null) => (p ? path.resolve(base, p) : p);
  return {
    ...spec,
    data: { ...spec.data, path: abs(spec.data.path) },
    teacher: spec.teacher ? { ...spec.teacher, checkpoint: abs(spec.teacher.checkpoint) } : spec.teacher,
  };
}
