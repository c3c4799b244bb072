import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  keysAt,
  parseExperimentText,
  pathAtOffset,
  rangeNear,
  rangeOf,
  sourceOf,
  toPlain,
} from '../../src/engine/experiment/parse';

// Columns are 1-based and the end is exclusive.
const text = `name: demo
training:
  attack:
    epsilon: 8/255   # papers write it so
    steps: 10
  milestones: [100, 150]
baselines:
  - method: ard
    temperature: 10
teacher:
  checkpoint:
`;
const parsed = parseExperimentText(text);

test('maps a path to the exact key and value ranges', () => {
  assert.deepEqual(rangeOf(parsed, ['training', 'attack', 'epsilon'], 'value'), { line: 4, column: 14, endLine: 4, endColumn: 19 });
  assert.deepEqual(rangeOf(parsed, ['training', 'attack', 'epsilon'], 'key'), { line: 4, column: 5, endLine: 4, endColumn: 12 });
  assert.deepEqual(rangeOf(parsed, ['training', 'milestones', 1]), { line: 6, column: 21, endLine: 6, endColumn: 24 });
  assert.deepEqual(rangeOf(parsed, ['baselines', 0, 'temperature'], 'value'), { line: 9, column: 18, endLine: 9, endColumn: 20 });
  // A section, or an empty value, is shown at its key.
  assert.deepEqual(rangeOf(parsed, ['training', 'attack']), { line: 3, column: 3, endLine: 3, endColumn: 9 });
  assert.deepEqual(rangeOf(parsed, ['teacher', 'checkpoint']), { line: 11, column: 3, endLine: 11, endColumn: 13 });
  // A list item that is a section is shown on its first line.
  assert.deepEqual(rangeOf(parsed, ['baselines', 0]), { line: 8, column: 5, endLine: 8, endColumn: 16 });
  assert.equal(rangeOf(parsed, ['training', 'nothing']), undefined);
});

test('falls back to the nearest ancestor that is in the file', () => {
  assert.deepEqual(rangeNear(parsed, ['training', 'attack', 'random_start']), { line: 3, column: 3, endLine: 3, endColumn: 9 });
  assert.deepEqual(rangeNear(parsed, ['evaluation', 'epsilon']), { line: 1, column: 1, endLine: 1, endColumn: 11 });
});

test('reads source text, plain values, written keys and the path under an offset', () => {
  assert.equal(sourceOf(parsed, ['training', 'attack', 'epsilon']), '8/255');
  assert.deepEqual(toPlain(parsed), {
    name: 'demo',
    training: { attack: { epsilon: '8/255', steps: 10 }, milestones: [100, 150] },
    baselines: [{ method: 'ard', temperature: 10 }],
    teacher: { checkpoint: null },
  });
  assert.deepEqual(keysAt(parsed, ['training', 'attack']), ['epsilon', 'steps']);
  assert.deepEqual(keysAt(parsed, []), ['name', 'training', 'baselines', 'teacher']);
  const at = (needle: string, delta = 0) => pathAtOffset(parsed, text.indexOf(needle) + delta);
  assert.deepEqual(at('epsilon'), { path: ['training', 'attack', 'epsilon'], onKey: true });
  assert.deepEqual(at('8/255', 2), { path: ['training', 'attack', 'epsilon'], onKey: false });
  assert.deepEqual(at('150'), { path: ['training', 'milestones', 1], onKey: false });
  assert.deepEqual(at('temperature'), { path: ['baselines', 0, 'temperature'], onKey: true });
});
