/**
 * `gacd check FILE... [--notes summary|all|off]`: prints every problem of each experiment file,
 * one a line, as `FILE:LINE:COL: error|warning|info: message (fix: ...)`, the format editors and
 * CI logs link. The notes on settings a paper leaves unconfirmed are summarised in one line per
 * file by default, as the editor shows them. Returns the exit code: 1 when any problem is an
 * error (a missing file included), else 0.
 */
import { loadExperiment } from '../experiment/load';
import { applyNotesMode, DEFAULT_NOTES_MODE, formatProblem, type NotesMode } from '../experiment/problems';

export function checkCommand(files: string[], out: (line: string) => void, notes: NotesMode = DEFAULT_NOTES_MODE): number {
  if (files.length === 0) {
    out('error: no experiment files given (usage: gacd check FILE.gacd...)');
    return 1;
  }
  let failed = false;
  for (const file of files) {
    try {
      const { problems } = loadExperiment(file);
      for (const p of applyNotesMode(problems, notes)) out(formatProblem(p));
      if (problems.some((p) => p.severity === 'error')) failed = true;
    } catch (e) {
      // A bug of ours must not hide the other files' problems.
      out(`${file}:1:1: error: internal error while checking: ${(e as Error)?.message ?? String(e)}`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
