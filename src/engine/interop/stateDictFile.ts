/**
 * A PyTorch state_dict from a file, whatever form it was saved in: a `torch.save` zip of the
 * state_dict itself or of a dict holding it (`{'state_dict': ...}`, `{'model': ...}`, as training
 * scripts save with the epoch and the optimizer), or a `.safetensors` file; and a state_dict
 * written to a file in either format. Keys saved through DataParallel (`module.` in front) are
 * given without the prefix.
 */
import * as fs from 'node:fs';
import { isTensorRef, readTorchArchive, torchArchiveBytes, TorchArchive } from './torchFile';
import { looksLikeSafetensors, readSafetensors, safetensorsBytes } from './safetensors';
import { TensorTable } from './tensorTable';

export type WeightsFormat = 'pt' | 'safetensors';

/** Where training scripts usually put the state_dict inside a checkpoint dict, in the order tried. */
const NESTED_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'state'];

const DATA_PARALLEL_PREFIX = 'module.';

/** The state_dict held by `file` (float32 values, PyTorch's layouts), keys without `module.`. */
export function readStateDict(file: string): TensorTable {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`);
  }
  const table = isZip(bytes) ? stateDictOfArchive(readTorchArchive(bytes, file), file) : looksLikeSafetensors(bytes) ? readSafetensors(bytes, file) : null;
  if (!table) {
    const legacy = bytes[0] === 0x80 ? ' (it starts like a pickle: the legacy format of PyTorch before 1.6)' : '';
    throw new Error(
      `${file}: neither a torch.save zip archive nor a safetensors file${legacy}; ` +
        `in PyTorch 1.6 or later, save it with torch.save(model.state_dict(), 'model.pt')`,
    );
  }
  return withoutPrefix(table);
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The archive's state_dict: its root when that maps names to tensors, else the first nested one. */
function stateDictOfArchive(archive: TorchArchive, file: string): TensorTable {
  const root = archive.root;
  if (!(root instanceof Map)) throw new Error(`${file}: holds a ${describe(root)}, not a state_dict; save model.state_dict()`);
  const holdsTensors = (m: unknown): m is Map<unknown, unknown> => m instanceof Map && m.size > 0 && [...m.values()].some(isTensorRef);
  let dict: Map<unknown, unknown> | null = holdsTensors(root) ? root : null;
  for (const key of NESTED_KEYS) {
    if (dict) break;
    if (holdsTensors(root.get(key))) dict = root.get(key) as Map<unknown, unknown>;
  }
  if (!dict) {
    throw new Error(
      `${file}: holds a dict without tensors under ${NESTED_KEYS.map((k) => `'${k}'`).join(', ')} ` +
        `(its keys: ${[...root.keys()].slice(0, 8).map(String).join(', ')}); save model.state_dict() itself`,
    );
  }
  const table: TensorTable = new Map();
  for (const [key, value] of dict) {
    if (typeof key !== 'string') throw new Error(`${file}: the state_dict has a key that is not a string (${describe(key)})`);
    if (!isTensorRef(value)) throw new Error(`${file}: the state_dict's entry ${key} is a ${describe(value)}, not a tensor`);
    table.set(key, { shape: value.shape, values: archive.values(value, key) });
  }
  return table;
}

function withoutPrefix(table: TensorTable): TensorTable {
  const out: TensorTable = new Map();
  for (const [key, t] of table) out.set(key.startsWith(DATA_PARALLEL_PREFIX) ? key.slice(DATA_PARALLEL_PREFIX.length) : key, t);
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'tuple or list';
  if (v instanceof Map) return 'dict';
  return typeof v;
}

/** Writes `table` (PyTorch's layouts) to `file` as a torch.save zip or as safetensors. */
export function writeStateDict(file: string, table: TensorTable, format: WeightsFormat, metadata: Record<string, string> = {}): void {
  const bytes = format === 'pt' ? torchArchiveBytes(table) : safetensorsBytes(table, metadata);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
