/**
 * What the command line shows a person: the run's events as lines (beside the progress bar on
 * stderr), the robustness table, problems of an experiment file, and errors as one line with their
 * fix, never a stack trace. The --json views write events themselves; their errors and notices to
 * stderr still come through here, so every command speaks in one voice.
 */
import type { EngineEvent, ModelResults } from '../../protocol/events';
import { formatProblem } from '../experiment/problems';
import type { Problem } from '../experiment/problems';
import { eventLine } from '../../protocol/eventText';
import type { ProgressBar } from './progressBar';
import { resultsTable } from './table';

/** `gacd: error: MESSAGE (fix: FIX)`: the one shape of an error on the command line. */
export function errorLine(message: string, fix?: string): string {
  return `gacd: error: ${message}${fix ? ` (fix: ${fix})` : ''}`;
}

type Stream = Pick<NodeJS.WritableStream, 'write'>;

export class Printer {
  /** `bar`, when given, is cleared before each line so the two never interleave on a terminal. */
  constructor(
    private readonly out: Stream = process.stdout,
    private readonly err: Stream = process.stderr,
    private readonly bar: ProgressBar | null = null,
  ) {}

  /** A line of the human view, on stdout. */
  line(text: string): void {
    this.bar?.clear();
    this.out.write(text + '\n');
  }

  /** Something the person should know that is not an error (a stop request), on stderr. */
  notice(text: string): void {
    this.bar?.clear();
    this.err.write(`gacd: ${text}\n`);
  }

  error(message: string, fix?: string): void {
    this.bar?.clear();
    this.err.write(errorLine(message, fix) + '\n');
  }

  /** Problems of an experiment file, `FILE:LINE:COL: severity: message (fix: ...)`, on stderr. */
  problems(problems: readonly Problem[]): void {
    this.bar?.clear();
    for (const p of problems) this.err.write(formatProblem(p) + '\n');
  }

  /** The robustness table: one row per model, one column per attack. */
  results(results: ModelResults[]): void {
    if (results.length) this.line(resultsTable(results));
  }

  /** The human view of one event of a run (its lines are the engine log's, src/protocol/eventText.ts). */
  event(e: EngineEvent): void {
    this.bar?.handle(e);
    switch (e.type) {
      // The epoch line is the progress bar's (on stderr, beside the bar it replaces).
      case 'epoch':
        break;
      case 'error':
        this.error(e.message, e.fix);
        break;
      case 'run-end':
        if (e.results?.length) {
          this.line('');
          this.results(e.results);
        }
        this.line(eventLine(e)!);
        break;
      default: {
        const text = eventLine(e);
        if (text !== null) this.line(text);
      }
    }
  }
}
