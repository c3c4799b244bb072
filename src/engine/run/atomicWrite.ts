/**
 * Writes that never leave a half-written file behind and that survive a power cut once they
 * return: write a temporary file beside the target, fsync it, rename it over the target (atomic on
 * POSIX file systems), then fsync the folder so that the rename itself is on disk. Without the
 * last step a crash can bring back the old name, or no name at all, even though the data was
 * flushed. If the disk is full, the temporary file is removed and the old target stays as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes `data` to a new or truncated `file` and flushes it to disk before returning. */
export function writeFileDurable(file: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = fs.openSync(file, 'w');
  try {
    // writeSync may write less than asked (a signal, a nearly full disk): loop until all is out.
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Flushes a folder's entries (the names created, renamed or removed in it) to disk. Some
 * platforms (Windows) cannot open or fsync a folder; there the rename is as durable as the system
 * makes it, and nothing more can be done, so those refusals are ignored.
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (err) {
    // A folder we may write into but not list cannot be opened; its entries were written anyway.
    if (isUnsupported(err) || (err as NodeJS.ErrnoException)?.code === 'EACCES') return;
    throw err;
  }
  try {
    fs.fsyncSync(fd);
  } catch (err) {
    if (!isUnsupported(err)) throw err;
  } finally {
    fs.closeSync(fd);
  }
}

function isUnsupported(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EBADF';
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    writeFileDurable(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(path.dirname(file));
}

/**
 * Moves a folder whose files were all written with writeFileDurable to `dir`, replacing any folder
 * of that name, and makes the result durable: the temporary folder's entries are flushed before
 * the rename, and the parent folder's after it.
 */
export function publishDirAtomic(tmp: string, dir: string): void {
  fsyncDir(tmp);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  fsyncDir(path.dirname(dir));
}

/** A friendlier message for the errors a user can fix (full disk, permissions). */
export function describeIoError(err: unknown, what: string): { code: string; message: string; fix: string } {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') {
    return { code: 'disk-full', message: `the disk is full while writing ${what}`, fix: 'free some space (or pass --runs-dir on a larger disk), then run gacd resume on the run folder' };
  }
  if (e?.code === 'EACCES' || e?.code === 'EPERM' || e?.code === 'EROFS') {
    return { code: 'not-writable', message: `cannot write ${what}: ${e.message}`, fix: 'pick a writable runs folder with --runs-dir' };
  }
  return { code: 'io-error', message: `failed writing ${what}: ${e?.message ?? String(err)}`, fix: 'check the path and the disk, then resume the run' };
}
