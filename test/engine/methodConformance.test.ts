/**
 * Conformance of every registered method, so that the next one is checked the day it is
 * registered: its loss is finite and falls over a few steps on a tiny batch; gradients reach the
 * student and the method's own parameters only (the teacher stays frozen); no tensor leaks; a
 * checkpoint round trip restores all its state exactly; and its loss and gradients over row
 * slices add up to the whole batch's (what sharing a step among threads relies on).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { methods } from '../../src/engine/methods/catalog';
import type { MethodContext, Prepared, Teachers } from '../../src/engine/methods/method';
import { methodFactory } from '../../src/engine/methods/registry';
import { buildModel } from '../../src/engine/models/registry';
import { packParams } from '../../src/engine/parallel/weights';
import { loadWeights, methodStateOf, optimizerState, readCheckpoint, writeCheckpoint } from '../../src/engine/run/checkpoint';
import { Sgd } from '../../src/engine/step/sgd';
import { addSums, rowsOf } from '../../src/engine/step/shares';
import { batchOf, disposePrepared, lossAndGradients, startNoiseFor, trainStep, trainableOf } from '../../src/engine/step/trainStep';
import { rolesOf } from '../../src/engine/catalog/types';
import { Rng } from '../../src/engine/util/rng';
import { fashionMini, firstN, useWasm } from './helpers';

before(useWasm);

const ATTACK = { epsilon: 0.1, stepSize: 0.025, steps: 3, randomStart: true };
const ROWS = 64;

/** The method's defaults, with fewer memory-bank negatives where it has them (speed only). */
function settingsOf(info: (typeof methods)[number]): Record<string, unknown> {
  const fast = Object.fromEntries(Object.entries({ negatives: 64 }).filter(([k]) => k in info.settings.shape));
  return info.settings.parse(fast) as Record<string, unknown>;
}

async function setup(name: string, studentSeed = 1) {
  const info = methods.find((m) => m.name === name)!;
  const data = await fashionMini();
  const train = firstN(data.train, 128);
  const student = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: studentSeed });
  const settings = settingsOf(info);
  // Each role the method needs gets its own teacher, with weights of its own.
  const teachers: Teachers = Object.fromEntries(
    rolesOf(info, settings).map((role, k) => [role, buildModel('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 2 + k })]),
  );
  const teacher = teachers.adversarial ?? null;
  const ctx: MethodContext = {
    student,
    teacher,
    teachers,
    settings,
    attack: { ...ATTACK, start: info.attackStart ?? 'uniform' },
    trainSize: train.count,
    trainLabels: train.labels,
    numClasses: 10,
    seed: 1,
  };
  const method = methodFactory(name)(ctx);
  const sgd = new Sgd(trainableOf(student, method), { momentum: 0.9, weightDecay: 5e-4 });
  const b = { images: train.images.slice(0, ROWS * 784), labels: train.labels.slice(0, ROWS), indices: Int32Array.from({ length: ROWS }, (_, i) => i), size: ROWS };
  const options = { startNoise: startNoiseFor(name, ATTACK) };
  const dispose = () => {
    sgd.dispose();
    method.dispose?.();
    student.params.dispose();
    for (const t of Object.values(teachers)) t.params.dispose();
  };
  const step = (rng: Rng) => trainStep(student, method, sgd, b, 0.05, rng, options);
  return { student, teacher, teachers, method, sgd, b, options, ctx, dispose, trainStep: step };
}

for (const info of methods) {
  const name = info.name;

  test(`${name}: a finite loss that falls over a few steps, no tensor leak, the teacher frozen`, async () => {
    const s = await setup(name);
    try {
      const teacherParams = Object.values(s.teachers).map((t) => t.params);
      const teacherBefore = teacherParams.length > 0 ? packParams(teacherParams) : null;
      const rng = new Rng(4);
      const first = s.trainStep(rng);
      const tensors = tf.memory().numTensors; // after the first step made the momentum buffers
      let last = first;
      for (let i = 0; i < 8; i++) last = s.trainStep(rng);
      assert.equal(tf.memory().numTensors, tensors, 'tensors leaked across steps');
      assert.ok(Number.isFinite(first.loss) && Number.isFinite(last.loss), `loss ${first.loss} -> ${last.loss}`);
      // CRD as coded fixes its NCE normaliser Z on the first batch, while the memory banks are still
      // random; its contrastive term then rises for a few dozen steps as the banks fill. Its
      // supervised term must still fall, as every other method's total does.
      const fell = last.loss < first.loss || (name === 'crd' && last.terms.ce < first.terms.ce);
      assert.ok(fell, `loss ${first.loss} -> ${last.loss} (terms ${JSON.stringify(first.terms)} -> ${JSON.stringify(last.terms)}) did not fall`);
      if (teacherBefore) assert.deepEqual(packParams(teacherParams), teacherBefore, 'a teacher changed');
      if (info.sampleWeights) {
        assert.ok(last.weights, 'a method that weights its samples reports the weights');
        assert.ok(Math.abs(last.weights.weights.reduce((a, v) => a + v, 0) / ROWS - 1) < 1e-4, 'weights have mean 1');
      }
    } finally {
      s.dispose();
    }
  });

  test(`${name}: gradients reach the student and the method's own parameters, never the teacher`, async () => {
    const s = await setup(name);
    try {
      const batch = batchOf(s.b, [28, 28, 1], s.options.startNoise, new Rng(3));
      const plan = s.method.plan?.({ labels: s.b.labels, indices: s.b.indices, total: ROWS }, new Rng(5)) ?? {};
      const prepared = s.method.prepare(batch, plan);
      const teacherVars = Object.values(s.teachers).flatMap((t) => t.params.trainableNamed());
      const all = [...trainableOf(s.student, s.method), ...teacherVars];
      const whole = { total: ROWS, plan, sums: prepared.sums ?? {}, gathered: prepared.gathered ?? {} };
      const { grads } = tf.tidy(() => {
        const r = lossAndGradients(s.method, batch, prepared, whole, all);
        return { grads: Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, tf.norm(g).dataSync()[0]])) } as never;
      }) as unknown as { grads: Record<string, number> };
      for (const [, v] of teacherVars) assert.ok(!(v.name in grads) || grads[v.name] === 0, `the teacher's ${v.name} got a gradient`);
      for (const [n, v] of trainableOf(s.student, s.method)) assert.ok(grads[v.name] > 0, `${n} got no gradient`);
      disposePrepared(prepared);
      tf.dispose([batch.x, batch.y, batch.noise ?? []].flat());
    } finally {
      s.dispose();
    }
  });

  test(`${name}: a checkpoint round trip restores every state exactly`, async () => {
    const a = await setup(name);
    const b = await setup(name, 99); // other initial weights: the checkpoint must overwrite them all
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-conformance-'));
    try {
      const rng = new Rng(8);
      for (let i = 0; i < 3; i++) a.trainStep(rng);
      const where = path.join(dir, 'ck');
      writeCheckpoint(
        where,
        { arch: a.student.arch, inputShape: a.student.inputShape, numClasses: 10, model: 'student', method: name, epoch: 0, step: 3, completed: false, rng: { dataEpochStart: rng.state, attack: rng.state } },
        { model: a.student, methodParams: a.method.extraParams, optimizer: a.sgd.state(), methodState: a.method.state?.() ?? {} },
      );
      const ck = readCheckpoint(where);
      loadWeights(ck, b.student, where, b.method.extraParams);
      b.sgd.load(optimizerState(ck));
      b.method.loadState?.(methodStateOf(ck));
      const next = (s: typeof a) => s.trainStep(new Rng(rng.state));
      const [ra, rb] = [next(a), next(b)];
      assert.equal(rb.loss, ra.loss, 'the next step after the round trip differs');
      assert.deepEqual(packParams([b.student.params, b.method.extraParams]), packParams([a.student.params, a.method.extraParams]));
      for (const [k, v] of Object.entries(a.method.state?.() ?? {})) assert.deepEqual(Array.from(b.method.state!()[k]), Array.from(v), `state ${k}`);
    } finally {
      a.dispose();
      b.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: loss and gradients over row slices add up to the whole batch's`, async () => {
    const s = await setup(name);
    try {
      const batch = batchOf(s.b, [28, 28, 1], s.options.startNoise, new Rng(3));
      const plan = s.method.plan?.({ labels: s.b.labels, indices: s.b.indices, total: ROWS }, new Rng(5)) ?? {};
      if (s.method.shareable?.(plan) === false) return; // such a step always runs whole
      const vars = trainableOf(s.student, s.method);
      const run = (parts: Array<[number, number]>) => {
        const rows = parts.map(([from, to]) => rowsOf(batch, from, to));
        const prepared: Prepared[] = rows.map((r) => s.method.prepare(r, plan));
        const keys = Object.keys(prepared[0].gathered ?? {});
        const whole = {
          total: ROWS,
          plan,
          sums: addSums(prepared.map((p) => p.sums)),
          gathered: Object.fromEntries(keys.map((k) => [k, tf.concat(prepared.map((p) => p.gathered![k]))])),
        };
        let loss = 0;
        const grads = new Map<string, Float32Array>();
        rows.forEach((r, i) => {
          const out = lossAndGradients(s.method, r, prepared[i], whole, vars);
          loss += out.loss;
          for (const [, v] of vars) {
            const g = out.grads[v.name].dataSync() as Float32Array;
            const acc = grads.get(v.name);
            grads.set(v.name, acc ? acc.map((x, k) => x + g[k]) : g.slice());
          }
          tf.dispose(Object.values(out.grads));
          disposePrepared(prepared[i]);
        });
        tf.dispose(Object.values(whole.gathered));
        return { loss, grads };
      };
      const one = tf.tidy(() => run([[0, ROWS]]) as never) as unknown as ReturnType<typeof run>;
      const three = tf.tidy(() => run([[0, 30], [30, 47], [47, ROWS]]) as never) as unknown as ReturnType<typeof run>;
      assert.ok(Math.abs(one.loss - three.loss) <= 2e-3 * Math.abs(one.loss), `loss ${one.loss} vs ${three.loss} over slices`);
      for (const [k, g] of one.grads) {
        const h = three.grads.get(k)!;
        const scale = Math.max(...g.map(Math.abs), 1e-12);
        const gap = Math.max(...g.map((x, i) => Math.abs(x - h[i])));
        assert.ok(gap <= 2e-3 * scale, `gradient of ${k}: ${gap} against a scale of ${scale}`);
      }
      tf.dispose([batch.x, batch.y, batch.noise ?? []].flat());
    } finally {
      s.dispose();
    }
  });
}
