/**
 * Evaluate Checkpoint's plumbing, without `vscode`: the `gacd eval` command line for a checkpoint
 * of a run with the attacks and epsilon a person chose, the check of its `--json` answer, and the
 * record kept in the run folder (src/protocol/checkpointEvaluation.ts), so the figures outlive the
 * notification and the dashboard and comparison can show them.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { COMMON_EVALUATION_ATTACKS, DEFAULT_EVALUATION_ATTACKS, evaluateExpression } from '../../engine/experiment';
import { checkpointEvaluation, type CheckpointEvaluation } from '../../protocol/checkpointEvaluation';
import { modelResults } from '../../protocol/events';
import { checkpointEvaluationFile } from '../runs/checkpoints';

/** What of a run's spec.json the evaluation reuses; every field may be missing (an older run). */
export interface RunEvaluationSpec {
  dataset?: string;
  epsilon?: number;
  /** The run's resolved evaluation entries, each `{label, attack, settings}`. */
  attacks: Array<{ label: string; entry: string }>;
  /** The epsilons of the run's accuracy-against-epsilon curve. */
  epsilons: number[];
  testSize?: number;
}

const specShape = z.object({
  data: z.object({ dataset: z.string().optional(), test_size: z.number().nullable().optional() }).partial().optional(),
  evaluation: z
    .object({
      epsilon: z.number().optional(),
      epsilons: z.array(z.number()).optional(),
      attacks: z.array(z.unknown()).optional(),
      test_size: z.number().nullable().optional(),
    })
    .partial()
    .optional(),
});

/** The evaluation settings of a run, from its spec.json text; an unreadable spec gives the engine's defaults. */
export function runEvaluationSpec(specText: string | undefined): RunEvaluationSpec {
  let spec: z.infer<typeof specShape> = {};
  try {
    spec = specShape.parse(JSON.parse(specText ?? '{}'));
  } catch {
    spec = {};
  }
  const attacks = (spec.evaluation?.attacks ?? []).flatMap((a) => {
    if (typeof a === 'string') return [{ label: a, entry: a }];
    const label = a && typeof a === 'object' ? (a as { label?: unknown }).label : undefined;
    // A resolved entry's JSON is YAML flow, which --attacks reads back with every setting as it was.
    return typeof label === 'string' ? [{ label, entry: JSON.stringify(a) }] : [];
  });
  return {
    dataset: spec.data?.dataset,
    epsilon: spec.evaluation?.epsilon,
    attacks,
    epsilons: spec.evaluation?.epsilons ?? [],
    testSize: spec.evaluation?.test_size ?? spec.data?.test_size ?? undefined,
  };
}

/** The attacks offered: the run's own (with their settings) first, then the usual labels, `aa-style` among them. */
export function attackChoices(spec: RunEvaluationSpec): Array<{ label: string; entry: string; fromRun: boolean }> {
  const seen = new Set(spec.attacks.map((a) => a.label));
  const common = [...DEFAULT_EVALUATION_ATTACKS, ...COMMON_EVALUATION_ATTACKS].filter((l, i, all) => all.indexOf(l) === i && !seen.has(l));
  return [...spec.attacks.map((a) => ({ ...a, fromRun: true })), ...common.map((l) => ({ label: l, entry: l, fromRun: false }))];
}

/** An epsilon as typed (`0.1`, `8/255`): its value, or why it is not one. */
export function parseEpsilon(text: string): { ok: true; value: number } | { ok: false; message: string } {
  const e = evaluateExpression(text.trim());
  if (!e.ok || !Number.isFinite(e.value) || e.value < 0 || e.value > 1) return { ok: false, message: 'an L-inf radius in [0, 1] such as 0.1 or 8/255' };
  return { ok: true, value: e.value };
}

export interface EvalRequest {
  /** dist/cli.js of the extension. */
  cli: string;
  runDir: string;
  /** The checkpoint folder's name in the run's checkpoints/. */
  checkpoint: string;
  /** Evaluation entries as `--attacks` takes them (labels or YAML flow sections). */
  attacks: string[];
  epsilon: number;
  dataset?: string;
  testSize?: number;
  backend?: string;
}

/** `gacd eval` for the request: the figures as one JSON line on stdout, the model card beside the record. */
export function evalArguments(r: EvalRequest): string[] {
  if (!r.attacks.length) throw new Error('choose at least one attack to evaluate');
  const args = [r.cli, 'eval', path.join(r.runDir, 'checkpoints', r.checkpoint), '--json', '--epsilon', String(r.epsilon), '--attacks', r.attacks.join(',')];
  args.push('--card', checkpointEvaluationFile(r.runDir, r.checkpoint).replace(/\.json$/, '.card.json'));
  if (r.dataset) args.push('--dataset', r.dataset);
  if (r.testSize) args.push('--test-size', String(r.testSize));
  if (r.backend && r.backend !== 'auto') args.push('--backend', r.backend);
  return args;
}

const evalOutput = modelResults.extend({ backend: z.string(), checkpoint: z.string() });

/** The figures from `gacd eval --json`'s stdout (its last line); throws saying what is wrong. */
export function parseEvalOutput(stdout: string): z.infer<typeof evalOutput> {
  const last = stdout.trim().split('\n').pop() ?? '';
  if (!last) throw new Error('gacd eval printed nothing on stdout');
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    throw new Error(`gacd eval's last line is not JSON: ${last.slice(0, 200)}`);
  }
  const r = evalOutput.safeParse(json);
  if (!r.success) throw new Error(`gacd eval's answer is not an evaluation: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** The checkpoint's model and position, from its state.json (the name says it too, unless it is `<model>-best`). */
export function checkpointPosition(runDir: string, checkpoint: string): { model?: string; epoch: number; step: number } {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', checkpoint, 'state.json'), 'utf8')) as { model?: string; epoch?: number; step?: number };
    return { model: s.model, epoch: s.epoch ?? 0, step: s.step ?? 0 };
  } catch {
    const m = /-e(\d+)-s(\d+)$/.exec(checkpoint);
    return { epoch: m ? Number(m[1]) : 0, step: m ? Number(m[2]) : 0 };
  }
}

/** Writes the record (replacing an earlier evaluation of the same checkpoint) and returns it. */
export function saveCheckpointEvaluation(r: EvalRequest, stdout: string, now = new Date()): CheckpointEvaluation {
  const { backend, checkpoint: _where, ...results } = parseEvalOutput(stdout);
  const at = checkpointPosition(r.runDir, r.checkpoint);
  const record = checkpointEvaluation.parse({
    checkpoint: r.checkpoint,
    model: at.model ?? results.model,
    epoch: at.epoch,
    step: at.step,
    epsilon: r.epsilon,
    attacks: r.attacks,
    evaluatedAt: now.toISOString(),
    backend,
    results,
  });
  const file = checkpointEvaluationFile(r.runDir, r.checkpoint);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written whole then renamed, so a reader never sees half a record.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 1));
  fs.renameSync(`${file}.tmp`, file);
  return record;
}

export interface EvalJob {
  /** Resolves with the record, or rejects with the reason (the engine's last stderr lines). */
  done: Promise<CheckpointEvaluation>;
  cancel(): void;
}

/** Runs `gacd eval` for the request with `node` and keeps its result in the run folder. */
export function evaluateCheckpoint(r: EvalRequest, node: string, onStderr: (text: string) => void): EvalJob {
  // gacd eval writes the model card (--card) into this folder, and does not make it.
  fs.mkdirSync(path.dirname(checkpointEvaluationFile(r.runDir, r.checkpoint)), { recursive: true });
  const child = spawn(node, evalArguments(r), { cwd: r.runDir, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  let out = '';
  let tail = '';
  let cancelled = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString();
    tail = (tail + text).slice(-2000);
    onStderr(text);
  });
  const done = new Promise<CheckpointEvaluation>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (cancelled) return reject(new Error('cancelled'));
      if (code !== 0) {
        const why = tail.split('\n').map((l) => l.trim()).filter(Boolean).slice(-2).join(' ');
        return reject(new Error(why || `gacd eval exited with code ${code}${signal ? `, signal ${signal}` : ''}`));
      }
      try {
        resolve(saveCheckpointEvaluation(r, out));
      } catch (err) {
        reject(err);
      }
    });
  });
  return {
    done,
    cancel() {
      cancelled = true;
      child.kill('SIGINT');
    },
  };
}
