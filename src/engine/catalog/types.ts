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
   * Whether the method trains on adversarial examples (and so uses `training.attack`): the
   * trainer then draws the attack's random start once per batch and hands each share its rows.
   */
  adversarial: boolean;
  /** The method's own settings, each with `.describe()` and a `.default()`. */
  settings: z.ZodObject<z.ZodRawShape>;
  /** The settings that name a feature tap of the student or the teacher (checked against the models). */
  taps?: { student?: string; teacher?: string };
  /** When the method weights its samples: the setting that names the scheme (the weight charts' label). */
  sampleWeights?: { schemeSetting: string };
  /** Settings whose values the method's paper does not confirm, with the reason and the default chosen. */
  unconfirmed?: Array<{ setting: string; reason: string; chosen: string }>;
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
