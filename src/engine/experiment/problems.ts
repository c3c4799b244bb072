/**
 * What a check of an experiment file reports, and the one text format the CLI prints it in. The
 * language server turns the same objects into diagnostics and builds quick fixes from `data`.
 */

export type Severity = 'error' | 'warning' | 'info';

/**
 * Codes, so that a client can act on a kind of problem without reading its message:
 * yaml-syntax, duplicate-key, unknown-key, missing-key, missing-section, missing-value, wrong-type,
 * bad-value, bad-expression, unknown-name, epsilon-units, missing-file, dataset-not-found, outside-workspace, no-teacher-source,
 * teacher-not-used, student-larger, weak-evaluation, milestone-beyond-epochs, negatives-capped,
 * teacher-needs-teacher, duplicate-label, unreadable-file, unconfirmed.
 */
export type ProblemCode = string;

/** A span in the file: 1-based lines and columns; the end is exclusive (the column after the last character). */
export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Problem extends Range {
  file: string;
  severity: Severity;
  code: ProblemCode;
  message: string;
  /** A short suggestion, e.g. "did you mean 8/255?". */
  fix?: string;
  data?: {
    /** Replacement texts for the range, best first, for quick fixes. */
    replacements?: string[];
    /** Set on the one note that stands for this many `unconfirmed` notes (see `applyNotesMode`). */
    summarises?: number;
  };
}

/**
 * How the notes on settings that a paper leaves unconfirmed are shown: one note per file that
 * names them all (`summary`), one note per setting (`all`), or none (`off`). The checks report
 * both forms; the editor's `gacd.notes` setting and `gacd check --notes` choose.
 */
export type NotesMode = 'summary' | 'all' | 'off';

export const NOTES_MODES: readonly NotesMode[] = ['summary', 'all', 'off'];
export const DEFAULT_NOTES_MODE: NotesMode = 'summary';

export const isSummaryNote = (p: Pick<Problem, 'code' | 'data'>): boolean => p.code === 'unconfirmed' && p.data?.summarises !== undefined;

/** The problems to show in a notes mode: the summary or each note, or neither. */
export function applyNotesMode<P extends Pick<Problem, 'code' | 'data'>>(problems: readonly P[], mode: NotesMode): P[] {
  return problems.filter((p) => {
    if (p.code !== 'unconfirmed') return true;
    if (mode === 'off') return false;
    return isSummaryNote(p) === (mode === 'summary');
  });
}

/** `FILE:LINE:COL: error|warning|info: message (fix: ...)` */
export function formatProblem(p: Problem): string {
  const fix = p.fix ? ` (fix: ${p.fix})` : '';
  return `${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message}${fix}`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Sorts by position, then errors before warnings before notes; stable otherwise. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
}
