/**
 * What a person adds to a run, kept in the run folder as `meta.json` beside the engine's files: a
 * label (shown instead of the run id), tags and a note. The engine never reads it; the explorer,
 * the dashboard and the comparison show it. Unknown keys are kept (a later version's fields are
 * not lost by an older one's write).
 */
import { z } from 'zod';

export const RUN_META_FILE = 'meta.json';

export const runMeta = z
  .object({
    label: z.string().trim().min(1).max(120).optional(),
    tags: z.array(z.string().trim().min(1).max(40)).default([]),
    note: z.string().max(10_000).optional(),
  })
  .passthrough();
export type RunMeta = z.infer<typeof runMeta>;

/** Parses a meta.json's text; a clear reason (JSON position or the field at fault) when it is not one. */
export function parseRunMeta(text: string): { ok: true; meta: RunMeta } | { ok: false; reason: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message})` };
  }
  const r = runMeta.safeParse(data);
  if (r.success) return { ok: true, meta: r.data };
  return { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.') || '(the whole file)'}: ${i.message}`).join('; ') };
}

/** Tags as typed in one line (`a, b c`): trimmed, without `#`, without duplicates, in order. */
export function parseTags(line: string): string[] {
  const tags = line
    .split(/[,\s]+/)
    .map((t) => t.replace(/^#+/, '').trim())
    .filter(Boolean);
  return [...new Set(tags)];
}
