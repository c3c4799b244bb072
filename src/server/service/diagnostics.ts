/**
 * Diagnostics: the problems `loadExperiment` finds (YAML syntax, unknown keys with "did you mean",
 * wrong types, bad enum values, epsilon units, missing sections, paths that do not exist or leave
 * the workspace, a student larger than its teacher, a weak evaluation, GACD's unconfirmed
 * settings...), each at the exact key or value, with the data its quick fixes are built from.
 *
 * A whole-line comment `# gacd-ignore: CODE` (several codes may be separated by commas) silences
 * the diagnostics with that code on the next line that is not itself a comment, for a deliberate
 * off-protocol setting. An ignore comment that silences nothing gets a hint, so that stale ones
 * do not pile up. The notes on settings a paper leaves unconfirmed are shown in the chosen
 * `NotesMode` (one per file by default); an ignore comment counts as used when it silences a
 * note in any mode, so switching modes never makes one look stale.
 */
import { applyNotesMode, DEFAULT_NOTES_MODE, type NotesMode, type Problem } from '../../engine/experiment/problems';
import type { Analysis } from './analysis';
import type { Diagnostic, Span } from './types';

export const IGNORE_PATTERN = /^(\s*#\s*gacd-ignore\s*:\s*)(.*)$/;

export function problemToDiagnostic(a: Analysis, p: Problem): Diagnostic {
  const d: Diagnostic = { span: a.spanOfRange(p), severity: p.severity, code: p.code, message: p.message };
  const fix = p.fix;
  const replacements = p.data?.replacements;
  const summarises = p.data?.summarises;
  if (fix || replacements?.length || summarises !== undefined) {
    d.data = {
      ...(fix ? { fix } : {}),
      ...(replacements?.length ? { replacements: [...replacements] } : {}),
      ...(summarises !== undefined ? { summarises } : {}),
    };
  }
  // The suggestion is part of what a person reads, as `gacd check` prints it.
  if (fix) d.message = `${p.message} (${fix})`;
  return d;
}

export interface IgnoreComment {
  /** The comment's line. */
  line: number;
  /** The line it applies to, or -1 when none follows. */
  target: number;
  codes: { code: string; span: Span }[];
}

/** Every `# gacd-ignore:` comment of the document. */
export function ignoreComments(a: Analysis): IgnoreComment[] {
  const out: IgnoreComment[] = [];
  const lines = a.lines.lines;
  for (let n = 0; n < lines.length; n++) {
    if (lines[n].kind !== 'comment') continue;
    const m = IGNORE_PATTERN.exec(lines[n].text);
    if (!m) continue;
    let target = n + 1;
    while (target < lines.length && lines[target].kind === 'comment') target++;
    if (target >= lines.length) target = -1;
    const codes: IgnoreComment['codes'] = [];
    const re = /[A-Za-z0-9_-]+/g;
    for (let c = re.exec(m[2]); c; c = re.exec(m[2])) {
      const start = m[1].length + c.index;
      codes.push({ code: c[0], span: { start: { line: n, character: start }, end: { line: n, character: start + c[0].length } } });
    }
    out.push({ line: n, target, codes });
  }
  return out;
}

export function computeDiagnostics(a: Analysis, notes: NotesMode = DEFAULT_NOTES_MODE): Diagnostic[] {
  const all = a.load.problems.map((p) => problemToDiagnostic(a, p));
  if (!a.doc.text.includes('gacd-ignore')) return applyNotesMode(all, notes);
  const ignores = ignoreComments(a);
  if (ignores.length === 0) return applyNotesMode(all, notes);
  const silenced = new Set<Diagnostic>();
  const hints: Diagnostic[] = [];
  for (const ig of ignores) {
    for (const { code, span } of ig.codes) {
      const hits = all.filter((d) => d.span.start.line === ig.target && d.code === code);
      hits.forEach((d) => silenced.add(d));
      if (hits.length === 0) {
        hints.push({
          span,
          severity: 'hint',
          code: 'unused-ignore',
          message: `gacd-ignore: no "${code}" diagnostic on the next line to silence`,
          unnecessary: true,
        });
      }
    }
  }
  return [...applyNotesMode(all.filter((d) => !silenced.has(d)), notes), ...hints];
}
