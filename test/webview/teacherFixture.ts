/** A fixture run (fixtures.ts) whose teacher was evaluated too, for the comparison's shared rows. */
import { engineEvent, type EngineEvent } from '../../src/protocol/events';
import type { fixtureRun } from './fixtures';

/** A fixture run whose teacher was evaluated too (an `evaluation` event after the others). */
export function withTeacher(f: ReturnType<typeof fixtureRun>, clean: number): { run: typeof f.run; events: EngineEvent[] } {
  const seq = f.events[f.events.length - 1].seq + 1;
  const teacher = engineEvent.parse({
    seq,
    time: '2026-11-25T13:00:00.000Z',
    type: 'evaluation',
    model: 'teacher',
    method: 'pgd-at',
    arch: 'small-cnn',
    results: [
      { attack: 'clean', epsilon: 0, accuracy: clean },
      { attack: 'fgsm', epsilon: 0.1, accuracy: 0.7 },
      { attack: 'pgd-20', epsilon: 0.1, accuracy: 0.6 },
      { attack: 'cw-20', epsilon: 0.1, accuracy: 0.58 },
    ],
    accuracyVsEpsilon: [{ epsilon: 0, accuracy: clean }],
    examples: 100,
  });
  return { run: f.run, events: [...f.events, teacher] };
}
