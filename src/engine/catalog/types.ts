/**
 * The shapes of the tfjs-free halves of the engine's registries. Each method, attack, model and
 * dataset is described once (name, settings with their schema and defaults, paper, one-line
 * formula); the experiment schema and the language server read these descriptions, and only the
 * engine's run looks up the implementations by the same names.
 */
import type { z } from 'zod';

export interface Described {
  /** The name used in experiment files, e.g. `gacd`, `pgd`, `small-cnn`. */
  name: string;
  /** A human title, e.g. "Guided Adversarial Contrastive Distillation". */
  title: string;
  /** One or two sentences for hover text. */
  summary: string;
  /** The paper, as "Authors, Venue Year (arXiv id)". */
  paper?: string;
  /** The loss or update in one line of plain text. */
  formula?: string;
}

export interface MethodInfo extends Described {
  /** The official code the implementation follows, or why there is none. */
  code: string;
  /** Whether the method distills from a teacher (and so needs `teacher:` in the experiment). */
  needsTeacher: boolean;
  /**
   * The teachers' roles the method needs with these settings (default: `adversarial` when
   * `needsTeacher`). `adversarial` is the robust teacher (`teacher:` or `teachers.adversarial`),
   * `natural` a naturally trained one (`teachers.natural`).
   */
  teacherRoles?: (settings: Record<string, unknown>) => readonly TeacherRole[];
  /**
   * Whether, with these settings, the method reads the teacher's class outputs (soft labels, the
   * teacher's probability of the true class): it then needs the teacher's label set to be the
   * student's. Feature-only methods (GACD without reweighting, CRD) do not. Default: `needsTeacher`.
   */
  usesTeacherLabels?: (settings: Record<string, unknown>) => boolean;
  /**
   * How the training attack starts: `uniform` in the epsilon ball (Madry et al.) or `normal`,
   * x + 0.001·N(0, I), as TRADES, RSLAD and AdaAD code it. Default `uniform`.
   */
  attackStart?: 'uniform' | 'normal';
  /**
   * What the official code does where the codes disagree (methods/conventions.info.ts): `gacd
   * check` says what a file's different choice changes.
   */
  officialConventions?: { kl_reduction?: 'batchmean' | 'mean'; attack_mode?: 'eval' | 'train' };
  /**
   * Whether the method trains on adversarial examples (and so uses `training.attack`): the
   * trainer then draws the attack's random start once per batch and hands each share its rows.
   */
  adversarial: boolean;
  /** The method's own settings, each with `.describe()` and a `.default()`. */
  settings: z.ZodObject<z.ZodRawShape>;
  /** The settings that name a feature tap of the student or the teacher (checked against the models). */
  taps?: { student?: string; teacher?: string };
  /**
   * When the method weights its samples (its `prepare` returns `weights`): the setting that names
   * the scheme, or the scheme's fixed name (the weight charts' label, e.g. IAD's 'trust p_T(y|x')^beta').
   */
  sampleWeights?: { schemeSetting: string } | { scheme: string };
  /** Settings whose values the method's paper does not confirm, with the reason and the default chosen. */
  unconfirmed?: Array<{ setting: string; reason: string; chosen: string }>;
}

/** The roles a teacher can play: the robust (adversarially trained) one, or a naturally trained one. */
export const teacherRoles = ['adversarial', 'natural'] as const;
export type TeacherRole = (typeof teacherRoles)[number];

/** The roles of the teachers a method needs with `settings`. */
export function rolesOf(info: MethodInfo, settings: Record<string, unknown>): readonly TeacherRole[] {
  return info.teacherRoles?.(settings) ?? (info.needsTeacher ? ['adversarial'] : []);
}

/** Whether a method with `settings` reads the teacher's class outputs (so needs its label set). */
export function readsTeacherLabels(info: MethodInfo, settings: Record<string, unknown>): boolean {
  return info.usesTeacherLabels?.(settings) ?? info.needsTeacher;
}

export interface AttackInfo extends Described {
  /** The official code the implementation follows, or why there is none. */
  code: string;
  /** Settings an evaluation entry may give (steps, step size, restarts...). */
  settings: z.ZodObject<z.ZodRawShape>;
}

export interface ModelInfo extends Described {
  /** Rough parameter count for a 10-class problem, to compare students and teachers. */
  approxParams: number;
  /** Whether it is meant for a machine with a GPU (paper scale). */
  paperScale: boolean;
}

export interface DatasetInfo extends Described {
  /** Height, width, channels. */
  shape: [number, number, number];
  numClasses: number;
  classNames: string[];
  /** The epsilon the literature uses on this dataset (L-inf, inputs in [0, 1]). */
  defaultEpsilon: number;
  /** Augmentation that `augment: auto` means for this dataset. */
  defaultAugment: 'none' | 'crop-flip';
  /** True for the subset bundled in the repository, which needs nothing installed. */
  bundled: boolean;
}
