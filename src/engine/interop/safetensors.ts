/**
 * The safetensors format (huggingface/safetensors), both ways: an 8-byte little-endian header
 * length, a JSON header mapping each tensor's name to `{dtype, shape, data_offsets}` (offsets into
 * the data that follows), then the data. Nothing in it is executable, which is why it exists.
 */
import { bytesOf, contiguousStrides, ElementType, ELEMENT_TYPES, formatShape, readElements, sizeOf, TensorTable } from './tensorTable';

const DTYPES: Record<string, ElementType> = {
  F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Whether `bytes` starts like a safetensors file (a plausible header length, then '{'). */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return n > 1 && n <= bytes.length - 8 && bytes[8] === 0x7b;
}

/** The tensors of a safetensors file held in `bytes` (from `file`, named in errors), as float32. */
export function readSafetensors(bytes: Uint8Array, file: string): TensorTable {
  const corrupt = (what: string) => new Error(`${file}: not a readable safetensors file (${what}); it is truncated or corrupt, save it again`);
  if (bytes.length < 8) throw corrupt('shorter than its header length');
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.length - 8) throw corrupt(`its header of ${headerLength} bytes ends past the end of the file`);
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (err) {
    throw corrupt(`its header is not JSON: ${(err as Error).message}`);
  }
  const data = bytes.subarray(8 + headerLength);
  const table: TensorTable = new Map();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = raw as HeaderEntry;
    const type = DTYPES[entry.dtype];
    if (!type) throw new Error(`${file}: tensor ${name} has dtype ${entry.dtype}, which is not read (float and integer types are)`);
    if (!Array.isArray(entry.shape) || !Array.isArray(entry.data_offsets)) throw corrupt(`tensor ${name} has no shape or offsets`);
    const [begin, end] = entry.data_offsets;
    if (end - begin !== sizeOf(entry.shape) * ELEMENT_TYPES[type].bytes || end > data.length || begin < 0) {
      throw corrupt(`tensor ${name} ${formatShape(entry.shape)} does not fit its data offsets [${begin}, ${end}] in ${data.length} bytes`);
    }
    const values = readElements(data.subarray(begin, end), type, entry.shape, 0, contiguousStrides(entry.shape));
    table.set(name, { shape: entry.shape, values });
  }
  return table;
}

/** The bytes of a safetensors file holding `table` (F32, or I64 for counters), in the table's order. */
export function safetensorsBytes(table: TensorTable, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of table) {
    const size = bytesOf(t).byteLength;
    header[name] = { dtype: t.dtype === 'int64' ? 'I64' : 'F32', shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  // The data starts 8-byte aligned, as the reference implementation pads its header with spaces.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of table.values()) {
    const bytes = bytesOf(t);
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  return out;
}
