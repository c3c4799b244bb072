/** The run queue: one at a time by default, order kept, cancel, a larger limit starts waiting jobs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunQueue } from '../../src/extension/engine/runQueue';

test('one at a time: the second waits until the first finishes', () => {
  const started: string[] = [];
  const q = new RunQueue<{ id: string }>(1, (j) => started.push(j.id));
  assert.equal(q.enqueue({ id: 'a' }), 0);
  assert.equal(q.enqueue({ id: 'b' }), 1);
  assert.equal(q.enqueue({ id: 'c' }), 2);
  assert.deepEqual(started, ['a']);
  assert.deepEqual(q.queued.map((j) => j.id), ['b', 'c']);
  q.finished('a');
  assert.deepEqual(started, ['a', 'b']);
  q.finished('zzz'); // unknown: nothing happens
  assert.deepEqual(started, ['a', 'b']);
});

test('cancel drops a waiting job; a running one is not cancelled here', () => {
  const started: string[] = [];
  let changes = 0;
  const q = new RunQueue<{ id: string }>(1, (j) => started.push(j.id), () => changes++);
  q.enqueue({ id: 'a' });
  q.enqueue({ id: 'b' });
  q.enqueue({ id: 'c' });
  assert.equal(q.cancel('b'), true);
  assert.equal(q.cancel('a'), false);
  q.finished('a');
  assert.deepEqual(started, ['a', 'c']);
  assert.ok(changes > 0);
});

test('raising the limit starts waiting jobs at once', () => {
  const started: string[] = [];
  const q = new RunQueue<{ id: string }>(1, (j) => started.push(j.id));
  for (const id of ['a', 'b', 'c', 'd']) q.enqueue({ id });
  q.setMaxConcurrent(3);
  assert.deepEqual(started, ['a', 'b', 'c']);
  assert.deepEqual(q.active.map((j) => j.id), ['a', 'b', 'c']);
});

test('a job whose start throws frees its slot', () => {
  const started: string[] = [];
  const q = new RunQueue<{ id: string }>(1, (j) => {
    if (j.id === 'bad') throw new Error('no node');
    started.push(j.id);
  });
  q.enqueue({ id: 'bad' });
  q.enqueue({ id: 'good' });
  assert.deepEqual(started, ['good']);
});
