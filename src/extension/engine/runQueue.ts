/**
 * The queue of engine jobs: at most `maxConcurrent` run at once (one by default: a training run
 * takes every core), the others wait in order. Pure: it calls `start` and is told when a job ends.
 */
export interface QueueJob {
  id: string;
}

export class RunQueue<J extends QueueJob> {
  private readonly waiting: J[] = [];
  private readonly running = new Map<string, J>();

  constructor(
    private maxConcurrent: number,
    private readonly start: (job: J) => void,
    private readonly onChange: () => void = () => {},
  ) {}

  get queued(): readonly J[] {
    return this.waiting;
  }

  get active(): readonly J[] {
    return [...this.running.values()];
  }

  setMaxConcurrent(n: number): void {
    this.maxConcurrent = Math.max(1, Math.floor(n));
    this.pump();
  }

  /** Adds a job; it starts at once when a slot is free. Returns its place in the queue (0: started). */
  enqueue(job: J): number {
    this.waiting.push(job);
    this.pump();
    return this.waiting.indexOf(job) + 1;
  }

  /** Removes a job that has not started. Returns false when it was not waiting. */
  cancel(id: string): boolean {
    const i = this.waiting.findIndex((j) => j.id === id);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    this.onChange();
    return true;
  }

  /** A running job ended (however): its slot goes to the next waiting job. */
  finished(id: string): void {
    if (this.running.delete(id)) this.pump();
  }

  private pump(): void {
    while (this.running.size < Math.max(1, this.maxConcurrent) && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.running.set(job.id, job);
      try {
        this.start(job);
      } catch {
        // A job that could not even start (no node binary) frees its slot at once.
        this.running.delete(job.id);
      }
    }
    this.onChange();
  }
}
