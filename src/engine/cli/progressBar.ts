/**
 * A one-line progress bar with ETA for terminals, redrawn in place on stderr; in a pipe or a log
 * file it prints one line per epoch instead, so cluster logs stay readable.
 */
import { EngineEvent } from '../../protocol/events';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBar {
  private epochs = new Map<string, number>();
  private drawn = false;

  constructor(private readonly out: NodeJS.WriteStream, private readonly tty = Boolean(out.isTTY)) {}

  handle(e: EngineEvent): void {
    if (e.type === 'stage-start') this.epochs.set(e.model, e.epochs);
    if (e.type === 'progress' && this.tty) {
      const width = 24;
      const frac = e.step / e.stepsPerEpoch;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      const line =
        `${e.model} epoch ${e.epoch}/${this.epochs.get(e.model) ?? '?'} [${bar}] ${e.step}/${e.stepsPerEpoch}` +
        `  loss ${e.loss.toFixed(3)}  ${e.imagesPerSecond.toFixed(0)} img/s  ETA ${formatDuration(e.etaSeconds)}`;
      this.out.write(`\r${line.slice(0, (this.out.columns ?? 120) - 1)}\x1b[K`);
      this.drawn = true;
    }
    if (e.type === 'evaluation-progress' && this.tty) {
      const width = 24;
      const frac = (e.row + e.done / Math.max(e.total, 1)) / Math.max(e.rows, 1);
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      const line = `evaluating ${e.model} [${bar}] ${e.attack} ${e.done}/${e.total} (row ${e.row + 1} of ${e.rows})`;
      this.out.write(`\r${line.slice(0, (this.out.columns ?? 120) - 1)}\x1b[K`);
      this.drawn = true;
    }
    if (e.type === 'epoch') {
      this.clear();
      const robust = e.robustAccuracy === undefined ? '' : `  pgd-10 ${(e.robustAccuracy * 100).toFixed(1)}%`;
      this.out.write(
        `${e.model} epoch ${e.epoch}/${e.epochs}  loss ${e.loss.toFixed(4)}  train ${(e.trainAccuracy * 100).toFixed(1)}%` +
          `  test ${(e.testAccuracy * 100).toFixed(1)}%${robust}  ${formatDuration(e.durationMs / 1000)}\n`,
      );
    }
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}
