/**
 * The run directory, the source of truth for a run:
 *   <runs>/<experiment>/<run-id>/experiment.gacd  the file as it was run
 *                                spec.json        the resolved spec, every default filled in
 *                                events.jsonl     the event log
 *                                checkpoints/     per model: a pointer file and checkpoint folders
 *                                evaluation/      per model: its robustness results once evaluated
 *                                  checkpoints/   evaluations of single checkpoints (the editor's
 *                                                 Evaluate Checkpoint; src/protocol/checkpointEvaluation.ts)
 *                                results.json     the robustness table when the run ends
 *                                meta.json        the editor's label, tags and note (src/protocol/runMeta.ts);
 *                                                 the engine never reads or writes it
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicWrite';

export interface RunDir {
  root: string;
  events: string;
  spec: string;
  experimentCopy: string;
  checkpoints: string;
  evaluation: string;
  results: string;
}

export function runDirPaths(root: string): RunDir {
  return {
    root,
    events: path.join(root, 'events.jsonl'),
    spec: path.join(root, 'spec.json'),
    experimentCopy: path.join(root, 'experiment.gacd'),
    checkpoints: path.join(root, 'checkpoints'),
    evaluation: path.join(root, 'evaluation'),
    results: path.join(root, 'results.json'),
  };
}

/** A new run id: sortable by start time, unique across machines writing to one shared folder. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** A new run folder; `runId` names it when the caller must know it beforehand (a sweep's member). */
export function createRunDir(runsDir: string, experiment: string, experimentText: string, spec: unknown, runId = newRunId()): RunDir {
  const dir = runDirPaths(path.join(runsDir, experiment.replace(/[^a-zA-Z0-9_.-]+/g, '-'), runId));
  if (fs.existsSync(dir.spec)) throw new Error(`the run folder ${dir.root} exists already: continue it with gacd resume ${dir.root}, or give another --run-id`);
  fs.mkdirSync(dir.checkpoints, { recursive: true });
  fs.mkdirSync(dir.evaluation, { recursive: true });
  writeFileAtomic(dir.experimentCopy, experimentText);
  writeFileAtomic(dir.spec, JSON.stringify(spec, null, 2));
  return dir;
}
