/**
 * The run's one progress figure: the work plan (units per phase from the spec) and the reporter
 * that follows a run's events. Fed with the events a run emits, in order, with a fake clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent, EventBody } from '../../src/protocol/events';
import { resolveEvaluationEntry } from '../../src/engine/attacks/catalog';
import { RunProgress } from '../../src/engine/run/runProgress';
import { evaluationPhase, passesPerImage, trainingPhase, type Phase } from '../../src/engine/run/workPlan';

const attacks = ['clean', 'fgsm', 'pgd-20', 'cw-20'].map((a) => resolveEvaluationEntry(a));
const evalPlan = { examples: 1000, rows: attacks.map((entry) => ({ entry, epsilon: 0.1 })) };

function phases(): Phase[] {
  const common = { epochs: 2, batchSize: 100, attackSteps: 4, epsilon: 0.1, trainCount: 300, validationCount: 100 };
  return [
    trainingPhase({ label: 'student', method: 'gacd', cost: 1, teacherCost: 3, ...common }),
    trainingPhase({ label: 'baseline:natural', method: 'natural', cost: 1, teacherCost: 0, ...common }),
    evaluationPhase({ label: 'teacher', cost: 3 }, evalPlan),
    evaluationPhase({ label: 'student', cost: 1 }, evalPlan),
    evaluationPhase({ label: 'baseline:natural', cost: 1 }, evalPlan),
  ];
}

/** The events of a run of `phases()`, `secondsPerEvent` apart on the fake clock. */
function runEvents(): EventBody[] {
  const out: EventBody[] = [];
  for (const model of ['student', 'baseline:natural']) {
    for (let epoch = 1; epoch <= 2; epoch++) {
      for (let step = 1; step <= 3; step++) {
        out.push({ type: 'progress', model, epoch, step, stepsPerEpoch: 3, loss: 1, imagesPerSecond: 1, etaSeconds: 1 });
      }
      out.push({ type: 'epoch', model, epoch, epochs: 2, lr: 0.1, loss: 1, lossTerms: {}, trainAccuracy: 0, testAccuracy: 0, durationMs: 1 });
    }
  }
  for (const model of ['teacher', 'student', 'baseline:natural']) {
    attacks.forEach((a, row) => {
      for (const done of [500, 1000]) out.push({ type: 'evaluation-progress', model, attack: a.label, done, total: 1000, row, rows: 4 });
    });
    out.push({ type: 'evaluation', model, method: 'x', arch: 'x', results: [], accuracyVsEpsilon: [], examples: 1000 });
  }
  return out;
}

function replay(throttleMs = 0, count = Infinity) {
  let clock = 0;
  const emitted: Array<Extract<EventBody, { type: 'run-progress' }>> = [];
  const p = new RunProgress(phases(), (b) => b.type === 'run-progress' && emitted.push(b), { throttleMs, now: () => clock });
  const fractions: number[] = [];
  for (const [i, e] of runEvents().slice(0, count).entries()) {
    clock += 1000;
    p.observe({ ...e, seq: i, time: '' } as EngineEvent);
    fractions.push(p.fraction());
  }
  return { p, emitted, fractions, advance: (ms: number) => (clock += ms) };
}

test('passes per image: a gradient step is three passes, a query one, plus the prediction', () => {
  assert.equal(passesPerImage(resolveEvaluationEntry('clean')), 1);
  assert.equal(passesPerImage(resolveEvaluationEntry('pgd-20')), 61);
  assert.equal(passesPerImage(resolveEvaluationEntry('cw-30')), 91);
  assert.ok(passesPerImage(resolveEvaluationEntry('aa-style')) > passesPerImage(resolveEvaluationEntry('pgd-20')));
});

test('the plan weighs an adversarial step by its attack and its teacher, and the evaluation by its attacks', () => {
  const [gacd, natural, teacherEval, studentEval] = phases();
  // gacd: 2 (a step's overhead) x 100 images x (1 x (3 + 3 x 4 attack steps) + 2 teacher passes x 3) = 4200 a step.
  assert.equal(gacd.stepUnits, 4200);
  assert.equal(natural.stepUnits, 600);
  // Evaluation rows: 1000 images x cost x (1, 4, 61, 61) passes.
  assert.deepEqual(studentEval.rowUnits, [1000, 4000, 61000, 61000]);
  assert.equal(teacherEval.units, 3 * studentEval.units);
});

test('the fraction never goes back, covers the evaluation, and stays below 1 until the run finishes', () => {
  const { p, fractions } = replay();
  for (let i = 1; i < fractions.length; i++) assert.ok(fractions[i] >= fractions[i - 1], `fraction fell at event ${i}`);
  // Training done, evaluation not yet started: the evaluation is a real part of the work.
  const trainingEvents = 2 * 2 * 4;
  const afterTraining = fractions[trainingEvents - 1];
  assert.ok(afterTraining > 0.01 && afterTraining < 0.5, `after training: ${afterTraining}`);
  // Every phase reported complete, still below 1: only finish() says the run is over.
  assert.ok(fractions[fractions.length - 1] < 1 && fractions[fractions.length - 1] > 0.99);
  const last: Array<Extract<EventBody, { type: 'run-progress' }>> = [];
  const q = new RunProgress(phases(), (b) => b.type === 'run-progress' && last.push(b));
  q.finish();
  assert.equal(last[0].fraction, 1);
  assert.ok(p.fraction() < 1);
});

test('the ETA comes from the measured rates and counts down between events', () => {
  // Twenty events, 1 s apart: the teacher's evaluation is under way.
  const { p, emitted, advance } = replay(0, 20);
  assert.ok(emitted.some((e) => e.phase === 'evaluation'), 'the evaluation is reported');
  const eta = p.etaSeconds()!;
  // What is left is most of the evaluation at its measured pace: tens of seconds, not 0, not hours.
  assert.ok(eta > 5 && eta < 200, `eta ${eta}`);
  advance(500);
  assert.ok(Math.abs(p.etaSeconds()! - (eta - 0.5)) < 1e-9, 'the estimate counts down while nothing happens');
  // Everything done: nothing is left.
  assert.equal(replay().p.etaSeconds(), 0);
});

test('a heartbeat is emitted only after a silence, and says where the run is', () => {
  let clock = 0;
  const emitted: Array<Extract<EventBody, { type: 'run-progress' }>> = [];
  const p = new RunProgress(phases(), (b) => b.type === 'run-progress' && emitted.push(b), { now: () => clock, quietMs: 2000 });
  p.observe({ type: 'evaluation-progress', model: 'student', attack: 'pgd-20', done: 500, total: 1000, row: 2, rows: 4, seq: 0, time: '' });
  const before = emitted.length;
  clock += 1000;
  p.beat();
  assert.equal(emitted.length, before, 'no heartbeat one second after an event');
  clock += 1500;
  p.beat();
  assert.equal(emitted.length, before + 1);
  assert.equal(emitted.at(-1)!.phase, 'evaluation');
  assert.equal(emitted.at(-1)!.model, 'student');
  assert.match(emitted.at(-1)!.detail, /pgd-20 500\/1000/);
});

test('a resumed run counts what an earlier session finished as done, without timing it', () => {
  let clock = 0;
  const p = new RunProgress(phases(), () => {}, { now: () => clock });
  p.complete('train:student');
  const [student] = phases();
  const total = phases().reduce((a, x) => a + x.units, 0);
  assert.ok(Math.abs(p.fraction() - student.units / total) < 1e-12);
  assert.equal(p.etaSeconds(), undefined, 'nothing was timed yet');
});
