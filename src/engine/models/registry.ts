/**
 * The architectures the engine can build, by the names of `catalog.ts` (the tfjs-free half that
 * the schema and the language server read). Only the engine's run looks an implementation up here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mobilenetV2 } from './mobilenetV2';
import { InputNormalization, Model, ModelConfig, ModelFactory } from './model';
import { preactResnet18 } from './preactResnet18';
import { resnet18 } from './resnet18';
import { smallCnn, tinyCnn } from './smallCnn';
import { wideResnet } from './wideResnet';

export const modelFactories: Record<string, ModelFactory> = {
  'small-cnn': smallCnn,
  'tiny-cnn': tinyCnn,
  'preact-resnet18': preactResnet18,
  resnet18,
  mobilenetv2: mobilenetV2,
  'wrn-34-10': wideResnet,
};

/** Builds `arch`; an unknown name is an error that lists the known ones. */
export function buildModel(arch: string, config: ModelConfig): Model {
  const factory = Object.prototype.hasOwnProperty.call(modelFactories, arch) ? modelFactories[arch] : undefined;
  if (!factory) {
    throw new Error(`unknown model architecture '${arch}'; known architectures: ${Object.keys(modelFactories).join(', ')}`);
  }
  if (config.normalization) checkNormalization(arch, config.inputShape[2], config.normalization);
  const model = factory(config);
  const built = { options: config.options, normalization: config.normalization };
  return { ...(config.normalization ? normalized(model, config.normalization) : model), built };
}

function checkNormalization(arch: string, channels: number, n: InputNormalization): void {
  for (const [what, values] of [['mean', n.mean], ['std', n.std]] as const) {
    if (!Array.isArray(values) || values.length !== channels || !values.every(Number.isFinite)) {
      throw new Error(`${arch}: the input normalisation's ${what} must be ${channels} finite numbers (one per channel), got [${values}]`);
    }
  }
  if (!n.std.every((s) => s > 0)) throw new Error(`${arch}: the input normalisation's std must be positive, got [${n.std}]`);
}

/**
 * `model` with `(x - mean) / std` per channel in front of it. It wraps the architecture instead of
 * living in each one, so every architecture takes the setting and a model without it is unchanged.
 */
function normalized(model: Model, n: InputNormalization): Model {
  return {
    ...model,
    // No tidy of its own: like every layer's intermediates, these belong to the caller's tidy.
    apply: (x, mode) => model.apply(tf.div(tf.sub(x, tf.tensor1d(n.mean)), tf.tensor1d(n.std)) as tf.Tensor4D, mode),
  };
}
