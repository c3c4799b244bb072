/**
 * One model's checkpoints in a run's `checkpoints/` folder: checkpoint folders named
 * `<label>-e<epochs done>-s<steps into the next epoch>`, and the pointer file `<label>.json` that
 * names the one to continue from. The pointer is the only thing that decides which checkpoint is
 * in charge, so `save` writes the new folder first, then replaces the pointer, and only then
 * removes old folders: a crash at any moment leaves a pointer that names a complete folder. Every
 * file, and the folders holding them, are flushed to disk (atomicWrite.ts) before the next step,
 * so this also holds after a power cut.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomicWrite';
import { CheckpointContents, CheckpointState, LoadedCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint';

/** What a checkpoint records besides its tensors: the model, its position and its RNG states. */
export type CheckpointMeta = Omit<CheckpointState, 'format' | 'tensors' | 'methodState' | 'savedAt'>;

/** The pointer file's content. */
export interface CheckpointPointer {
  /** The checkpoint folder's name, inside the same `checkpoints/` folder. */
  path: string;
  epoch: number;
  step: number;
  completed: boolean;
}

export interface LatestCheckpoint {
  checkpoint: LoadedCheckpoint;
  /** The model finished its training: load the weights, do not train on. */
  completed: boolean;
  /** The checkpoint folder. */
  folder: string;
}

const pointerSchema = z.object({
  // A bare folder name: a pointer never reaches outside its own checkpoints folder.
  path: z.string().regex(/^[A-Za-z0-9_-]+-e\d+-s\d+$/, 'must be the name of a checkpoint folder beside the pointer, such as "student-e2-s0"'),
  epoch: z.int().min(0),
  step: z.int().min(0),
  completed: z.boolean(),
});

/** The file that points at a model's latest checkpoint folder. */
export function pointerFile(checkpointsDir: string, label: string): string {
  return path.join(checkpointsDir, `${safeName(label)}.json`);
}

/** A model's label made safe for a file name (`baseline:pgd-at` becomes `baseline-pgd-at`). */
export function safeName(label: string): string {
  return label.replace(/[^a-zA-Z0-9_-]+/g, '-');
}

export class CheckpointStore {
  readonly pointer: string;
  private readonly prefix: string;

  constructor(readonly checkpointsDir: string, readonly label: string) {
    this.pointer = pointerFile(checkpointsDir, label);
    this.prefix = safeName(label);
  }

  /**
   * The checkpoint the pointer names, loaded, or null when this model has none yet. A pointer or
   * checkpoint that cannot be trusted (torn, hand-edited, truncated) is an error naming the file,
   * never a silent start from scratch.
   */
  latest(): LatestCheckpoint | null {
    const p = this.current();
    if (!p) return null;
    const folder = path.join(this.checkpointsDir, p.path);
    if (!fs.existsSync(folder)) {
      throw new Error(`${this.pointer}: names the checkpoint folder ${p.path}, which does not exist; ${this.fix(p.path)}`);
    }
    if (!fs.existsSync(path.join(folder, 'state.json'))) {
      throw new Error(`${folder}: has no state.json, the checkpoint is incomplete (the folder that ${this.pointer} names); ${this.fix(p.path)}`);
    }
    let checkpoint: LoadedCheckpoint;
    try {
      checkpoint = readCheckpoint(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code) throw err;
      throw new Error(`${(err as Error).message} (the checkpoint that ${this.pointer} names; ${this.fix(p.path)})`);
    }
    const s = checkpoint.state;
    if (s.model !== this.label || s.epoch !== p.epoch || s.step !== p.step || s.completed !== p.completed) {
      throw new Error(
        `${this.pointer}: says ${describe(this.label, p)}, but ${folder} holds ${describe(s.model, s)}; ${this.fix(p.path)}`,
      );
    }
    return { checkpoint, completed: p.completed, folder };
  }

  /** The validated pointer, without loading the checkpoint it names; null when there is none. */
  current(): CheckpointPointer | null {
    if (!fs.existsSync(this.pointer)) return null;
    const text = fs.readFileSync(this.pointer, 'utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new Error(`${this.pointer}: not valid JSON (${(err as Error).message}), the pointer file is torn or was edited by hand; ${this.fix(null)}`);
    }
    const parsed = pointerSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length ? `"${issue.path.join('.')}"` : 'the content';
      throw new Error(`${this.pointer}: ${field}: ${issue.message}; the pointer file is torn or was edited by hand; ${this.fix(null)}`);
    }
    return parsed.data;
  }

  /**
   * Writes a checkpoint of this model, makes it the one in charge, and keeps only it and the one
   * before it. Returns the new checkpoint folder.
   */
  save(meta: CheckpointMeta, contents: CheckpointContents): string {
    const name = `${this.prefix}-e${meta.epoch}-s${meta.step}`;
    const folder = path.join(this.checkpointsDir, name);
    writeCheckpoint(folder, meta, contents);
    const previous = this.previousName();
    const pointer: CheckpointPointer = { path: name, epoch: meta.epoch, step: meta.step, completed: meta.completed };
    writeFileAtomic(this.pointer, JSON.stringify(pointer));
    this.rotate([name, previous]);
    return folder;
  }

  /** The folder of this model's best checkpoint on the validation split (`training.keep_best`). */
  get bestFolder(): string {
    return path.join(this.checkpointsDir, `${this.prefix}-best`);
  }

  /** The best checkpoint's record, or null when none was kept (or its record is torn). */
  best(): { epoch: number; robustAccuracy: number } | null {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.bestFolder, 'best.json'), 'utf8')) as { epoch: number; robustAccuracy: number };
    } catch {
      return null;
    }
  }

  /** Writes the best checkpoint so far (the record last, so a torn write is never taken for one). */
  saveBest(meta: CheckpointMeta, contents: CheckpointContents, robustAccuracy: number): void {
    fs.rmSync(this.bestFolder, { recursive: true, force: true });
    writeCheckpoint(this.bestFolder, meta, contents);
    writeFileAtomic(path.join(this.bestFolder, 'best.json'), JSON.stringify({ epoch: meta.epoch, robustAccuracy }));
  }

  /** This model's checkpoint folders, newest first. */
  folders(): string[] {
    const position = (name: string) => (name.startsWith(this.prefix) ? name.slice(this.prefix.length).match(/^-e(\d+)-s(\d+)$/) : null);
    return this.entries()
      .filter((e) => position(e))
      .sort((a, b) => {
        const [, ea, sa] = position(a)!.map(Number);
        const [, eb, sb] = position(b)!.map(Number);
        return eb - ea || sb - sa;
      });
  }

  /**
   * The folder the pointer named before this save. A pointer that cannot be read keeps nothing:
   * the new checkpoint replaces it either way.
   */
  private previousName(): string | null {
    try {
      return this.current()?.path ?? null;
    } catch {
      return null;
    }
  }

  /**
   * Removes this model's other checkpoint folders, and the temporary folders of writes that
   * crashed (a save that returns leaves none of its own).
   */
  private rotate(keep: Array<string | null>): void {
    const mine = new RegExp(`^${this.prefix}-e\\d+-s\\d+(\\.tmp-\\d+)?$`);
    for (const entry of this.entries()) {
      if (mine.test(entry) && !keep.includes(entry)) fs.rmSync(path.join(this.checkpointsDir, entry), { recursive: true, force: true });
    }
  }

  private entries(): string[] {
    return fs.existsSync(this.checkpointsDir) ? fs.readdirSync(this.checkpointsDir) : [];
  }

  /**
   * What a person can do about a bad pointer or checkpoint: point at another checkpoint of this
   * model (the pointer it would need is spelled out), or start the model over.
   */
  private fix(bad: string | null): string {
    const restart = `delete ${this.pointer} to train ${this.label} from the start`;
    for (const other of this.folders().filter((f) => f !== bad)) {
      try {
        const s = JSON.parse(fs.readFileSync(path.join(this.checkpointsDir, other, 'state.json'), 'utf8')) as CheckpointState;
        const pointer: CheckpointPointer = { path: other, epoch: s.epoch, step: s.step, completed: s.completed };
        return `fix: to continue from the checkpoint ${other} kept beside it, write ${JSON.stringify(pointer)} into ${this.pointer}; or ${restart}`;
      } catch {
        // That folder is no better; try the next one.
      }
    }
    return `fix: ${restart}`;
  }
}

function describe(model: string, p: { epoch: number; step: number; completed: boolean }): string {
  return `${model} at epoch ${p.epoch}, step ${p.step}${p.completed ? ' (completed)' : ''}`;
}
