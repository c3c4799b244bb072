/**
 * A sign of life from inside long synchronous computations. A timer cannot fire while one attack
 * iteration after another holds the thread, so the loops that can run for minutes (attack
 * iterations) call `heartbeat()`, and a run points it at its progress reporter, which emits only
 * when the run has been silent for a while. Elsewhere (tests, worker threads) it does nothing.
 */
let beat: () => void = () => {};

/** Points the heartbeat at `f` (a run's reporter); returns a function that restores the previous one. */
export function setHeartbeat(f: () => void): () => void {
  const previous = beat;
  beat = f;
  return () => {
    beat = previous;
  };
}

export function heartbeat(): void {
  beat();
}
