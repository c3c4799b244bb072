/** The extension's settings (package.json `contributes.configuration`), read in one place. */
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface Settings {
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** Absolute runs folder, or undefined for `.gacd-runs` next to each experiment file. */
  runsDirectory: string | undefined;
  /** A Node.js binary; empty means VS Code's own. */
  nodePath: string;
  maxConcurrentRuns: number;
  stopTimeoutSeconds: number;
  /** Open the run's dashboard when Run Experiment starts it. */
  openDashboardOnRun: boolean;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('gacd');
  const runs = c.get<string>('runsDirectory', '').trim();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return {
    backend: c.get('backend', 'auto'),
    runsDirectory: runs ? (path.isAbsolute(runs) ? runs : folder ? path.join(folder, runs) : undefined) : undefined,
    nodePath: c.get<string>('nodePath', '').trim(),
    maxConcurrentRuns: Math.max(1, c.get<number>('maxConcurrentRuns', 1)),
    stopTimeoutSeconds: Math.max(1, c.get<number>('stopTimeoutSeconds', 30)),
    openDashboardOnRun: c.get<boolean>('openDashboardOnRun', false),
  };
}
