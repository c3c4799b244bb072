/**
 * What the notification at the end of a run says and offers, without `vscode`: a finished run
 * its headline figures, a stopped one where it stopped, a failed or crashed one the engine's own
 * reason. Every one offers Open Dashboard; Resume only where a checkpoint exists.
 */
import type { EngineExit } from './engineProcess';

export interface RunEndFacts {
  /** `<experiment> (<run id>)`, or the experiment alone when the run folder was never made. */
  what: string;
  exit: EngineExit;
  /** The run's headline figures (clean and the strongest attack), when it was evaluated. */
  headline?: string;
  /** The run's wall time by its own run-end event. */
  durationMs?: number;
  /** The run folder exists and `gacd resume` can continue it (it has a checkpoint). */
  resumable: boolean;
  hasRunDir: boolean;
}

export interface RunEndNotice {
  severity: 'info' | 'warning' | 'error';
  message: string;
  actions: Array<'Open Dashboard' | 'Resume' | 'Show Engine Log'>;
}

/** "1:05:09", "4:02": a duration for people. */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

export function runEndNotice(f: RunEndFacts): RunEndNotice {
  const dashboard: RunEndNotice['actions'] = f.hasRunDir ? ['Open Dashboard'] : [];
  const took = f.durationMs !== undefined ? ` in ${duration(f.durationMs)}` : '';
  if (f.exit.status === 'finished' && !f.exit.crashed) {
    return { severity: 'info', message: `${f.what} finished${took}${f.headline ? `: ${f.headline}` : ''}.`, actions: dashboard };
  }
  if (f.exit.status === 'stopped' && !f.exit.crashed) {
    return {
      severity: 'info',
      message: `${f.what} stopped${f.resumable ? '; Resume continues it from its last checkpoint' : ' before its first checkpoint, so it cannot be resumed'}.`,
      actions: [...dashboard, ...(f.resumable ? (['Resume'] as const) : [])],
    };
  }
  const why = f.exit.error
    ? `${f.exit.error.message}${f.exit.error.fix ? ` Fix: ${f.exit.error.fix}.` : ''}`
    : f.exit.stderrTail.filter((l) => l.trim()).slice(-2).join(' ') || `exit code ${f.exit.code}${f.exit.signal ? `, signal ${f.exit.signal}` : ''}`;
  return {
    severity: 'error',
    message: f.exit.crashed ? `The engine crashed while running ${f.what}: ${why}` : `The run ${f.what} failed: ${why}`,
    actions: [...dashboard, ...(f.resumable ? (['Resume'] as const) : []), 'Show Engine Log'],
  };
}
