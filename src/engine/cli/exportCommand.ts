/**
 * `gacd export CHECKPOINT_DIR --format pt|safetensors --out FILE`: a checkpoint's model weights as a
 * PyTorch state_dict (`torch.load(FILE, weights_only=True)` reads it) or as safetensors, with the
 * key names and layouts of the modules in python/gacd_models.py.
 */
import * as path from 'node:path';
import { exportTorchWeights } from '../interop/exportTorch';
import { WeightsFormat } from '../interop/stateDictFile';
import { TensorTable } from '../interop/tensorTable';
import { ImageShape, InputNormalization } from '../models/model';
import { readCheckpoint } from '../run/checkpoint';
import { Printer } from './printer';

export interface ExportFlags {
  format?: string;
  out?: string;
  json?: boolean;
}

export async function exportCommand(dir: string, flags: ExportFlags): Promise<number> {
  if (!flags.out) throw new Error('gacd export needs --out FILE (the .pt or .safetensors file to write)');
  const format = formatOf(flags);
  const where = path.resolve(dir);
  const ck = readCheckpoint(where);
  // Fields an imported checkpoint adds to the usual state (interop/checkpointFolder.ts).
  const extra = ck.state as typeof ck.state & { normalization?: InputNormalization; options?: { depth?: number; widen?: number } };
  // python/gacd_models.build names a WideResNet of another depth or width wrn-DEPTH-WIDTH.
  const pythonName = extra.options?.depth ? `wrn-${extra.options.depth}-${extra.options.widen}` : ck.state.arch;
  const weights: TensorTable = new Map();
  for (const t of ck.state.tensors.filter((e) => e.group === 'model')) {
    weights.set(t.name, { shape: t.shape, values: ck.values.slice(t.offset, t.offset + t.length) });
  }
  const out = path.resolve(flags.out);
  const keys = exportTorchWeights(
    { arch: ck.state.arch, inputShape: ck.state.inputShape as ImageShape, numClasses: ck.state.numClasses, weights, normalization: extra.normalization },
    out,
    format,
  );
  if (flags.json) process.stdout.write(JSON.stringify({ checkpoint: where, out, format, arch: ck.state.arch, keys: keys.length }) + '\n');
  else {
    const [h, w, c] = ck.state.inputShape;
    const printer = new Printer();
    printer.line(`wrote ${out}: ${keys.length} tensors of a ${ck.state.arch} (${format})`);
    const load = format === 'pt' ? `torch.load('${path.basename(out)}', weights_only=True)` : `safetensors.torch.load_file('${path.basename(out)}')`;
    printer.line(
      `in PyTorch (python/gacd_models.py): model = gacd_models.build('${pythonName}', num_classes=${ck.state.numClasses}, ` +
        `in_channels=${c}, height=${h}, width=${w}); model.load_state_dict(${load})`,
    );
    if (extra.normalization) {
      printer.line(`note: this model normalises its input first, (x - mean) / std with ${JSON.stringify(extra.normalization)}; do the same in PyTorch`);
    }
  }
  return 0;
}

function formatOf(flags: ExportFlags): WeightsFormat {
  const format = flags.format ?? (flags.out!.endsWith('.safetensors') ? 'safetensors' : 'pt');
  if (format !== 'pt' && format !== 'safetensors') throw new Error(`--format ${format}: choose pt or safetensors`);
  return format;
}
