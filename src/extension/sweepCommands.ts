/**
 * Run Sweep and Submit Sweep to Slurm: `gacd sweep FILE` in a terminal of its own, where its queue
 * (local) or its submission and `--wait` (Slurm) print as they would at a shell. The members run
 * into ordinary run folders, so the run explorer shows them under the sweep as they start.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSettings } from './engine/settings';
import { sweepArgs } from './sweepArgs';

/** Whether `sbatch` is on the PATH (the Slurm command is offered only then). */
export function hasSbatch(): boolean {
  try {
    execFileSync(process.platform === 'win32' ? 'where' : 'which', ['sbatch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Runs the sweep of `file` in a new terminal. */
export function startSweep(extensionRoot: string, file: string, executor: 'local' | 'slurm'): void {
  const node = readSettings().nodePath || process.execPath;
  const c = vscode.workspace.getConfiguration('gacd');
  const args = sweepArgs(path.join(extensionRoot, 'dist', 'cli.js'), file, executor, (key, fallback) => c.get(key, fallback), readSettings().runsDirectory);
  const terminal = vscode.window.createTerminal({
    name: `GACD sweep: ${path.basename(file)}${executor === 'slurm' ? ' (Slurm)' : ''}`,
    cwd: path.dirname(file),
    // VS Code's own Node runs as Node only with this.
    env: { ELECTRON_RUN_AS_NODE: '1' },
  });
  terminal.show();
  terminal.sendText([node, ...args].map(quote).join(' '));
}
