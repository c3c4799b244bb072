import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attackNames, attacks, cwSettings, pgdSettings } from '../../src/engine/attacks/catalog';
import { methodNames, methods, unconfirmed } from '../../src/engine/methods/catalog';
import { ardSettings } from '../../src/engine/methods/ard.info';
import { gacdSettings } from '../../src/engine/methods/gacd.info';

test('the methods catalog lists every method with its paper and defaults', () => {
  assert.deepEqual(methodNames, ['natural', 'pgd-at', 'ard', 'gacd', 'trades', 'kd', 'rslad', 'iad', 'adaad', 'igdm', 'crd', 'mtard']);
  for (const m of methods) {
    assert.ok(m.title && m.summary && m.formula, m.name);
    if (m.name !== 'natural') assert.ok(m.paper, m.name);
  }
  assert.deepEqual(
    methods.filter((m) => m.needsTeacher).map((m) => m.name),
    ['ard', 'gacd', 'kd', 'rslad', 'iad', 'adaad', 'igdm', 'crd', 'mtard'],
  );
  assert.deepEqual(ardSettings.parse({}), { alpha: 1, temperature: 30, kl_reduction: 'batchmean', attack_mode: 'eval' });
  assert.deepEqual(gacdSettings.parse({}), {
    gamma: 1,
    beta: 0.8,
    alpha: 0,
    kd_temperature: 4,
    student_tap: 'penultimate',
    teacher_tap: 'penultimate',
    embed_dim: 128,
    critic: 'nce',
    negatives: 16384,
    temperature: 0.07,
    bank_momentum: 0.5,
    class_negatives: true,
    direction: 'teacher-anchor',
    teacher_input: 'clean',
    reweight: 'confidence',
    reweight_beta: 0.1,
    attack_loss: 'ce',
    kl_reduction: 'batchmean',
    attack_mode: 'eval',
  });
  assert.equal(gacdSettings.parse({ temperature: '1/10' }).temperature, 0.1);
  const gacd = methods.find((m) => m.name === 'gacd')!;
  assert.match(gacd.summary, /reconstructed from the abstract; the paper's exact choice is unknown/);
});

test('each unconfirmed GACD setting is a real setting with a reason and a chosen default', () => {
  const keys = Object.keys(gacdSettings.shape);
  assert.ok(unconfirmed.length >= 10);
  for (const u of unconfirmed) {
    assert.equal(u.method, 'gacd');
    assert.ok(keys.includes(u.setting), u.setting);
    assert.ok(u.reason.endsWith('.') && u.chosen.startsWith('Default'), u.setting);
  }
  assert.ok(!unconfirmed.some((u) => u.setting === 'direction'), 'the abstract confirms the teacher as anchor');
  // Hover on each unconfirmed setting says so.
  for (const u of unconfirmed) {
    assert.match(gacdSettings.shape[u.setting as keyof typeof gacdSettings.shape].description!, /reconstructed from the abstract; the paper's exact choice is unknown/i, u.setting);
  }
  assert.doesNotMatch(gacdSettings.shape.direction.description!, /reconstructed/i);
});

test('the attacks catalog lists every attack with its defaults', () => {
  assert.deepEqual(attackNames, ['fgsm', 'pgd', 'cw', 'apgd-ce', 'apgd-dlr', 'apgd-t', 'square', 'aa-style', 'aa-style-fast', 'aa-style-rand']);
  for (const a of attacks) assert.ok(a.title && a.summary && a.paper && a.code && a.formula, a.name);
  assert.deepEqual(pgdSettings.parse({}), { steps: 20, step_size: null, random_start: true, loss: 'ce', restarts: 1 });
  assert.equal(cwSettings.parse({}).steps, 30);
  assert.equal(pgdSettings.parse({ step_size: '2/255' }).step_size, 2 / 255);
});
