/**
 * The local executor: a queue that runs a sweep's tasks on this machine, `parallel` at a time,
 * each as its own process (`gacd sweep task DIR ID`, which runs the member with gacd run or gacd
 * resume), its output in the sweep's logs/ folder. Ctrl-C or SIGTERM reaches every running task,
 * which stops after a step with a checkpoint; no new task starts after that.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

/** Runs `run` on each item, at most `parallel` at once, in order; resolves when all have ended. */
export async function runQueue<T>(items: readonly T[], parallel: number, run: (item: T) => Promise<void>, stopped: () => boolean = () => false): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !stopped()) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, lane));
}

export interface LocalTask {
  /** What `gacd sweep task` takes: a member's index, or `t<k>` for the k-th shared teacher. */
  id: string;
  log: string;
}

/** `command` runs a task: e.g. [node, bin/gacd.js, 'sweep', 'task', dir] (the task's id is appended). */
export class LocalExecutor {
  private readonly running = new Set<import('node:child_process').ChildProcess>();
  private stopping = false;

  constructor(private readonly command: string[]) {}

  /** Asks every running task to stop after a checkpoint; starts no more. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.stopping = true;
    for (const child of this.running) child.kill(signal);
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Runs the tasks; each one's exit code (null when it was never started). */
  async run(tasks: readonly LocalTask[], parallel: number, onEnd?: (task: LocalTask, code: number) => void): Promise<Map<string, number | null>> {
    const codes = new Map<string, number | null>(tasks.map((t) => [t.id, null]));
    await runQueue(
      tasks,
      parallel,
      async (task) => {
        const code = await this.one(task);
        codes.set(task.id, code);
        onEnd?.(task, code);
      },
      () => this.stopping,
    );
    return codes;
  }

  private one(task: LocalTask): Promise<number> {
    const out = fs.openSync(task.log, 'a');
    return new Promise((resolve) => {
      const [exe, ...args] = this.command;
      const child = spawn(exe, [...args, task.id], { stdio: ['ignore', out, out] });
      this.running.add(child);
      let ended = false;
      // 'error' (it could not start) and 'exit' may both come: the first one counts.
      const done = (code: number) => {
        if (ended) return;
        ended = true;
        this.running.delete(child);
        fs.closeSync(out);
        resolve(code);
      };
      child.on('error', () => done(1));
      child.on('exit', (code, signal) => done(code ?? (signal ? 128 + 15 : 1)));
    });
  }
}
