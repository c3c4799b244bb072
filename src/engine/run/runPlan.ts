/**
 * The phases of a run, in the order run.ts does them, for the one progress figure: each teacher
 * that a `train:` block trains, the student, each baseline, then the evaluation of every model
 * (teachers first). Sizes come from the loaded data; a teacher with its own data is counted at the
 * student's sizes (an estimate: the measured rates correct the time left).
 */
import type { ExperimentSpec } from '../experiment/schema';
import { findMethod } from '../methods/catalog';
import { rolesOf, teacherRoles, type TeacherRole } from '../catalog/types';
import { evaluationRows } from './evaluate';
import { type Phase, evaluationPhase, trainingPhase } from './workPlan';

export interface RunSizes {
  trainCount: number;
  validationCount: number;
  testCount: number;
}

/** The teacher of a role; `teacher:` is the robust teacher's own name, `teachers.adversarial` the same block. */
export function teacherBlock(spec: ExperimentSpec, role: TeacherRole): ExperimentSpec['teacher'] {
  return role === 'adversarial' ? (spec.teacher ?? spec.teachers.adversarial) : spec.teachers[role];
}

/** The label a teacher of a role has in the run's events. */
export function teacherLabel(role: TeacherRole): string {
  return role === 'adversarial' ? 'teacher' : `teacher:${role}`;
}

/** The keys of `from` that are training keys. */
export function trainingKeys(from: Record<string, unknown>, like: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(from).filter(([k]) => k in like));
}

/** The run's phases; `costOf(arch)` is a model's relative cost (workPlan.ts's `modelCost`). */
export function planRun(spec: ExperimentSpec, sizes: RunSizes, costOf: (arch: string) => number): Phase[] {
  const training: Phase[] = [];
  const evaluated: Array<{ label: string; cost: number }> = [];
  const teacherCosts: Partial<Record<TeacherRole, number>> = {};
  const trainPhase = (label: string, method: string, cost: number, teacherCost: number, t: ExperimentSpec['training']) =>
    trainingPhase({
      label,
      method,
      cost,
      teacherCost,
      epochs: t.epochs,
      batchSize: t.batch_size,
      attackSteps: t.attack.steps,
      epsilon: t.attack.epsilon,
      trainCount: sizes.trainCount,
      validationCount: sizes.validationCount,
    });

  for (const role of teacherRoles) {
    const block = teacherBlock(spec, role);
    if (!block) continue;
    const cost = costOf(block.model);
    teacherCosts[role] = cost;
    evaluated.push({ label: teacherLabel(role), cost });
    if (!block.checkpoint && block.train) {
      const { method, ...rest } = block.train;
      training.push(trainPhase(teacherLabel(role), method, cost, 0, { ...spec.training, ...trainingKeys(rest, spec.training) }));
    }
  }

  const studentCost = costOf(spec.student.model);
  const { name: studentMethod, ...studentSettings } = spec.method;
  const members = [
    { label: 'student', method: studentMethod, settings: studentSettings as Record<string, unknown> },
    ...spec.baselines.map(({ method, label, ...settings }) => ({ label: `baseline:${label ?? method}`, method, settings: settings as Record<string, unknown> })),
  ];
  for (const m of members) {
    const info = findMethod(m.method);
    const teacherCost = info ? rolesOf(info, m.settings).reduce((a, r) => a + (teacherCosts[r] ?? 0), 0) : 0;
    training.push(trainPhase(m.label, m.method, studentCost, teacherCost, spec.training));
    evaluated.push({ label: m.label, cost: studentCost });
  }

  const ev = spec.evaluation;
  const plan = {
    examples: ev.test_size ? Math.min(ev.test_size, sizes.testCount) : sizes.testCount,
    rows: evaluationRows({ attacks: ev.attacks, epsilon: ev.epsilon, epsilons: ev.epsilons }),
  };
  return [...training, ...evaluated.map((m) => evaluationPhase(m, plan))];
}
