/**
 * What the peer-loss tests share: a PyTorch fixture script run by Debian's /usr/bin/python3 with its
 * input as JSON on stdin, hand-made logits from a fixed seed, and closeness at a relative tolerance.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Rng } from '../../src/engine/util/rng';

export type Matrix = number[][];

/** The JSON a fixture script under test/fixtures/ prints for `input`. */
export function torchReference<T>(script: string, input: Record<string, unknown>): T {
  const file = path.join(__dirname, '..', 'fixtures', script);
  return JSON.parse(execFileSync('/usr/bin/python3', [file], { input: JSON.stringify(input), encoding: 'utf8' })) as T;
}

/** Hand-made logits: `rows` x `classes`, spread over about [-4, 4], from a fixed seed. */
export function handLogits(rows: number, classes: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: classes }, () => (rng.next() - 0.5) * 8));
}

export function assertClose(actual: number, expected: number, what: string, rtol = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= rtol * Math.abs(expected), `${what}: ${actual} vs PyTorch ${expected}`);
}

/** Element-wise, to a relative `rtol` of the largest entry (tiny entries are compared at that scale). */
export function assertMatrixClose(actual: Float32Array | number[], expected: Matrix | number[], what: string, rtol = 1e-5): void {
  const flat = (expected as number[][]).flat();
  const scale = Math.max(...flat.map(Math.abs));
  assert.equal(actual.length, flat.length, `${what}: shape`);
  flat.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= rtol * scale, `${what}[${i}]: ${actual[i]} vs PyTorch ${e}`));
}
