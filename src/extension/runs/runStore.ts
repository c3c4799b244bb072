/**
 * Every run this window knows: the run folders found in the workspace (and the configured runs
 * folder), kept current by a file watcher, and the runs that engines of this window drive, fed
 * from their stdout. Events are deduplicated by sequence number, so a line that arrives from both
 * the engine and the log counts once. A reload rebuilds everything from the folders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineEvent } from '../../protocol/events';
import type { RunMeta } from '../../protocol/runMeta';
import { RunLogReader } from './runLog';
import { readRunMeta } from './runMeta';
import { summarize, type RunSummary } from './summary';

interface Entry {
  runDir: string;
  reader: RunLogReader;
  events: EngineEvent[];
  lastSeq: number;
  summary: RunSummary;
  exited?: 'stopped' | 'failed';
  /** The run's meta.json as last read (label, tags, note), or why it could not be. */
  meta?: RunMeta;
  metaError?: string;
}

export class RunStore implements vscode.Disposable {
  private readonly runs = new Map<string, Entry>();
  private readonly live = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly appended = new vscode.EventEmitter<{ runDir: string; events: EngineEvent[] }>();
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private pendingReads = new Map<string, NodeJS.Timeout>();
  private changeTimer: NodeJS.Timeout | undefined;
  private readonly staleTimer: NodeJS.Timeout;

  /** Fires (debounced) when any run's summary may have changed. */
  readonly onDidChange = this.changed.event;
  /** New events of one run, in order. */
  readonly onDidAppend = this.appended.event;

  constructor(
    private runsDirectory: () => string | undefined,
    private readonly log: (line: string) => void,
  ) {
    // Runs driven from elsewhere (the CLI, another machine writing to a shared folder, where file
    // events may never arrive) are polled while they run; one that stops writing turns from
    // running to interrupted without any event. New runs in the configured folder are looked for too.
    let ticks = 0;
    this.staleTimer = setInterval(() => {
      this.pollExternal();
      if (++ticks % 15 === 0) this.scanRunsDirectory();
    }, 2000);
    this.disposables.push(this.changed, this.appended);
  }

  /** Finds every run folder and starts watching for new ones. */
  async start(): Promise<void> {
    this.watch();
    await this.scan();
  }

  async scan(): Promise<void> {
    const found = new Set<string>();
    const logs = await vscode.workspace.findFiles('**/.gacd-runs/*/*/events.jsonl', '**/node_modules/**', 5000);
    for (const uri of logs) found.add(path.dirname(uri.fsPath));
    const extra = this.runsDirectory();
    if (extra && fs.existsSync(extra)) {
      for (const exp of safeReaddir(extra)) for (const run of safeReaddir(path.join(extra, exp))) {
        const dir = path.join(extra, exp, run);
        if (fs.existsSync(path.join(dir, 'events.jsonl'))) found.add(dir);
      }
    }
    for (const dir of found) this.read(dir);
    for (const dir of [...this.runs.keys()]) if (!found.has(dir) && !this.live.has(dir) && !fs.existsSync(dir)) this.runs.delete(dir);
    this.fireChanged();
  }

  /**
   * Watches the workspace's run folders and the configured one (which may be outside it). The
   * watcher reports a folder created with files in it as the folder alone, so every event under a
   * runs folder is mapped to the run folders it may concern, not only events.jsonl changes.
   */
  watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const roots: Array<{ pattern: vscode.GlobPattern; base?: string }> = [{ pattern: '**/.gacd-runs/**' }];
    const extra = this.runsDirectory();
    if (extra) roots.push({ pattern: new vscode.RelativePattern(vscode.Uri.file(extra), '**'), base: extra });
    for (const { pattern, base } of roots) {
      const w = vscode.workspace.createFileSystemWatcher(pattern);
      const touch = (uri: vscode.Uri) => {
        for (const dir of this.runDirsUnder(uri.fsPath, base)) this.readSoon(dir);
      };
      w.onDidCreate(touch);
      w.onDidChange(touch);
      w.onDidDelete((uri) => {
        let removed = false;
        for (const dir of [...this.runs.keys()]) {
          if ((dir === uri.fsPath || dir.startsWith(uri.fsPath + path.sep) || uri.fsPath === path.join(dir, 'events.jsonl')) && !this.live.has(dir)) {
            this.runs.delete(dir);
            removed = true;
          }
        }
        if (removed) this.fireChanged();
      });
      this.watchers.push(w);
    }
  }

  /** The run folders that a change at `file` may concern: `<runs>/<experiment>/<run>/...`. */
  private runDirsUnder(file: string, base?: string): string[] {
    let root = base;
    let rest: string[];
    if (root && (file === root || file.startsWith(root + path.sep))) {
      rest = path.relative(root, file).split(path.sep).filter(Boolean);
    } else {
      const parts = file.split(path.sep);
      const i = parts.lastIndexOf('.gacd-runs');
      if (i < 0) return [];
      root = parts.slice(0, i + 1).join(path.sep);
      rest = parts.slice(i + 1);
    }
    // Hidden folders (the engine's evaluation cache, `.cache/`) hold no runs.
    if (rest[0]?.startsWith('.')) return [];
    if (rest.length >= 2) return [path.join(root, rest[0], rest[1])];
    const experiments = rest.length === 1 ? [rest[0]] : safeReaddir(root).filter((e) => !e.startsWith('.'));
    return experiments.flatMap((exp) => safeReaddir(path.join(root!, exp)).map((run) => path.join(root!, exp, run)));
  }

  private readSoon(runDir: string, attempt = 0): void {
    if (this.pendingReads.has(runDir)) return;
    if (!this.runs.has(runDir) && !fs.existsSync(path.join(runDir, 'events.jsonl'))) {
      // A run folder a moment before its log exists: look again shortly (for up to 30 s).
      if (attempt < 60 && fs.existsSync(runDir)) setTimeout(() => this.readSoon(runDir, attempt + 1), 500);
      return;
    }
    this.pendingReads.set(
      runDir,
      setTimeout(() => {
        this.pendingReads.delete(runDir);
        this.read(runDir);
      }, 100),
    );
  }

  private entry(runDir: string): Entry {
    let e = this.runs.get(runDir);
    if (!e) {
      e = { runDir, reader: new RunLogReader(path.join(runDir, 'events.jsonl')), events: [], lastSeq: -1, summary: summarize(runDir, [], { live: this.live.has(runDir) }) };
      this.runs.set(runDir, e);
    }
    return e;
  }

  /** Reads what the run's log gained since last time, and its meta.json. */
  read(runDir: string): void {
    const e = this.entry(runDir);
    const r = e.reader.readNew();
    for (const line of r.invalid) this.log(`${runDir}/events.jsonl: skipped a line that is not a valid event: ${line}`);
    this.readMeta(e);
    this.ingest(runDir, r.events);
  }

  /** Picks up a changed meta.json (a rename here or by hand); a malformed one is logged once. */
  private readMeta(e: Entry): void {
    const m = readRunMeta(e.runDir);
    const changed = JSON.stringify(m.meta) !== JSON.stringify(e.meta) || m.error !== e.metaError;
    if (!changed) return;
    if (m.error) this.log(m.error);
    e.meta = m.meta;
    e.metaError = m.error;
    e.summary = { ...e.summary, meta: e.meta, metaError: e.metaError };
    this.fireChanged();
  }

  /** Forgets a run whose folder was deleted, without waiting for the file watcher. */
  remove(runDir: string): void {
    if (this.live.has(runDir) || !this.runs.delete(runDir)) return;
    this.fireChanged();
  }

  /** Adds events (from the log or an engine's stdout), skipping those already seen. */
  ingest(runDir: string, events: readonly EngineEvent[]): void {
    const e = this.entry(runDir);
    const fresh = events.filter((x) => x.seq > e.lastSeq);
    if (fresh.length) {
      e.lastSeq = fresh[fresh.length - 1].seq;
      e.events.push(...fresh);
      this.appended.fire({ runDir, events: fresh });
    }
    this.resummarize(e);
  }

  private resummarize(e: Entry): void {
    let mtimeMs: number | undefined;
    try {
      mtimeMs = fs.statSync(path.join(e.runDir, 'events.jsonl')).mtimeMs;
    } catch {
      mtimeMs = undefined;
    }
    const before = e.summary;
    e.summary = { ...summarize(e.runDir, e.events, { live: this.live.has(e.runDir), mtimeMs, exited: e.exited }), meta: e.meta, metaError: e.metaError };
    if (before.status !== e.summary.status || before.lastSeq !== e.summary.lastSeq) this.fireChanged();
  }

  private pollExternal(): void {
    for (const e of this.runs.values()) if (e.summary.status === 'running' && !this.live.has(e.runDir)) this.read(e.runDir);
  }

  private scanRunsDirectory(): void {
    const extra = this.runsDirectory();
    if (!extra) return;
    for (const exp of safeReaddir(extra)) for (const run of safeReaddir(path.join(extra, exp))) {
      const dir = path.join(extra, exp, run);
      if (!this.runs.has(dir) && fs.existsSync(path.join(dir, 'events.jsonl'))) this.read(dir);
    }
  }

  /** An engine of this window now drives the run (or stopped driving it, and how it ended). */
  setLive(runDir: string, live: boolean, exited?: 'stopped' | 'failed'): void {
    if (live) this.live.add(runDir);
    else this.live.delete(runDir);
    const e = this.entry(runDir);
    e.exited = live ? undefined : exited;
    // Pick up the last lines the engine wrote.
    this.read(runDir);
    this.resummarize(e);
    this.fireChanged();
  }

  isLive(runDir: string): boolean {
    return this.live.has(runDir);
  }

  get(runDir: string): RunSummary | undefined {
    return this.runs.get(runDir)?.summary;
  }

  events(runDir: string): EngineEvent[] {
    const e = this.runs.get(runDir);
    if (!e) return [];
    this.read(runDir);
    return e.events;
  }

  all(): RunSummary[] {
    return [...this.runs.values()].map((e) => e.summary);
  }

  private fireChanged(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.changed.fire();
    }, 50);
  }

  dispose(): void {
    clearInterval(this.staleTimer);
    for (const t of this.pendingReads.values()) clearTimeout(t);
    if (this.changeTimer) clearTimeout(this.changeTimer);
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}
