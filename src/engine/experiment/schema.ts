/**
 * The one experiment schema. The engine validates `.gacd` files with it, and the language server
 * completes and documents them from it (schemaInfo.ts walks it), so every setting carries its
 * description, type and default here. The lists of datasets, models, methods and attacks come from
 * the engine's tfjs-free catalogs; a method's own settings come from its catalog entry.
 *
 * Numbers accept arithmetic (`8/255`); the parsed spec holds the evaluated numbers and every
 * default, including those derived from other settings (epsilon from the dataset, step size from
 * epsilon, evaluation epsilons from the training epsilon).
 */
import { z } from 'zod';
import { datasetNames, findDataset } from '../data/catalog';
import { modelNames } from '../models/catalog';
import { methods } from '../methods/catalog';
import { numberOrExpression } from '../catalog/expression';
import {
  DEFAULT_EVALUATION_ATTACKS,
  EVALUATION_ATTACK_FORMS,
  EvaluationEntry,
  duplicateLabels,
  parseEvaluationEntry,
} from '../attacks/catalog';

/** Metadata that problem messages and the language server read from a schema node. */
export interface SettingMeta {
  /** The node names an entry of an engine catalog. */
  catalog?: 'dataset' | 'model' | 'method' | 'attack';
  /** The node is an epsilon-like amount of the [0, 1] input range (units check). */
  inputUnits?: boolean;
  /** The node is a path resolved relative to the experiment file. */
  filePath?: boolean;
  /** Human text for a default that another setting or the file determines. */
  defaultText?: string;
}

const meta = (m: SettingMeta) => m as Record<string, unknown>;

const num = numberOrExpression;

const catalogName = (names: string[], catalog: SettingMeta['catalog']) =>
  z.enum(names as [string, ...string[]]).meta(meta({ catalog }));

/** An amount of the input range [0, 1]; 8 is refused with "did you mean 8/255?". */
const inputAmount = () => num(z.number().min(0).max(1)).meta(meta({ inputUnits: true }));

export const backendNames = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export const augmentNames = ['auto', 'none', 'crop-flip'] as const;
export const scheduleNames = ['constant', 'piecewise', 'cosine'] as const;

const attackDuringTraining = z
  .strictObject({
    epsilon: inputAmount()
      .nullable()
      .default(null)
      .meta(meta({ defaultText: "the dataset's usual epsilon (Fashion-MNIST 0.1, MNIST 0.3, CIFAR and STL-10 8/255)" }))
      .describe('L-inf radius of the attack, as a fraction of the input range [0, 1] (e.g. 8/255). A number or an arithmetic expression.'),
    step_size: num(z.number().positive().max(1))
      .meta(meta({ inputUnits: true, defaultText: 'epsilon/4' }))
      .nullable()
      .default(null)
      .describe('Size of each PGD step in the same units as epsilon; null means epsilon/4.'),
    steps: num(z.int().min(1)).default(10).describe('Number of PGD steps of the inner maximisation.'),
    random_start: z.boolean().default(true).describe('Start PGD from a uniform random point in the epsilon ball.'),
  })
  .describe('The inner maximisation used when training adversarially (PGD, L-inf).');

const trainingShape = {
  epochs: num(z.int().min(1)).default(5).describe('Number of passes over the training set.'),
  batch_size: num(z.int().min(1)).default(128).describe('Training examples per step.'),
  lr: num(z.number().positive()).default(0.05).describe('Initial learning rate of SGD with momentum.'),
  momentum: num(z.number().min(0).max(1)).default(0.9).describe('SGD momentum.'),
  weight_decay: num(z.number().min(0)).default(5e-4).describe('L2 weight decay.'),
  schedule: z
    .enum(scheduleNames)
    .default('cosine')
    .describe("Learning-rate schedule: 'constant'; 'piecewise' (multiply by lr_decay at each milestone); 'cosine' (to zero at the last epoch)."),
  milestones: z
    .array(num(z.int().min(1)))
    .default(() => [100, 150])
    .describe("Epochs at which a 'piecewise' schedule multiplies the learning rate by lr_decay."),
  lr_decay: num(z.number().positive()).default(0.1).describe('Factor applied to the learning rate at each milestone.'),
  keep_best: z
    .boolean()
    .default(false)
    .describe(
      "Keep the epoch whose PGD-10 accuracy on the validation split is highest (against robust overfitting) and evaluate that one; false evaluates the last epoch. Never chosen on the test split.",
    ),
  attack: attackDuringTraining.prefault({}),
};

/** One option per method: the discriminator key plus that method's own settings. */
function methodOptions<K extends string>(key: K, extra: z.ZodRawShape) {
  return methods.map((m) =>
    z
      .strictObject({ [key]: z.literal(m.name).describe(`${m.title}. ${m.summary}`), ...extra, ...m.settings.shape })
      .describe(`${m.title}: ${m.summary}`),
  ) as unknown as [z.ZodObject<z.ZodRawShape, z.core.$strict>, ...z.ZodObject<z.ZodRawShape, z.core.$strict>[]];
}

export type MethodBlock = { name: string } & { [setting: string]: unknown };

const methodSection = z
  .discriminatedUnion('name', methodOptions('name', {}))
  .meta(meta({ catalog: 'method' }))
  .describe("The student's training method: `name` plus that method's own settings.") as unknown as z.ZodType<MethodBlock>;

export type BaselineBlock = { method: string; label?: string } & { [setting: string]: unknown };

const baselineEntry = z
  .discriminatedUnion(
    'method',
    methodOptions('method', {
      label: z.string().min(1).optional().describe('Name of this baseline in results and charts; default: the method name.'),
    }),
  )
  .meta(meta({ catalog: 'method' }))
  .describe("An extra student with the same architecture and training: `method` plus that method's settings.") as unknown as z.ZodType<BaselineBlock>;

type TrainingSection = z.output<z.ZodObject<typeof trainingShape>>;
export type TeacherTrainingBlock = TrainingSection & { method: string } & { [setting: string]: unknown };

const teacherTraining = z
  .discriminatedUnion('method', methodOptions('method', trainingShape))
  .meta(meta({ catalog: 'method' }))
  .describe(
    'How to train the teacher when there is no checkpoint: `method` (e.g. pgd-at), that method\'s settings, and the same keys as `training`.',
  ) as unknown as z.ZodType<TeacherTrainingBlock>;

const filePath = (description: string) =>
  z.string().min(1).meta(meta({ filePath: true })).nullable().default(null).describe(description);

/**
 * One evaluation entry, a short label or a section with settings, resolved by the attacks
 * catalog's parser (the same that `gacd eval --attacks` uses) into `{label, attack, settings}`.
 * Its issues keep their place in the entry, so a bad setting is reported at its key.
 */
const evaluationAttack = z
  .unknown()
  .transform((value, ctx): EvaluationEntry => {
    const parsed = parseEvaluationEntry(value);
    if (parsed.ok) return parsed.entry;
    for (const issue of parsed.issues) {
      ctx.addIssue({
        code: 'custom',
        path: issue.path,
        message: issue.message,
        input: value,
        params: { code: issue.code, fix: issue.fix, replacements: issue.replacements },
      });
    }
    return z.NEVER;
  })
  .describe(`An attack to report: one of ${EVALUATION_ATTACK_FORMS}, or a section such as {attack: pgd, steps: 50, restarts: 5} with that attack's settings.`);

/** Two entries with one label would share a row of the results. */
function uniqueLabels(entries: unknown[], ctx: z.RefinementCtx): void {
  for (const d of duplicateLabels(entries)) {
    ctx.addIssue({
      code: 'custom',
      path: [d.index],
      message: `entries ${d.first + 1} and ${d.index + 1} are both labelled "${d.label}": give one a different attack, settings or label:`,
      params: { code: 'bad-value' },
    });
  }
}

const dataShape = {
  dataset: catalogName(datasetNames, 'dataset').describe('Dataset to train and evaluate on.'),
  path: filePath(
    'Folder holding the dataset files, relative to this file; null means the default locations. Must exist and be inside the workspace.',
  ),
  classes: z
    .array(num(z.int().min(0)))
    .min(2)
    .nullable()
    .default(null)
    .describe('Keep only these classes, relabelled 0..k-1 in this order (e.g. [5, 6, 7, 8, 9]); null means every class.'),
  train_size: num(z.int().min(1)).nullable().default(null).describe('Train on a class-balanced subset of this many images; null means all.'),
  test_size: num(z.int().min(1)).nullable().default(null).describe('Use a class-balanced subset of this many test images; null means all.'),
  validation_size: num(z.int().min(1))
    .nullable()
    .default(null)
    .meta(meta({ defaultText: '10% of the training images, at most 1,000' }))
    .describe(
      'Training images held out (class-balanced) as the validation split: the accuracy and PGD-10 accuracy watched each epoch, and the best checkpoint, are measured on it; the test split is used only by the final evaluation.',
    ),
  resize: num(z.int().min(1))
    .nullable()
    .default(null)
    .describe('Shrink the images to this size (square) by a whole factor with area averaging, e.g. 32 for STL-10 images seen by a CIFAR teacher; null keeps them as stored.'),
  augment: z
    .enum(augmentNames)
    .default('auto')
    .describe("Training augmentation: 'auto' is the dataset's usual one (crop-flip on CIFAR and STL-10, none on MNIST-like data)."),
};

const dataSection = z.strictObject(dataShape);

/** A teacher: a checkpoint or a training recipe, on the student's data unless it names its own. */
const teacherBlock = z.strictObject({
  model: catalogName(modelNames, 'model').describe("The teacher's architecture."),
  checkpoint: filePath(
    'Checkpoint folder of a trained teacher, or a PyTorch state_dict (.pt, .pth) or .safetensors file (imported on first use into <file>.gacd-import/, with `model` as its architecture), relative to this file. Must exist.',
  ),
  normalization: z
    .strictObject({
      mean: z.array(num(z.number())).min(1).describe('Per-channel mean, e.g. [0.4914, 0.4822, 0.4465].'),
      std: z.array(num(z.number().positive())).min(1).describe('Per-channel standard deviation, e.g. [0.2471, 0.2435, 0.2616].'),
    })
    .nullable()
    .default(null)
    .describe(
      'An input normalisation (x - mean) / std that the teacher applies inside the network, as some PyTorch zoo models do; used when importing a .pt or .safetensors checkpoint. null: the teacher sees [0, 1] pixels.',
    ),
  train: teacherTraining.nullable().default(null),
  data: dataSection
    .nullable()
    .default(null)
    .describe(
      "The teacher's own dataset or classes (a teacher from another task, e.g. classes 0-4 guiding a student on classes 5-9); null means the student's data. " +
        'Only feature-based methods (GACD without reweighting, CRD) can distill across label sets.',
    ),
});

/**
 * `gacd sweep`'s members: dotted setting paths mapped to lists of values. Here only the shape is
 * checked; sweepChecks.ts checks each path and each value against that setting's own schema.
 */
const sweepValues = z.record(z.string(), z.array(z.unknown()).min(1));
const sweepSection = z
  .strictObject({
    grid: sweepValues
      .default(() => ({}))
      .describe('Dotted setting paths, each with a list of values; the sweep runs every combination, e.g. {seed: [0, 1, 2], method.name: [ard, gacd]}.'),
    zip: sweepValues
      .default(() => ({}))
      .describe('Dotted setting paths with lists of one length, taken together: the i-th values of every list make one choice (e.g. {training.lr: [0.1, 0.05], training.epochs: [10, 20]}); combined with every grid combination.'),
  })
  .nullable()
  .default(null)
  .describe('The members of a sweep (`gacd sweep FILE`): each member is this file with one choice of the swept values. `gacd run` ignores it.');

const slurmSection = z
  .strictObject({
    partition: z.string().min(1).nullable().default(null).describe('Slurm partition (sbatch --partition); null: the cluster\'s default.'),
    time: z.string().min(1).nullable().default(null).describe('Time limit of each member (sbatch --time), e.g. "02:00:00" or "90" (minutes).'),
    cpus: num(z.int().min(1)).nullable().default(null).describe('CPUs per member (sbatch --cpus-per-task); also the member\'s threads.'),
    gpus: num(z.int().min(0)).nullable().default(null).describe('GPUs per member (sbatch --gres=gpu:N).'),
    memory: z.string().min(1).nullable().default(null).describe('Memory per member (sbatch --mem), e.g. "8G".'),
    account: z.string().min(1).nullable().default(null).describe('Account charged (sbatch --account).'),
    extra: z.array(z.string()).default(() => []).describe('More sbatch options, one per line as after #SBATCH, e.g. ["--qos=short", "--constraint=a100"].'),
  })
  .nullable()
  .default(null)
  .describe('Resources of each member when the sweep runs on a Slurm cluster (`gacd sweep FILE --executor slurm`); the flags of the same names win.');

export const experimentFields = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must start with a letter or digit and use only letters, digits, ".", "_" and "-" (it names the run folder)')
      .optional()
      .meta(meta({ defaultText: "the file's base name" }))
      .describe('Name of the experiment; runs go to .gacd-runs/<name>/.'),
    seed: num(z.int().min(0)).default(0).describe('Seed of every random choice (initialisation, shuffling, augmentation, random starts).'),
    backend: z
      .enum(backendNames)
      .default('auto')
      .describe("TensorFlow.js backend: 'auto' takes the best that loads (tensorflow with CUDA, tensorflow, wasm, cpu)."),
    workers: z
      .union([z.literal('auto'), num(z.int().min(1))])
      .default('auto')
      .describe(
        "Threads the engine computes on: 'auto' uses every core. Each thread runs its own wasm instance; every training batch is split among them by rows (PGD, loss and gradients, summed in a fixed order: the same weights as one thread up to rounding; batch-norm statistics are per share, as in PyTorch's DataParallel), and evaluation by whole batches (the same figures for any number).",
      ),
    allow_outside_workspace: z
      .boolean()
      .default(false)
      .describe('Allow data and checkpoint paths outside the workspace folder.'),
    data: dataSection.describe('The dataset.'),
    teacher: teacherBlock
      .nullable()
      .default(null)
      .describe(
        'The robust teacher (the `adversarial` role of `teachers:`): required when the method or a baseline distills. Give a checkpoint, or a `train` block to train it first.',
      ),
    teachers: z
      .strictObject({
        adversarial: teacherBlock.nullable().optional().describe('The adversarially trained (robust) teacher; the same as `teacher:`.'),
        natural: teacherBlock.nullable().optional().describe('A naturally trained teacher, for methods that also distill clean accuracy (MTARD, IAD-II).'),
      })
      .nullable()
      .default(null)
      .describe('Teachers by role, for methods that need more than the robust one: `adversarial` (the same as `teacher:`) and `natural`.'),
    student: z
      .strictObject({
        model: catalogName(modelNames, 'model').describe("The student's architecture."),
      })
      .describe('The student being trained.'),
    method: methodSection,
    training: z
      .strictObject(trainingShape)
      .prefault({})
      .describe('Optimisation of the student (and of the baselines).'),
    baselines: z
      .array(baselineEntry)
      .default(() => [])
      .describe('Extra students for comparison, with the same architecture and training: each `method` plus its settings.'),
    evaluation: z
      .strictObject({
        epsilon: inputAmount()
          .nullable()
          .default(null)
          .meta(meta({ inputUnits: true, defaultText: 'training.attack.epsilon' }))
          .describe('L-inf radius of the evaluation attacks; null means training.attack.epsilon.'),
        attacks: z
          .array(evaluationAttack)
          .min(1)
          .superRefine(uniqueLabels)
          // A prefault, so that the default entries are resolved like written ones.
          .prefault(() => [...DEFAULT_EVALUATION_ATTACKS])
          .meta(meta({ catalog: 'attack' }))
          .describe(
            `Attacks to report, each one of ${EVALUATION_ATTACK_FORMS} (steps after the dash), or a section with the attack's settings, ` +
              'e.g. {attack: pgd, steps: 50, step_size: 1/255, restarts: 5, loss: cw}; `label:` names its row.',
          ),
        epsilons: z
          .array(inputAmount())
          .nullable()
          .default(null)
          .meta(meta({ defaultText: '0, eps/2, eps, 1.5 eps, 2 eps (those within [0, 1])' }))
          .describe('Epsilons of the accuracy-against-epsilon curve (PGD-20).'),
        test_size: num(z.int().min(1)).nullable().default(null).describe('Evaluate on the first N test images; null means all.'),
        batch_size: num(z.int().min(1)).default(250).describe('Test images per evaluation batch.'),
        seed: num(z.int().min(0))
          .nullable()
          .default(null)
          .describe(
            "Seed of the attacks' random starts; null means the run's seed + 17. A sweep over seeds fixes it so that its members " +
              'differ only by training, and a shared teacher is evaluated once (its figures are cached by weights, data and settings).',
          ),
      })
      .prefault({})
      .describe('What to report at the end of training.'),
    sweep: sweepSection,
    slurm: slurmSection,
  })
  .describe('A GACD Studio experiment.');

type Fields = z.output<typeof experimentFields>;
type AttackFields = Fields['training']['attack'];
type TeacherFields = NonNullable<Fields['teacher']>;
type ResolvedAttack = Omit<AttackFields, 'epsilon' | 'step_size'> & { epsilon: number; step_size: number };

function resolveAttack(attack: AttackFields, datasetEpsilon: number): ResolvedAttack {
  const epsilon = attack.epsilon ?? datasetEpsilon;
  return { ...attack, epsilon, step_size: attack.step_size ?? epsilon / 4 };
}

/** The default accuracy-against-epsilon curve: 0, eps/2, eps, 1.5 eps, 2 eps, within [0, 1]. */
export function defaultEpsilons(epsilon: number): number[] {
  return [0, 0.5, 1, 1.5, 2].map((f) => f * epsilon).filter((e, i, all) => e <= 1 && all.indexOf(e) === i);
}

/** Fills the defaults that depend on other settings; the fields are already valid. */
function resolveDefaults(v: Fields) {
  const dataset = findDataset(v.data.dataset);
  const datasetEpsilon = dataset?.defaultEpsilon ?? 8 / 255;
  const attack = resolveAttack(v.training.attack, datasetEpsilon);
  // `teacher:` and `teachers.adversarial` are one role; the checks refuse a file that gives both.
  const adversarial = v.teacher ?? v.teachers?.adversarial ?? null;
  const resolveTeacher = (t: TeacherFields | null) => {
    if (!t) return null;
    const teacherDataset = findDataset(t.data?.dataset ?? v.data.dataset);
    const teacherEpsilon = teacherDataset?.defaultEpsilon ?? datasetEpsilon;
    return { ...t, train: t.train ? { ...t.train, attack: resolveAttack(t.train.attack, teacherEpsilon) } : null };
  };
  const evaluationEpsilon = v.evaluation.epsilon ?? attack.epsilon;
  const { name, ...rest } = v;
  return {
    name: name ?? 'experiment',
    ...rest,
    data: { ...v.data, augment: v.data.augment === 'auto' ? (dataset?.defaultAugment ?? 'none') : v.data.augment },
    teacher: resolveTeacher(adversarial),
    teachers: { adversarial: resolveTeacher(adversarial), natural: resolveTeacher(v.teachers?.natural ?? null) },
    training: { ...v.training, attack },
    evaluation: {
      ...v.evaluation,
      epsilon: evaluationEpsilon,
      epsilons: v.evaluation.epsilons ?? defaultEpsilons(evaluationEpsilon),
    },
  };
}

/** The experiment schema: validates a file's plain content and returns the spec with every default. */
export const experimentSchema = experimentFields.transform(resolveDefaults);

/** A validated experiment with every default filled in and numbers evaluated. */
export type ExperimentSpec = z.infer<typeof experimentSchema>;
