/**
 * The Evaluate Checkpoint command: a checkpoint of a run, then the attacks and the epsilon (the
 * run's own offered first), then `gacd eval` with a cancellable progress notification. The figures
 * are kept in the run folder (evaluation/checkpoints/) and shown by the run's dashboard, which the
 * closing notification opens.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { attackChoices, evaluateCheckpoint, parseEpsilon, runEvaluationSpec } from './engine/checkpointEvaluation';
import { readSettings } from './engine/settings';
import { ComparisonPanel } from './panels/comparisonPanel';
import { DashboardPanel } from './panels/dashboardPanel';
import { listCheckpoints } from './runs/checkpoints';
import type { RunStore } from './runs/runStore';

/** Rounded for people: 0.1, 0.0314 (not 0.031372549019607843). */
function shortNumber(x: number): string {
  return String(Number(x.toPrecision(3)));
}

async function pickAttacks(choices: ReturnType<typeof attackChoices>): Promise<string[] | undefined> {
  const items = choices.map((c) => ({ label: c.label, description: c.fromRun ? "the run's evaluation" : undefined, picked: c.fromRun, entry: c.entry }));
  // A run without an evaluation section: the engine's default list.
  if (!items.some((i) => i.picked)) for (const i of items) i.picked = ['clean', 'fgsm', 'pgd-20', 'cw-20'].includes(i.label);
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: 'Attacks to evaluate the checkpoint with (aa-style is AutoAttack-style: APGD-CE, APGD-T, Square)', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (!picked.length) {
    void vscode.window.showWarningMessage('Nothing evaluated: choose at least one attack.');
    return undefined;
  }
  return picked.map((p) => p.entry);
}

async function pickEpsilon(runEpsilon: number | undefined, curve: number[]): Promise<number | undefined> {
  const values = [...(runEpsilon !== undefined ? [runEpsilon] : []), ...curve].filter((v, i, all) => all.indexOf(v) === i);
  const other = { label: 'Other…', description: 'type a value such as 8/255', value: undefined as number | undefined };
  const items = [
    ...values.map((v) => ({ label: shortNumber(v), description: v === runEpsilon ? "the run's evaluation epsilon" : "from the run's accuracy-against-epsilon curve", value: v as number | undefined })),
    other,
  ];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Epsilon (L-inf radius) of the attacks', ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick.value !== undefined) return pick.value;
  const typed = await vscode.window.showInputBox({
    prompt: 'Epsilon (L-inf radius) of the attacks, in [0, 1]',
    value: runEpsilon !== undefined ? shortNumber(runEpsilon) : '',
    validateInput: (t) => {
      const e = parseEpsilon(t);
      return e.ok ? undefined : e.message;
    },
    ignoreFocusOut: true,
  });
  if (typed === undefined) return undefined;
  const e = parseEpsilon(typed);
  return e.ok ? e.value : undefined;
}

export async function evaluateCheckpointCommand(runDir: string, extensionUri: vscode.Uri, store: RunStore, log: vscode.OutputChannel): Promise<void> {
  const folders = listCheckpoints(runDir);
  if (!folders.length) {
    void vscode.window.showInformationMessage(`${path.basename(runDir)} has no checkpoint yet: one is written after each epoch.`);
    return;
  }
  const checkpoint = folders.length === 1 ? folders[0] : await vscode.window.showQuickPick(folders, { placeHolder: 'Checkpoint to evaluate (<model>-e<epochs done>-s<steps>, or <model>-best)' });
  if (!checkpoint) return;
  let specText: string | undefined;
  try {
    specText = fs.readFileSync(path.join(runDir, 'spec.json'), 'utf8');
  } catch {
    // Without spec.json the engine's defaults apply.
  }
  const spec = runEvaluationSpec(specText);
  const attacks = await pickAttacks(attackChoices(spec));
  if (!attacks) return;
  const epsilon = await pickEpsilon(spec.epsilon, spec.epsilons);
  if (epsilon === undefined) return;
  const settings = readSettings();
  const request = { cli: path.join(extensionUri.fsPath, 'dist', 'cli.js'), runDir, checkpoint, attacks, epsilon, dataset: spec.dataset, testSize: spec.testSize, backend: settings.backend };
  log.appendLine(`[eval] ${checkpoint}: epsilon ${shortNumber(epsilon)}, attacks ${attacks.join(', ')}`);
  const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Evaluating ${checkpoint}`, cancellable: true }, async (_p, token) => {
    const job = evaluateCheckpoint(request, settings.nodePath || process.execPath, (text) => log.append(`[eval] ${text}`));
    token.onCancellationRequested(() => job.cancel());
    try {
      return { ok: true as const, record: await job.done };
    } catch (err) {
      return { ok: false as const, message: (err as Error).message };
    }
  });
  if (!outcome.ok) {
    if (outcome.message === 'cancelled') return;
    const choice = await vscode.window.showErrorMessage(`Evaluating ${checkpoint} failed: ${outcome.message}`, 'Show Engine Log');
    if (choice) log.show(true);
    return;
  }
  const r = outcome.record;
  log.appendLine(`[eval] ${checkpoint}: ${r.results.results.map((x) => `${x.attack} ${(x.accuracy * 100).toFixed(1)}%`).join(', ')}`);
  DashboardPanel.checkpointEvaluationsChanged(runDir);
  ComparisonPanel.checkpointEvaluationsChanged(runDir);
  const worst = r.results.results.filter((x) => x.attack !== 'clean').reduce<{ attack: string; accuracy: number } | undefined>((a, b) => (!a || b.accuracy < a.accuracy ? b : a), undefined);
  const clean = r.results.results.find((x) => x.attack === 'clean');
  const headline = [clean && `clean ${(clean.accuracy * 100).toFixed(1)}%`, worst && `${worst.attack} ${(worst.accuracy * 100).toFixed(1)}%`].filter(Boolean).join(' · ');
  const choice = await vscode.window.showInformationMessage(`${checkpoint} at epsilon ${shortNumber(epsilon)}: ${headline}. Kept in the run folder; the dashboard lists every row.`, 'Open Dashboard');
  if (choice) {
    if (!store.get(runDir)) store.read(runDir);
    DashboardPanel.show(runDir, store, extensionUri, log);
  }
}
