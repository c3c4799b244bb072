/**
 * The run's event log: stamps each event with its sequence number and time, appends it to
 * `events.jsonl`, and hands it to the listeners (the `--json` printer, the progress bar). The file
 * is append-only; a resumed run continues the numbering.
 */
import * as fs from 'node:fs';
import { EngineEvent, EventBody } from '../../protocol/events';
import { describeIoError } from './atomicWrite';

export type Listener = (event: EngineEvent) => void;

export class EventLog {
  private seq = 0;
  private readonly listeners: Listener[] = [];
  private writeFailed = false;

  constructor(readonly file: string | null) {
    if (file && fs.existsSync(file)) {
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
      for (const line of lines) {
        try {
          this.seq = Math.max(this.seq, (JSON.parse(line) as { seq: number }).seq + 1);
        } catch {
          // A torn last line from a killed engine: numbering goes on after the last whole one.
        }
      }
    }
  }

  listen(l: Listener): void {
    this.listeners.push(l);
  }

  emit(body: EventBody): EngineEvent {
    const event = { seq: this.seq++, time: new Date().toISOString(), ...body } as EngineEvent;
    if (this.file && !this.writeFailed) {
      try {
        fs.appendFileSync(this.file, JSON.stringify(event) + '\n');
      } catch (err) {
        // A full disk must not kill the run before it can report it: say so once, keep going.
        this.writeFailed = true;
        const io = describeIoError(err, this.file);
        process.stderr.write(`gacd: ${io.message}; events now go to stdout/stderr only (fix: ${io.fix})\n`);
      }
    }
    for (const l of this.listeners) l(event);
    return event;
  }
}
