/**
 * A one-line progress bar for terminals, redrawn in place on stderr: the whole run's percentage
 * and ETA (`run-progress`), then the current phase's own bar; in a pipe or a log file it prints
 * one line per epoch and per finished evaluation row instead, so cluster logs stay readable.
 */
import { EngineEvent } from '../../protocol/events';
import { epochLine, evaluationRowLine, runProgressText } from '../../protocol/eventText';

export class ProgressBar {
  private epochs = new Map<string, number>();
  private drawn = false;
  /** The whole run's figure, shown before each phase's own bar. */
  private overall = '';

  constructor(private readonly out: NodeJS.WriteStream, private readonly tty = Boolean(out.isTTY)) {}

  handle(e: EngineEvent): void {
    if (e.type === 'stage-start') this.epochs.set(e.model, e.epochs);
    if (e.type === 'run-progress') {
      this.overall = `run ${runProgressText(e.fraction, e.etaSeconds)}`;
      // A heartbeat in a long stretch without steps or blocks still moves the line.
      if (this.tty && this.last) this.draw(this.last);
    }
    if (e.type === 'progress' && this.tty) {
      const width = 24;
      const frac = e.step / e.stepsPerEpoch;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      this.draw(
        `${e.model} epoch ${e.epoch}/${this.epochs.get(e.model) ?? '?'} [${bar}] ${e.step}/${e.stepsPerEpoch}` +
        `  loss ${e.loss.toFixed(3)}  ${e.imagesPerSecond.toFixed(0)} img/s`,
      );
    }
    if (e.type === 'evaluation-progress' && this.tty) {
      const width = 24;
      const frac = (e.row + e.done / Math.max(e.total, 1)) / Math.max(e.rows, 1);
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      this.draw(`evaluating ${e.model} [${bar}] ${e.attack} ${e.done}/${e.total} (row ${e.row + 1} of ${e.rows})`);
    }
    if (e.type === 'evaluation-progress' && !this.tty) {
      // In a log file: each finished row, with the run's figure, so a long evaluation is not silent.
      const row = evaluationRowLine(e);
      if (row) this.out.write(`${row}${this.overall ? ` · ${this.overall}` : ''}\n`);
    }
    if (e.type === 'epoch') {
      this.clear();
      this.last = null;
      this.out.write(epochLine(e) + '\n');
    }
  }

  /** The phase's own line, after the run's figure; redrawn in place. */
  private last: string | null = null;
  private draw(phaseLine: string): void {
    this.last = phaseLine;
    const line = this.overall ? `${this.overall} | ${phaseLine}` : phaseLine;
    this.out.write(`\r${line.slice(0, (this.out.columns ?? 120) - 1)}\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}
