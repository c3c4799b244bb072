/**
 * The human line of each engine event, as `gacd run` prints it: the CLI's printer and progress
 * bar and the extension's engine log both write these, so a run reads the same in a terminal and
 * in VS Code. Plain strings only (no tfjs, no vscode): both sides may import it.
 */
import type { EngineEvent } from './events';

/** "45s", "3m07s", "1h02m": a duration for a log line. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** "37% · ETA 1m23s": the run's one progress figure (no ETA until one was measured). */
export function runProgressText(fraction: number, etaSeconds: number | undefined): string {
  const eta = etaSeconds === undefined ? '' : ` · ETA ${formatDuration(etaSeconds)}`;
  return `${Math.floor(fraction * 100)}%${eta}`;
}

/** "evaluating student · pgd-20 500/1000 (row 3/7)": what a run is doing, from its `run-progress`. */
export function runProgressPhrase(p: { phase: string; model: string; detail: string }): string {
  switch (p.phase) {
    case 'training':
      return `training ${p.model} · ${p.detail}`;
    case 'evaluation':
      return `evaluating ${p.model} · ${p.detail}`;
    case 'done':
      return 'finished';
    default:
      return 'starting';
  }
}

/** The line of an epoch: loss (with its terms when there are several), accuracies, duration. */
export function epochLine(e: Extract<EngineEvent, { type: 'epoch' }>): string {
  const terms = Object.entries(e.lossTerms);
  const split = terms.length > 1 ? ` (${terms.map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')})` : '';
  const robust = e.robustAccuracy === undefined ? '' : `  pgd-10 ${pct(e.robustAccuracy)}`;
  return (
    `${e.model} epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}${split}  train ${pct(e.trainAccuracy)}` +
    `  test ${pct(e.testAccuracy)}${robust}  lr ${Number(e.lr.toPrecision(3))}  ${formatDuration(e.durationMs / 1000)}`
  );
}

/**
 * The line of an event for a log, or null for the events a log leaves to a progress display
 * (training steps, evaluation blocks, the run's progress figure) and those with no text.
 */
export function eventLine(e: EngineEvent): string | null {
  switch (e.type) {
    case 'run-start':
      return `gacd ${e.versions.engine ?? ''} · backend ${e.backend}: ${e.backendDetail} · ${e.resumed ? 'resuming' : 'run'} ${e.runDir}`;
    case 'stage-start':
      return e.loadedFrom
        ? `${e.model}: ${e.arch} (${e.params.toLocaleString('en')} parameters) loaded from ${e.loadedFrom}`
        : `${e.model}: ${e.method} on ${e.arch} (${e.params.toLocaleString('en')} parameters), ${e.epochs} epochs of ${e.stepsPerEpoch} steps`;
    case 'epoch':
      return epochLine(e);
    case 'similarity':
      return (
        `  ${e.model} vs teacher: CKA clean ${e.cka.clean.toFixed(3)} adv ${e.cka.adversarial.toFixed(3)}` +
        (e.cosine ? ` · cosine clean ${e.cosine.clean.toFixed(3)} adv ${e.cosine.adversarial.toFixed(3)}` : '') +
        (e.logitCorrelationGap !== undefined ? ` · logit-correlation gap ${e.logitCorrelationGap.toFixed(3)}` : '')
      );
    case 'evaluation':
      return `evaluated ${e.model}${e.cached ? ' (cached)' : ''}: ${e.results.map((r) => `${r.attack} ${pct(r.accuracy)}`).join(', ')}`;
    case 'flag':
      return `flag (${e.model}): ${e.title}: ${e.message} What to do: ${e.fix}.`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'error':
      return `error: ${e.message}${e.fix ? ` (fix: ${e.fix})` : ''}`;
    case 'run-end':
      return `${e.status} in ${(e.durationMs / 1000).toFixed(1)} s`;
    default:
      return null;
  }
}

/**
 * A line for a log that has no progress bar (the extension's engine log): each evaluation row
 * as it completes, so a long evaluation shows where it is; null for the other blocks.
 */
export function evaluationRowLine(e: Extract<EngineEvent, { type: 'evaluation-progress' }>): string | null {
  return e.done === e.total ? `  evaluating ${e.model}: ${e.attack} done (row ${e.row + 1} of ${e.rows})` : null;
}
