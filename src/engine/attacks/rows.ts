/**
 * Bookkeeping of the attacks that work on the points still unbroken (APGD's runs, Square's
 * queries): images as flat float arrays of whole rows, one row per sample.
 */

/** Copies row j of `from` into row `rows[j]` of `into`, for each j that `take` marks. */
export function writeRows(into: Float32Array, from: Float32Array, rows: readonly number[], take: ArrayLike<number>): void {
  const size = from.length / Math.max(rows.length, 1);
  for (let j = 0; j < rows.length; j++) {
    if (take[j]) into.set(from.subarray(j * size, (j + 1) * size), rows[j] * size);
  }
}

/** Rows `rows` of `from` (each `size` long), one after the other. */
export function gatherRows(from: Float32Array, rows: readonly number[], size: number): Float32Array {
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, j) => out.set(from.subarray(r * size, (r + 1) * size), j * size));
  return out;
}

/** The positions where `flags` is set. */
export function setPositions(flags: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i]) out.push(i);
  return out;
}
