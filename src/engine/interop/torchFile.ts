/**
 * PyTorch's checkpoint file (`torch.save`, the zip format of PyTorch 1.6 and later), both ways.
 *
 * The archive holds one top folder (its name is free) with `data.pkl` (the pickled object),
 * `data/<key>` (each storage's raw little-endian bytes), `version` and, since PyTorch 2.1,
 * `byteorder`. Reading runs the restricted unpickler (pickle.ts) with only the globals a
 * state_dict needs; the storages are read from the archive by the keys the pickle names. Writing
 * produces what `torch.save(model.state_dict(), f)` would, for float32 tensors (and int64 counters).
 */
import { PickleError, PyGlobal, PyValue, unpickle } from './pickle';
import { stateDictPickle } from './pickleWriter';
import { bytesOf, ELEMENT_TYPES, ElementType, formatShape, readElements, sizeOf, TensorTable } from './tensorTable';
import { readZip, writeZip, ZipEntry } from './zip';

/** torch's legacy storage classes, the only storage types a pickle may name, by element type. */
const STORAGE_TYPES: Record<string, ElementType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

interface StorageRef {
  kind: 'storage';
  type: ElementType;
  key: string;
  numel: number;
}

/** A tensor as the pickle describes it; its values are read only if the caller keeps it. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  strides: number[];
}

export function isTensorRef(v: PyValue): v is TensorRef {
  return typeof v === 'object' && v !== null && (v as TensorRef).kind === 'tensor';
}

/** The object a `torch.save` file holds, with tensors as references, and a reader of their values. */
export interface TorchArchive {
  root: PyValue;
  values(t: TensorRef, name: string): Float32Array;
}

/** Opens a torch.save zip held in `bytes` (from `file`, named in errors). */
export function readTorchArchive(bytes: Uint8Array, file: string): TorchArchive {
  const entries = readZip(bytes, file);
  const pkl = [...entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) {
    throw new Error(`${file}: a zip archive without <folder>/data.pkl, so not a torch.save checkpoint; save the model with torch.save(model.state_dict(), '${file}')`);
  }
  const folder = pkl.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${folder}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new Error(`${file}: saved on a big-endian machine, which is not supported; save it again on a little-endian one`);
  }
  const root = unpickle(entries.get(pkl)!, {
    file,
    globals: torchGlobals(),
    persistentLoad: (pid) => storageOf(pid, file),
  });
  return {
    root,
    values(t, name) {
      const data = entries.get(`${folder}data/${t.storage.key}`);
      if (!data) throw new Error(`${file}: the tensor ${name} names the storage data/${t.storage.key}, which the archive lacks; the file is corrupt`);
      const width = ELEMENT_TYPES[t.storage.type].bytes;
      const last = t.offset + t.shape.reduce((end, size, d) => end + (size - 1) * t.strides[d], 0);
      if (sizeOf(t.shape) > 0 && (last + 1) * width > data.length) {
        throw new Error(`${file}: the tensor ${name} ${formatShape(t.shape)} reaches past the end of its storage; the file is corrupt`);
      }
      return readElements(data, t.storage.type, t.shape, t.offset, t.strides);
    },
  };
}

/** The globals a state_dict's pickle uses, each building a plain value. */
function torchGlobals(): Record<string, { call?: (args: PyValue[]) => PyValue; value?: PyValue }> {
  const rebuildTensor = (args: PyValue[]): TensorRef => {
    const [storage, offset, shape, strides] = args;
    if (!isStorage(storage) || typeof offset !== 'number' || !isIntList(shape) || !isIntList(strides) || shape.length !== strides.length) {
      throw new PickleError('_rebuild_tensor_v2 called with arguments that are not (storage, offset, size, stride, ...)');
    }
    return { kind: 'tensor', storage, offset, shape, strides };
  };
  const rebuildParameter = (args: PyValue[]) => {
    if (!isTensorRef(args[0])) throw new PickleError('_rebuild_parameter called without a tensor');
    return args[0];
  };
  const globals: Record<string, { call?: (args: PyValue[]) => PyValue; value?: PyValue }> = {
    'collections.OrderedDict': { call: () => new Map() },
    'torch._utils._rebuild_tensor_v2': { call: rebuildTensor },
    'torch._utils._rebuild_parameter': { call: rebuildParameter },
    'torch._utils._rebuild_parameter_with_state': { call: rebuildParameter },
  };
  for (const [name, type] of Object.entries(STORAGE_TYPES)) globals[`torch.${name}`] = { value: type };
  return globals;
}

/** A persistent id `('storage', torch.XStorage, key, location, numel)` as a storage reference. */
function storageOf(pid: PyValue, file: string): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length !== 5) {
    throw new PickleError(`${file}: a persistent id that is not a storage record; nothing from the file was run`);
  }
  const [, type, key, , numel] = pid;
  if (!(type instanceof PyGlobal) || typeof type.binding.value !== 'string') {
    throw new PickleError(`${file}: a storage record without a torch storage type; nothing from the file was run`);
  }
  if (typeof key !== 'string' || !/^[A-Za-z0-9_]+$/.test(key) || typeof numel !== 'number') {
    throw new PickleError(`${file}: a storage record with a bad key or size; the file is corrupt`);
  }
  return { kind: 'storage', type: type.binding.value as ElementType, key, numel };
}

function isStorage(v: PyValue): v is StorageRef {
  return typeof v === 'object' && v !== null && (v as StorageRef).kind === 'storage';
}

function isIntList(v: PyValue): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0);
}

/**
 * The bytes of a `torch.save` file holding `table` as a state_dict (an OrderedDict of float32
 * tensors): `torch.load(file, weights_only=True)` reads it.
 */
export function torchArchiveBytes(table: TensorTable, folder = 'archive'): Uint8Array {
  const names = [...table.keys()];
  const pickle = stateDictPickle(
    names.map((name, i) => ({ name, storageKey: String(i), shape: table.get(name)!.shape, storageType: table.get(name)!.dtype === 'int64' ? 'LongStorage' : 'FloatStorage' })),
  );
  const entries: ZipEntry[] = [{ name: `${folder}/data.pkl`, data: pickle }];
  // torch.save writes byteorder right after data.pkl (PyTorch 2.1 and later); older versions ignore it.
  entries.push({ name: `${folder}/byteorder`, data: new TextEncoder().encode('little') });
  names.forEach((name, i) => entries.push({ name: `${folder}/data/${i}`, data: bytesOf(table.get(name)!) }));
  entries.push({ name: `${folder}/version`, data: new TextEncoder().encode('3\n') });
  return writeZip(entries);
}
