/**
 * Just enough of the ZIP format (PKWARE APPNOTE) for PyTorch's checkpoints: reading the central
 * directory of an archive held in memory, and writing an archive of stored (uncompressed)
 * entries with their data aligned as `torch.save` aligns it.
 *
 * `torch.save` stores every record uncompressed, so a reader of stored entries is all a checkpoint
 * needs; deflated entries (an archive re-zipped by hand) are inflated with node's zlib. Each
 * entry's CRC-32 is checked, so a corrupt file is reported as such instead of giving wrong
 * weights. ZIP64 (archives over 4 GiB) is not read: no checkpoint of the architectures here is
 * that large.
 */
import * as zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** torch.save pads each record's data to a multiple of 64 bytes (caffe2's kFieldAlignment). */
const ALIGNMENT = 64;

/**
 * The entries of the archive `bytes` (from `file`, named in errors), by name. A truncated or
 * corrupt archive is an error that says what is wrong; nothing in it is interpreted here.
 */
export function readZip(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (what: string) =>
    new Error(`${file}: not a readable zip archive (${what}); the file is truncated or corrupt, download or save it again`);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0) throw corrupt('no end-of-central-directory record');
  const count = view.getUint16(eocd + 10, true);
  const dirSize = view.getUint32(eocd + 12, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) throw corrupt('ZIP64 archives are not supported');
  if (dirOffset + dirSize > eocd) throw corrupt('the central directory lies outside the file');
  const entries = new Map<string, Uint8Array>();
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_HEADER) throw corrupt(`central directory entry ${i} is damaged`);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localOffset = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;

    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL_HEADER) throw corrupt(`the local header of ${name} is damaged`);
    const start = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (start + compressedSize > bytes.length) throw corrupt(`${name} ends past the end of the file`);
    const raw = bytes.subarray(start, start + compressedSize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = zlib.inflateRawSync(raw);
      } catch {
        throw corrupt(`${name} does not inflate`);
      }
    } else throw corrupt(`${name} uses compression method ${method}; only stored and deflated entries are read`);
    if (data.length !== size) throw corrupt(`${name} has ${data.length} bytes, its header says ${size}`);
    if (crc32(data) !== crc) throw corrupt(`${name} fails its CRC-32 check`);
    entries.set(name, data);
  }
  return entries;
}

/** The end-of-central-directory record: the last signature within the 64 KiB comment window. */
function findEndOfCentralDirectory(view: DataView): number {
  const last = view.byteLength - 22;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    if (view.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  return -1;
}

/**
 * An archive of `entries`, stored, each entry's data starting at a multiple of 64 bytes (padded
 * with an extra field, as torch.save does, so a reader may map the tensors in place).
 */
export function writeZip(entries: ZipEntry[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = encoder.encode(name);
    const crc = crc32(data);
    // Extra field "FB" of padding bytes: its header is 4 bytes, so at least 4 are added.
    const unpadded = offset + 30 + nameBytes.length;
    let padding = (ALIGNMENT - ((unpadded + 4) % ALIGNMENT)) % ALIGNMENT;
    const extra = new Uint8Array(4 + padding);
    new DataView(extra.buffer).setUint16(0, 0x4246, true);
    new DataView(extra.buffer).setUint16(2, padding, true);
    extra.fill(0x5a, 4); // 'Z', as caffe2 pads
    padding += 4;

    const local = new Uint8Array(30);
    const l = new DataView(local.buffer);
    l.setUint32(0, LOCAL_HEADER, true);
    l.setUint16(4, 20, true); // version needed: 2.0
    l.setUint32(14, crc, true);
    l.setUint32(18, data.length, true);
    l.setUint32(22, data.length, true);
    l.setUint16(26, nameBytes.length, true);
    l.setUint16(28, extra.length, true);
    parts.push(local, nameBytes, extra, data);

    const entry = new Uint8Array(46);
    const c = new DataView(entry.buffer);
    c.setUint32(0, CENTRAL_HEADER, true);
    c.setUint16(4, 20, true); // made by 2.0
    c.setUint16(6, 20, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, data.length, true);
    c.setUint32(24, data.length, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint32(42, offset, true);
    central.push(entry, nameBytes);
    offset += 30 + nameBytes.length + extra.length + data.length;
  }
  if (offset > 0xffffffff) throw new Error('the archive would exceed 4 GiB, which needs ZIP64 (not written here)');
  const dirSize = central.reduce((n, p) => n + p.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, END_OF_CENTRAL_DIRECTORY, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, dirSize, true);
  e.setUint32(16, offset, true);
  return concat([...parts, ...central, end]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as ZIP uses). */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
