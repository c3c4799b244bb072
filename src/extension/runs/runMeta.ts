/**
 * A run's `meta.json` (label, tags, note; typed in src/protocol/runMeta.ts) read and written. A
 * missing file is an empty one. A malformed file is reported with its path and what is wrong, and
 * never overwritten: an update refuses, so whatever the person wrote there is not lost.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRunMeta, RUN_META_FILE, runMeta, type RunMeta } from '../../protocol/runMeta';

export type RunMetaRead = { meta: RunMeta; error?: undefined } | { meta: RunMeta; error: string };

export function runMetaPath(runDir: string): string {
  return path.join(runDir, RUN_META_FILE);
}

/** The run's meta, empty when there is no file; with `error` (and empty meta) when the file is not valid. */
export function readRunMeta(runDir: string): RunMetaRead {
  const file = runMetaPath(runDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { meta: { tags: [] } };
    return { meta: { tags: [] }, error: `${file}: cannot be read (${(err as Error).message})` };
  }
  const r = parseRunMeta(text);
  if (r.ok) return { meta: r.meta };
  return { meta: { tags: [] }, error: `${file} is not a valid run label file: ${r.reason}. Fix it or delete it; GACD Studio leaves it as it is.` };
}

/**
 * Changes some fields of the run's meta and writes the file atomically (a temporary file renamed
 * over it). `undefined` in the change removes a field. Throws, writing nothing, when the file there
 * is malformed or the result would not be valid.
 */
export function updateRunMeta(runDir: string, change: Partial<Record<'label' | 'note', string | undefined>> & { tags?: string[] }): RunMeta {
  const current = readRunMeta(runDir);
  if (current.error) throw new Error(current.error);
  const next: Record<string, unknown> = { ...current.meta };
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) delete next[k];
    else next[k] = typeof v === 'string' ? v.trim() : v;
  }
  const checked = runMeta.safeParse(next);
  if (!checked.success) throw new Error(`not saved to ${runMetaPath(runDir)}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const file = runMetaPath(runDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(checked.data, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return checked.data;
}

/** What a run is called: its label, else its run id. */
export function runName(runId: string, meta: RunMeta | undefined): string {
  return meta?.label ?? runId;
}
