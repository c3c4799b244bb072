/**
 * One engine process: `gacd run FILE --json` or `gacd resume RUN_DIR --json`, spawned with VS
 * Code's own Node (ELECTRON_RUN_AS_NODE) or a configured one. Every stdout line is validated with
 * src/protocol before anyone sees it; stderr goes to the engine log. Stop asks the engine to
 * checkpoint and exit (SIGINT, as Ctrl-C in a terminal), then kills it if it has not exited after
 * a timeout. No `vscode` import: unit-tested with a fake engine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { engineEvent, type EngineEvent } from '../../protocol/events';

export interface EngineCommand {
  kind: 'run' | 'resume';
  /** The .gacd file (run) or the run folder (resume). */
  target: string;
  runsDir?: string;
  backend?: string;
}

export interface EngineLaunch {
  /** The node binary: a configured path, or VS Code's own executable run as Node. */
  node: string;
  /** dist/cli.js of the extension. */
  cli: string;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between SIGINT and SIGKILL on stop. */
  stopTimeoutMs?: number;
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The run's status by the engine's own account (its run-end), or by its exit. */
  status: 'finished' | 'stopped' | 'failed';
  /** The engine died without a run-end (killed, out of memory, a bug): a crash. */
  crashed: boolean;
  /** The last lines of stderr, for the message a person reads. */
  stderrTail: string[];
  /** The error event, when the engine reported one. */
  error?: { message: string; fix?: string };
}

export interface EngineHandlers {
  onEvent(e: EngineEvent): void;
  onStderr(line: string): void;
  /** A stdout line that is not a valid event (an engine of another version, a stray print). */
  onInvalid(line: string, reason: string): void;
  onExit(exit: EngineExit): void;
}

export function engineArgs(c: EngineCommand): string[] {
  const args = c.kind === 'run' ? ['run', c.target, '--json'] : ['resume', c.target, '--json'];
  if (c.kind === 'run' && c.runsDir) args.push('--runs-dir', c.runsDir);
  if (c.backend && c.backend !== 'auto') args.push('--backend', c.backend);
  return args;
}

export class EngineProcess {
  readonly child: ChildProcess;
  runDir: string | undefined;
  private stopping = false;
  private killTimer: NodeJS.Timeout | undefined;
  private lastEnd: EngineEvent | undefined;
  private lastError: { message: string; fix?: string } | undefined;
  private readonly stderrTail: string[] = [];
  exited = false;

  constructor(
    readonly command: EngineCommand,
    private readonly launch: EngineLaunch,
    private readonly h: EngineHandlers,
  ) {
    if (command.kind === 'resume') this.runDir = command.target;
    const cwd = command.kind === 'run' ? path.dirname(command.target) : command.target;
    this.child = spawn(launch.node, [launch.cli, ...engineArgs(command)], {
      cwd,
      env: { ...process.env, ...launch.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.lines(this.child.stdout!, (line) => this.stdoutLine(line));
    this.lines(this.child.stderr!, (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
      h.onStderr(line);
    });
    this.child.on('error', (err) => {
      // The binary could not be started at all (a wrong Node path).
      this.stderrTail.push(`could not start ${launch.node}: ${err.message}`);
      h.onStderr(`could not start ${launch.node}: ${err.message}`);
    });
    this.child.on('close', (code, signal) => this.closed(code, signal));
  }

  private lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (line) onLine(line);
      }
    });
    stream.on('end', () => {
      if (buffer) onLine(buffer);
      buffer = '';
    });
  }

  private stdoutLine(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.h.onInvalid(line, 'not JSON');
      return;
    }
    const r = engineEvent.safeParse(parsed);
    if (!r.success) {
      this.h.onInvalid(line, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return;
    }
    const e = r.data;
    if (e.type === 'run-start') this.runDir = e.runDir;
    if (e.type === 'run-end') this.lastEnd = e;
    if (e.type === 'error') this.lastError = { message: e.message, fix: e.fix };
    this.h.onEvent(e);
  }

  /** Asks the engine to checkpoint and exit; kills it after the timeout. A second call kills at once. */
  stop(): void {
    if (this.exited) return;
    if (this.stopping) {
      this.child.kill('SIGKILL');
      return;
    }
    this.stopping = true;
    this.child.kill('SIGINT');
    this.killTimer = setTimeout(() => {
      if (!this.exited) {
        this.h.onStderr(`the engine did not exit ${+((this.launch.stopTimeoutMs ?? 30_000) / 1000).toFixed(1)} s after SIGINT: killed (its last checkpoint stays valid)`);
        this.child.kill('SIGKILL');
      }
    }, this.launch.stopTimeoutMs ?? 30_000);
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  private closed(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    const end = this.lastEnd?.type === 'run-end' ? this.lastEnd : undefined;
    let status: EngineExit['status'];
    if (end) status = end.status;
    else if (this.stopping) status = 'stopped';
    else status = code === 0 ? 'finished' : code === 130 ? 'stopped' : 'failed';
    const crashed = !end && !this.stopping && code !== 0;
    this.h.onExit({ code, signal, status, crashed, stderrTail: [...this.stderrTail], error: this.lastError });
  }
}
