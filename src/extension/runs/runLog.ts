/**
 * Reads a run's `events.jsonl` incrementally: each call returns only the lines appended since the
 * last one, keeps a torn last line (a writer mid-line, a killed engine) for the next call, and
 * validates every line with src/protocol. Node's fs only, no `vscode`, so it is unit-tested.
 */
import * as fs from 'node:fs';
import { engineEvent, type EngineEvent } from '../../protocol/events';

export interface ReadResult {
  events: EngineEvent[];
  /** Lines that are not valid events, with the reason, for the engine log. */
  invalid: string[];
}

export class RunLogReader {
  private offset = 0;
  private partial = '';

  constructor(readonly file: string) {}

  /** Reads what was appended since the last call. A file that shrank (rewritten) is read anew. */
  readNew(): ReadResult & { reset: boolean } {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return { events: [], invalid: [], reset: false };
    }
    let reset = false;
    if (size < this.offset) {
      this.offset = 0;
      this.partial = '';
      reset = true;
    }
    if (size === this.offset) return { events: [], invalid: [], reset };
    const fd = fs.openSync(this.file, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(size - this.offset);
      const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      text = this.partial + buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return { ...parseLines(lines), reset };
  }
}

export function parseLines(lines: readonly string[]): ReadResult {
  const events: EngineEvent[] = [];
  const invalid: string[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const r = engineEvent.safeParse(JSON.parse(line));
      if (r.success) events.push(r.data);
      else invalid.push(`${line.slice(0, 120)}: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
    } catch (err) {
      invalid.push(`${line.slice(0, 120)}: ${(err as Error).message}`);
    }
  }
  return { events, invalid };
}
