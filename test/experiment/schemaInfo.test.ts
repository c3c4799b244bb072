import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { datasetNames } from '../../src/engine/data/catalog';
import { methodNames, methods } from '../../src/engine/methods/catalog';
import { modelNames } from '../../src/engine/models/catalog';
import { describeAt, describeSchema, typeWords } from '../../src/engine/experiment/schemaInfo';
import { experimentFields } from '../../src/engine/experiment/schema';

/** Every leaf setting of an object schema, as paths (method blocks expanded per method). */
function leaves(info = describeAt([])!, path: string[] = [], data: unknown = {}): string[][] {
  return (info.keys ?? []).flatMap((k) => {
    const child = describeAt([...path, k], data)!;
    return child.kind === 'section' && child.keys ? leaves(child, [...path, k], data) : [[...path, k]];
  });
}

test('every setting has a description, and a default unless it must be written', () => {
  const required = new Set([
    'data.dataset',
    'student.model',
    'method.name',
    'teacher.model',
    'teacher.data.dataset',
    ...['adversarial', 'natural'].flatMap((role) => [`teachers.${role}.model`, `teachers.${role}.data.dataset`]),
    // A normalisation, when written, gives both its lists.
    ...['teacher', 'teachers.adversarial', 'teachers.natural'].flatMap((t) => [`${t}.normalization.mean`, `${t}.normalization.std`]),
  ]);
  const data = { method: { name: 'gacd' }, teacher: { train: { method: 'ard' } } };
  for (const p of leaves(describeAt([])!, [], data)) {
    const info = describeAt(p, data)!;
    assert.ok(info.description, `${p.join('.')} has a description`);
    const name = p.join('.');
    if (required.has(name) || /^teachers?(\.\w+)?\.train\.method$/.test(name)) assert.equal(info.required, true, name);
    else assert.ok(info.hasDefault || name === 'name', `${name} has a default`);
  }
  for (const m of methods) {
    for (const [key, schema] of Object.entries(m.settings.shape)) {
      const info = describeSchema(schema as z.ZodType);
      assert.ok(info.description, `${m.name}.${key} has a description`);
      assert.ok(info.hasDefault, `${m.name}.${key} has a default`);
    }
  }
});

test('describes types, defaults, choices and the keys of a method block', () => {
  const eps = describeAt(['training', 'attack', 'epsilon'])!;
  assert.equal(eps.kind, 'number');
  assert.equal(eps.acceptsExpression, true);
  assert.equal(eps.nullable, true);
  assert.deepEqual([eps.min, eps.max], [0, 1]);
  assert.match(eps.defaultText!, /dataset's usual epsilon/);
  assert.equal(typeWords(describeAt(['training', 'epochs'])!), 'an integer');
  assert.equal(describeAt(['training', 'epochs'])!.default, 5);
  assert.deepEqual(describeAt(['data', 'dataset'])!.values, datasetNames);
  assert.equal(describeAt(['data', 'dataset'])!.meta.catalog, 'dataset');
  assert.deepEqual(describeAt(['student', 'model'])!.values, modelNames);
  assert.deepEqual(describeAt(['backend'])!.values, ['auto', 'tensorflow', 'wasm', 'cpu']);
  assert.deepEqual(describeAt(['method', 'name'], { method: { name: 'ard' } })!.values, methodNames);
  assert.deepEqual(describeAt(['method'], { method: { name: 'ard' } })!.keys, ['name', 'alpha', 'temperature', 'kl_reduction', 'attack_mode']);
  assert.deepEqual(describeAt(['method'], {})!.keys, ['name']);
  const critic = describeAt(['method', 'critic'], { method: { name: 'gacd' } })!;
  assert.deepEqual(critic.values, ['nce', 'infonce']);
  assert.equal(critic.default, 'nce');
  assert.equal(describeAt(['method', 'critic'], { method: { name: 'ard' } }), undefined);
  assert.deepEqual(describeAt(['baselines', 0], { baselines: [{ method: 'pgd-at' }] })!.keys, ['method', 'label']);
  assert.ok(describeAt(['teacher', 'train'], { teacher: { train: { method: 'pgd-at' } } })!.keys!.includes('epochs'));
  assert.deepEqual(describeAt(['evaluation', 'attacks'])!.default, ['clean', 'fgsm', 'pgd-20', 'cw-20']);
  assert.equal(describeAt(['nope']), undefined);
  assert.ok(experimentFields.shape.data);
});
