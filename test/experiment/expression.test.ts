import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { evaluateExpression, numberOrExpression } from '../../src/engine/catalog/expression';

const value = (s: string) => {
  const r = evaluateExpression(s);
  assert.ok(r.ok, `${s}: ${r.ok ? '' : r.error}`);
  return r.value;
};

test('evaluates numbers and arithmetic with precedence and parentheses', () => {
  assert.equal(value('8/255'), 8 / 255);
  assert.equal(value('2 / 255'), 2 / 255);
  assert.equal(value('1e-4'), 1e-4);
  assert.equal(value('5E-4'), 5e-4);
  assert.equal(value('.5'), 0.5);
  assert.equal(value('1 + 2 * 3'), 7);
  assert.equal(value('(1 + 2) * 3'), 9);
  assert.equal(value('10 - 4 - 3'), 3);
  assert.equal(value('8 / 2 / 2'), 2);
  assert.equal(value('-2 * -(3)'), 6);
  assert.equal(value(' 0.3 '), 0.3);
});

test('refuses anything that is not arithmetic, without evaluating it', () => {
  for (const bad of ['', '8//255', '1/0', '2 **3', 'Math.PI', '1;process.exit(1)', '(1+2', '1+2)', '1 2', 'e5', '0x10']) {
    const r = evaluateExpression(bad);
    assert.equal(r.ok, false, bad);
  }
  const r = evaluateExpression('1/0');
  assert.ok(!r.ok && /division by zero/.test(r.error));
});

test('numberOrExpression accepts numbers and expressions, and reports bad arithmetic', () => {
  const s = numberOrExpression(z.number().max(1));
  assert.equal(s.parse(0.5), 0.5);
  assert.equal(s.parse('8/255'), 8 / 255);
  const bad = s.safeParse('8//255');
  assert.ok(!bad.success);
  assert.equal(bad.error.issues.length, 1);
  assert.match(bad.error.issues[0].message, /not a number or an arithmetic expression/);
  // A word is simply the wrong type, reported by the number schema.
  const word = s.safeParse('five');
  assert.ok(!word.success);
  assert.equal(word.error.issues[0].code, 'invalid_type');
  assert.ok(!s.safeParse('255/8').success, 'the range still applies after evaluation');
});
