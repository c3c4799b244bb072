/**
 * The engine process manager: queues run and resume jobs (RunQueue), spawns each as an
 * EngineProcess, feeds its events to the RunStore, streams stderr to the engine log, and tells a
 * person how each run ended (runEndNotice.ts), offering its dashboard and, with a checkpoint, Resume.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadExperiment } from '../../engine/experiment';
import { readSettings } from './settings';
import { resumability } from '../runs/checkpoints';
import type { RunStore } from '../runs/runStore';
import { headlineResults } from '../runs/summary';
import type { QueuedRun } from '../runs/treeModel';
import { EngineProcess, type EngineCommand, type EngineExit } from './engineProcess';
import { runEndNotice } from './runEndNotice';
import { RunQueue } from './runQueue';
import { eventLine, evaluationRowLine } from '../../protocol/eventText';

interface Job {
  id: string;
  command: EngineCommand;
  experiment: string;
  process?: EngineProcess;
}

let nextId = 1;

export class EngineManager implements vscode.Disposable {
  private readonly queue: RunQueue<Job>;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly started = new vscode.EventEmitter<{ runDir: string; kind: 'run' | 'resume' }>();
  /** An engine of this window started a run (its folder is known now: its run-start arrived). */
  readonly onDidStartRun = this.started.event;

  constructor(
    private readonly extensionPath: string,
    private readonly backendsDir: string,
    private readonly store: RunStore,
    private readonly log: vscode.OutputChannel,
  ) {
    this.queue = new RunQueue<Job>(readSettings().maxConcurrentRuns, (job) => this.start(job), () => this.changed.fire());
  }

  setMaxConcurrent(n: number): void {
    this.queue.setMaxConcurrent(n);
  }

  /** Queues `gacd run FILE`; returns its place in the queue (0 or 1 when it starts at once). */
  run(file: string): { position: number; started: boolean } {
    const s = readSettings();
    const loaded = loadExperiment(file);
    const experiment = loaded.spec?.name ?? path.basename(file, '.gacd');
    const job: Job = { id: `job-${nextId++}`, command: { kind: 'run', target: file, runsDir: s.runsDirectory, backend: s.backend }, experiment };
    const position = this.queue.enqueue(job);
    return { position, started: position === 0 };
  }

  resume(runDir: string): { position: number; started: boolean } {
    const s = readSettings();
    const job: Job = { id: `job-${nextId++}`, command: { kind: 'resume', target: runDir, backend: s.backend }, experiment: path.basename(path.dirname(runDir)) };
    const position = this.queue.enqueue(job);
    return { position, started: position === 0 };
  }

  /** Stops the engine driving `runDir`, or drops a queued job. */
  stop(target: { runDir?: string; queueId?: string }): boolean {
    if (target.queueId && this.queue.cancel(target.queueId)) return true;
    const job = this.queue.active.find((j) => j.process && j.process.runDir === target.runDir);
    if (job?.process) {
      job.process.stop();
      this.log.appendLine(`[${path.basename(target.runDir ?? '')}] stop requested: the engine checkpoints and exits`);
      return true;
    }
    const queued = this.queue.queued.find((j) => j.command.kind === 'resume' && j.command.target === target.runDir);
    return queued ? this.queue.cancel(queued.id) : false;
  }

  queued(): QueuedRun[] {
    return this.queue.queued.map((j) => ({ id: j.id, experiment: j.experiment, target: j.command.target, kind: j.command.kind }));
  }

  /** The runs that engines of this window are driving now. */
  liveRunDirs(): string[] {
    return this.queue.active.flatMap((j) => (j.process?.runDir && !j.process.exited ? [j.process.runDir] : []));
  }

  isBusy(): boolean {
    return this.queue.active.length > 0 || this.queue.queued.length > 0;
  }

  private nodeBinary(): string {
    return readSettings().nodePath || process.execPath;
  }

  private start(job: Job): void {
    const s = readSettings();
    const nodeModules = path.join(this.backendsDir, 'node_modules');
    const env: NodeJS.ProcessEnv = {};
    // A GPU or native backend installed by "Install GPU Backend" is found through NODE_PATH.
    if (fs.existsSync(nodeModules)) env.NODE_PATH = [nodeModules, process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
    const tag = () => `[${job.process?.runDir ? path.basename(job.process.runDir) : job.experiment}]`;
    this.log.appendLine(`${tag()} ${job.command.kind === 'run' ? 'running' : 'resuming'} ${job.command.target} with ${this.nodeBinary()}`);
    job.process = new EngineProcess(job.command, { node: this.nodeBinary(), cli: path.join(this.extensionPath, 'dist', 'cli.js'), env, stopTimeoutMs: s.stopTimeoutSeconds * 1000 }, {
      onEvent: (e) => {
        // The engine log reads as the CLI's output: epochs, evaluations, flags, the end.
        const text = e.type === 'evaluation-progress' ? evaluationRowLine(e) : eventLine(e);
        if (text !== null) this.log.appendLine(`${tag()} ${text}`);
        const runDir = job.process?.runDir;
        if (!runDir) return;
        this.store.ingest(runDir, [e]);
        if (e.type === 'run-start') {
          this.store.setLive(runDir, true);
          this.changed.fire();
          this.started.fire({ runDir, kind: job.command.kind });
        }
      },
      onStderr: (line) => this.log.appendLine(`${tag()} ${line}`),
      onInvalid: (line, reason) => this.log.appendLine(`${tag()} the engine printed a line that is not a valid event (${reason}): ${line.slice(0, 200)}`),
      onExit: (exit) => this.exited(job, exit),
    });
    if (job.command.kind === 'resume') this.store.setLive(job.command.target, true);
  }

  private exited(job: Job, exit: EngineExit): void {
    const runDir = job.process?.runDir;
    this.log.appendLine(`[${runDir ? path.basename(runDir) : job.experiment}] engine exited: ${exit.status} (code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ''})`);
    if (runDir) this.store.setLive(runDir, false, exit.status === 'finished' ? undefined : exit.status);
    this.queue.finished(job.id);
    this.changed.fire();
    void this.tellEnd(job, exit, runDir);
  }

  /** Says how the run ended, with Open Dashboard, Resume where a checkpoint exists, and the engine log on a failure. */
  private async tellEnd(job: Job, exit: EngineExit, runDir: string | undefined): Promise<void> {
    const summary = runDir ? this.store.get(runDir) : undefined;
    const end = runDir ? [...this.store.events(runDir)].reverse().find((e) => e.type === 'run-end') : undefined;
    const notice = runEndNotice({
      what: runDir ? `${job.experiment} (${path.basename(runDir)})` : job.experiment,
      exit,
      headline: summary ? headlineResults(summary) : undefined,
      durationMs: end?.type === 'run-end' ? end.durationMs : undefined,
      resumable: !!runDir && resumability(runDir).ok,
      hasRunDir: !!runDir,
    });
    const show = { info: vscode.window.showInformationMessage, warning: vscode.window.showWarningMessage, error: vscode.window.showErrorMessage }[notice.severity];
    const choice = await show(notice.message, ...notice.actions);
    if (choice === 'Open Dashboard' && runDir) await vscode.commands.executeCommand('gacd.openDashboard', runDir);
    if (choice === 'Resume' && runDir) await vscode.commands.executeCommand('gacd.resumeRun', runDir);
    if (choice === 'Show Engine Log') this.log.show(true);
  }

  dispose(): void {
    // A window that closes asks its engines to checkpoint; they finish the step and exit.
    for (const job of this.queue.active) job.process?.stop();
    this.changed.dispose();
    this.started.dispose();
  }
}
