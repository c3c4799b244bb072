import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadExperiment } from '../../src/engine/experiment/load';
import type { LoadResult } from '../../src/engine/experiment/load';
import type { Problem } from '../../src/engine/experiment/problems';

export const fixtures = path.join(__dirname, 'fixtures');

/** A fresh workspace folder (with a .git marker) that the test removes itself. */
export function tempWorkspace(): { root: string; cleanup: () => void } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-exp-')));
  fs.mkdirSync(path.join(root, '.git'));
  return { root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The smallest valid experiment; tests add or replace lines. */
export const MINIMAL = `data:
  dataset: fashion-mnist-mini
student:
  model: tiny-cnn
method:
  name: pgd-at
`;

/** Loads `text` as if it were `<root>/exp.gacd` in a workspace at `root`. */
export function check(text: string, root = '/nonexistent-ws'): LoadResult {
  return loadExperiment(path.join(root, 'exp.gacd'), { text, workspaceRoot: root });
}

export function errors(r: LoadResult): Problem[] {
  return r.problems.filter((p) => p.severity === 'error');
}

export function byCode(r: LoadResult, code: string): Problem[] {
  return r.problems.filter((p) => p.code === code);
}

/** The text of `line` (1-based) from column to endColumn, to check that a range covers what it should. */
export function covered(text: string, p: Problem): string {
  const line = text.split('\n')[p.line - 1];
  return p.endLine === p.line ? line.slice(p.column - 1, p.endColumn - 1) : line.slice(p.column - 1);
}
