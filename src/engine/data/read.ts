/**
 * Reading a data file into memory, with errors that name the file and say what to do.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const gunzipAsync = promisify(zlib.gunzip);

/** The whole file, or an Error naming it (missing, a folder, unreadable). */
export async function readBytes(file: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(file);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new Error(`${file}: no such file; check the dataset folder or re-download it.`);
    if (e.code === 'EISDIR') throw new Error(`${file}: is a folder, expected a data file.`);
    throw new Error(`${file}: cannot be read (${e.code ?? e.message}).`);
  }
}

/** Whether the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzips `bytes` if they are gzip (by magic bytes), else returns them as they are. A gzip stream
 * that ends early does not throw here: what it holds is returned with `truncated` set, so that the
 * caller can report how many bytes it expected and how many there were.
 */
export async function maybeGunzip(
  bytes: Uint8Array,
  file: string,
): Promise<{ bytes: Uint8Array; gzip: boolean; truncated?: string }> {
  if (!isGzip(bytes)) return { bytes, gzip: false };
  try {
    const out = await gunzipAsync(bytes);
    return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength), gzip: true };
  } catch (err) {
    const reason = (err as Error).message;
    let partial: Buffer;
    try {
      partial = zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      throw new Error(
        `${file}: is not a valid gzip file (${reason}); the file looks corrupt or truncated; re-download it.`,
      );
    }
    return {
      bytes: new Uint8Array(partial.buffer, partial.byteOffset, partial.byteLength),
      gzip: true,
      truncated: reason,
    };
  }
}

/** "47,040,016 bytes". */
export function bytesText(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'byte' : 'bytes'}`;
}
