/**
 * A blocking request/reply channel between the main thread and one worker thread. A training step
 * runs inside tf.tidy and cannot await a message, so the payloads travel on a MessageChannel and
 * are read synchronously (`receiveMessageOnPort`), while a four-byte SharedArrayBuffer carries the
 * channel's state and the wake-ups (Atomics.wait / notify). The main thread posts a request, does
 * its own share of the work, then collects the reply.
 */
import { MessageChannel, MessagePort, receiveMessageOnPort } from 'node:worker_threads';

const enum State {
  Idle = 0,
  Request = 1,
  Done = 2,
  Closed = 3,
}

/** The worker's end: posted to the worker (the port in the transfer list). */
export interface ServerEnd {
  port: MessagePort;
  signal: SharedArrayBuffer;
}

type Reply<R> = { ok: true; value: R } | { ok: false; message: string };

/** The main thread's end. */
export class SyncCaller<Q, R> {
  private readonly state: Int32Array;
  private pending = false;

  private constructor(
    private readonly port: MessagePort,
    signal: SharedArrayBuffer,
  ) {
    this.state = new Int32Array(signal);
  }

  /** A channel: this end for the caller, the other to post to the worker. */
  static open<Q, R>(): { caller: SyncCaller<Q, R>; server: ServerEnd } {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    return { caller: new SyncCaller<Q, R>(port1, signal), server: { port: port2, signal } };
  }

  /** Sends a request; `transfer` hands buffers over without copying (they become unusable here). */
  post(request: Q, transfer: ArrayBuffer[] = []): void {
    if (this.pending) throw new Error('a request is already pending on this channel');
    this.port.postMessage(request, transfer);
    this.pending = true;
    Atomics.store(this.state, 0, State.Request);
    Atomics.notify(this.state, 0);
  }

  /** Blocks until the worker's reply to the pending request; throws the worker's error. */
  collect(): R {
    if (!this.pending) throw new Error('no request is pending on this channel');
    while (Atomics.load(this.state, 0) === State.Request) Atomics.wait(this.state, 0, State.Request);
    const received = receiveMessageOnPort(this.port);
    this.pending = false;
    Atomics.store(this.state, 0, State.Idle);
    if (!received) throw new Error('the worker thread answered without a reply');
    const reply = received.message as Reply<R>;
    if (!reply.ok) throw new Error(`worker thread: ${reply.message}`);
    return reply.value;
  }

  /** Collects and drops a pending reply, if any (after an error on this side). */
  drain(): void {
    if (!this.pending) return;
    try {
      this.collect();
    } catch {
      // The step has already failed; the worker's own error adds nothing.
    }
  }

  /** Ends the worker's serving loop (it returns to its message loop). */
  close(): void {
    Atomics.store(this.state, 0, State.Closed);
    Atomics.notify(this.state, 0);
    this.port.close();
  }
}

/**
 * The worker's side: answers requests with `handle` until the caller closes the channel. Blocks
 * the worker thread, which has nothing else to do while the main thread trains.
 */
export function serveSync<Q, R>(end: ServerEnd, handle: (request: Q) => { value: R; transfer?: ArrayBuffer[] }): void {
  const state = new Int32Array(end.signal);
  for (;;) {
    const now = Atomics.load(state, 0);
    if (now === State.Closed) break;
    if (now !== State.Request) {
      Atomics.wait(state, 0, now);
      continue;
    }
    const received = receiveMessageOnPort(end.port);
    let reply: Reply<R>;
    let transfer: ArrayBuffer[] = [];
    try {
      if (!received) throw new Error('woken without a request');
      const answer = handle(received.message as Q);
      reply = { ok: true, value: answer.value };
      transfer = answer.transfer ?? [];
    } catch (err) {
      reply = { ok: false, message: (err as Error).message };
    }
    end.port.postMessage(reply, transfer);
    Atomics.store(state, 0, State.Done);
    Atomics.notify(state, 0);
  }
  end.port.close();
}
