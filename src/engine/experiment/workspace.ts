/**
 * Where an experiment's relative paths point, and whether they stay inside the workspace. Paths
 * are resolved against the experiment file's folder. The workspace is the nearest folder, from
 * the file's own upwards, that holds `.git`, `.vscode` or `package.json` (else the file's folder);
 * the editor passes its own workspace folder instead. Paths outside it are refused unless the
 * experiment says `allow_outside_workspace: true`, so that an experiment shared with a colleague
 * does not quietly read from their home folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const MARKERS = ['.git', '.vscode', 'package.json'];

export function findWorkspaceRoot(file: string): string {
  const start = path.dirname(path.resolve(file));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (MARKERS.some((m) => fs.existsSync(path.join(dir, m)))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

/** `target` resolved against the folder of `file` (absolute paths stay as they are). */
export function resolveFromFile(file: string, target: string): string {
  return path.resolve(path.dirname(path.resolve(file)), target);
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
function realish(p: string): string {
  const rest: string[] = [];
  let dir = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(dir), ...rest.reverse());
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return path.join(dir, ...rest.reverse());
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}

/** Whether `target` is `root` or lies under it, after following symbolic links. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(realish(root), realish(target));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
