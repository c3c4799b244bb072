/**
 * A run folder's checkpoints as the extension sees them: which checkpoint folders it holds, whether
 * it can be resumed, and the evaluations of its checkpoints kept in `evaluation/checkpoints/`.
 * Read from the folder, not the log, because that is what `gacd resume` and `gacd eval` will read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_EVALUATIONS_DIR, checkpointEvaluation, type CheckpointEvaluation } from '../../protocol/checkpointEvaluation';

/** A complete checkpoint folder (its `state.json` is written last), newest name first. */
export function listCheckpoints(runDir: string): string[] {
  const dir = path.join(runDir, 'checkpoints');
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'state.json')))
    .map((d) => d.name)
    .sort()
    .reverse();
}

export type Resumability = { ok: true } | { ok: false; reason: string };

/**
 * Whether `gacd resume` can continue the run: it needs the run's spec.json and a checkpoint to
 * start from, and a run with results.json has nothing left to do. Without a checkpoint, "resume"
 * would train from scratch under the old run's name, so it is refused and the reason says what to do.
 */
export function resumability(runDir: string): Resumability {
  const name = path.basename(runDir);
  if (fs.existsSync(path.join(runDir, 'results.json'))) return { ok: false, reason: `${name} has finished: there is nothing to resume.` };
  if (!fs.existsSync(path.join(runDir, 'spec.json'))) return { ok: false, reason: `${name} is not a run folder that can be resumed (it has no spec.json).` };
  if (!listCheckpoints(runDir).length) {
    return {
      ok: false,
      reason: `${name} has no checkpoint to resume from: it ended before its first checkpoint (one is written after each epoch). Fix what stopped it and run the experiment again.`,
    };
  }
  return { ok: true };
}

export function checkpointEvaluationsDir(runDir: string): string {
  return path.join(runDir, ...CHECKPOINT_EVALUATIONS_DIR);
}

/** The record of one checkpoint's evaluation; its model card is beside it (`.card.json`). */
export function checkpointEvaluationFile(runDir: string, checkpoint: string): string {
  return path.join(checkpointEvaluationsDir(runDir), `${checkpoint}.json`);
}

/**
 * Every checkpoint evaluation kept in the run folder, oldest first. A file that is not a valid
 * record (edited by hand, from another version) is skipped and reported through `onInvalid`.
 */
export function readCheckpointEvaluations(runDir: string, onInvalid: (file: string, reason: string) => void = () => {}): CheckpointEvaluation[] {
  const dir = checkpointEvaluationsDir(runDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !n.endsWith('.card.json'));
  } catch {
    return [];
  }
  const out: CheckpointEvaluation[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    try {
      const r = checkpointEvaluation.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (r.success) out.push(r.data);
      else onInvalid(file, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    } catch (err) {
      onInvalid(file, (err as Error).message);
    }
  }
  return out.sort((a, b) => a.evaluatedAt.localeCompare(b.evaluatedAt) || a.checkpoint.localeCompare(b.checkpoint));
}
