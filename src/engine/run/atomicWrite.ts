/**
 * Writes that never leave a half-written file behind: write a temporary file beside the target,
 * flush it to disk, then rename it over the target (atomic on POSIX file systems). If the disk is
 * full, the temporary file is removed and the old target stays as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, data as Uint8Array);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
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
