/**
 * The architectures the engine can build, by the names of `catalog.ts` (the tfjs-free half that
 * the schema and the language server read). Only the engine's run looks an implementation up here.
 */
import { mobilenetV2 } from './mobilenetV2';
import { Model, ModelConfig, ModelFactory } from './model';
import { preactResnet18 } from './preactResnet18';
import { smallCnn, tinyCnn } from './smallCnn';
import { wideResnet } from './wideResnet';

export const modelFactories: Record<string, ModelFactory> = {
  'small-cnn': smallCnn,
  'tiny-cnn': tinyCnn,
  'preact-resnet18': preactResnet18,
  mobilenetv2: mobilenetV2,
  'wrn-34-10': wideResnet,
};

/** Builds `arch`; an unknown name is an error that lists the known ones. */
export function buildModel(arch: string, config: ModelConfig): Model {
  const factory = Object.prototype.hasOwnProperty.call(modelFactories, arch) ? modelFactories[arch] : undefined;
  if (!factory) {
    throw new Error(`unknown model architecture '${arch}'; known architectures: ${Object.keys(modelFactories).join(', ')}`);
  }
  return factory(config);
}
