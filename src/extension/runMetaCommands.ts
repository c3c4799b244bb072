/**
 * The run explorer's Rename, Tags, Note and Delete: a label, tags and a note kept in the run
 * folder's meta.json (src/extension/runs/runMeta.ts), and a run folder moved to the trash after
 * the person confirms. Registered in commands.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseTags } from '../protocol/runMeta';
import { readRunMeta, updateRunMeta } from './runs/runMeta';
import type { RunStore } from './runs/runStore';

/** The run folders a command acts on: the selection when the clicked row is in it, else the clicked row. */
export function runDirsOf(clicked: unknown, selected?: unknown[]): string[] {
  const dirOf = (a: unknown) => (typeof a === 'string' ? a : a instanceof vscode.Uri ? a.fsPath : a && typeof a === 'object' && typeof (a as { runDir?: unknown }).runDir === 'string' ? (a as { runDir: string }).runDir : undefined);
  const one = dirOf(clicked);
  const many = (selected ?? []).map(dirOf).filter((d): d is string => !!d);
  return one && many.includes(one) ? many : one ? [one] : [];
}

/** Saves a change to the run's meta.json, saying why when it cannot (a malformed file is left alone). */
function save(store: RunStore, runDir: string, change: Parameters<typeof updateRunMeta>[1]): boolean {
  try {
    updateRunMeta(runDir, change);
    store.read(runDir);
    return true;
  } catch (err) {
    void vscode.window.showErrorMessage(`Could not save the run's label: ${(err as Error).message}`, 'Open meta.json').then((c) => {
      if (c) void vscode.window.showTextDocument(vscode.Uri.file(path.join(runDir, 'meta.json')));
    });
    return false;
  }
}

export async function renameRun(store: RunStore, runDir: string): Promise<void> {
  const { meta } = readRunMeta(runDir);
  const label = await vscode.window.showInputBox({
    title: `Rename ${path.basename(runDir)}`,
    prompt: 'A label shown in the run explorer, the dashboard and the comparison (saved in the run folder as meta.json). Empty: the run id again.',
    value: meta.label ?? '',
    validateInput: (v) => (v.trim().length > 120 ? 'at most 120 characters' : undefined),
  });
  if (label !== undefined) save(store, runDir, { label });
}

export async function tagRun(store: RunStore, runDir: string): Promise<void> {
  const { meta } = readRunMeta(runDir);
  const line = await vscode.window.showInputBox({
    title: `Tags of ${meta.label ?? path.basename(runDir)}`,
    prompt: 'Tags separated by spaces or commas (shown as #tag in the run explorer). Empty: no tags.',
    value: meta.tags.join(' '),
    validateInput: (v) => (parseTags(v).some((t) => t.length > 40) ? 'a tag has at most 40 characters' : undefined),
  });
  if (line !== undefined) save(store, runDir, { tags: parseTags(line) });
}

export async function editRunNote(store: RunStore, runDir: string): Promise<void> {
  const { meta } = readRunMeta(runDir);
  const note = await vscode.window.showInputBox({
    title: `Note on ${meta.label ?? path.basename(runDir)}`,
    prompt: 'A note shown in the run\'s tooltip. Empty: no note.',
    value: meta.note ?? '',
  });
  if (note !== undefined) save(store, runDir, { note });
}

/** Moves run folders to the trash after a modal confirmation; a running run is refused. */
export async function deleteRuns(store: RunStore, runDirs: string[]): Promise<void> {
  const running = runDirs.filter((d) => store.isLive(d) || store.get(d)?.status === 'running');
  if (running.length) {
    void vscode.window.showWarningMessage(`${running.map((d) => path.basename(d)).join(', ')} ${running.length > 1 ? 'are' : 'is'} running: stop ${running.length > 1 ? 'them' : 'it'} before deleting.`);
    return;
  }
  if (!runDirs.length) return;
  const names = runDirs.map((d) => store.get(d)?.meta?.label ?? path.basename(d));
  const what = runDirs.length === 1 ? `the run ${names[0]}` : `${runDirs.length} runs (${names.join(', ')})`;
  const choice = await vscode.window.showWarningMessage(
    `Delete ${what}? ${runDirs.length === 1 ? 'Its folder goes' : 'Their folders go'} to the trash, with checkpoints, logs and results.`,
    { modal: true, detail: runDirs.join('\n') },
    'Move to Trash',
  );
  if (choice !== 'Move to Trash') return;
  for (const dir of runDirs) {
    const uri = vscode.Uri.file(dir);
    try {
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
      store.remove(dir);
    } catch (err) {
      // A remote or browser window (code-server) may have no trash: deleting for good is asked again.
      const again = await vscode.window.showWarningMessage(
        `Could not move ${path.basename(dir)} to the trash (${(err as Error).message}). Delete it permanently?`,
        { modal: true, detail: dir },
        'Delete Permanently',
      );
      if (again !== 'Delete Permanently') continue;
      try {
        await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
        store.remove(dir);
      } catch (err2) {
        void vscode.window.showErrorMessage(`Could not delete ${dir}: ${(err2 as Error).message}`);
      }
    }
  }
}
