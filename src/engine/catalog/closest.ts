/** "Did you mean": edit distance between what was written and what is allowed. */

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length];
}

/**
 * The candidates close enough to `word` to suggest, best first: within a third of the longer
 * length (at least 2 edits), or differing only in separators (`batch-size` for `batch_size`), or
 * one containing the other (`cifar` for `cifar10`, `resnet18` for `preact-resnet18`).
 */
export function closestMatches(word: string, candidates: readonly string[], max = 3): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s.]/g, '');
  const scored = candidates
    .filter((c) => c !== word)
    .map((c) => {
      let d = editDistance(word, c);
      if (norm(c) === norm(word)) d = 0;
      const limit = Math.max(2, Math.floor(Math.max(word.length, c.length) / 3));
      const contained = Math.min(word.length, c.length) >= 3 && (c.toLowerCase().includes(word.toLowerCase()) || word.toLowerCase().includes(c.toLowerCase()));
      return { c, d, ok: d <= limit || contained };
    })
    .filter((x) => x.ok)
    .sort((x, y) => x.d - y.d);
  return scored.slice(0, max).map((x) => x.c);
}

/** All candidates, closest to `word` first (for quick-fix lists). */
export function byCloseness(word: string, candidates: readonly string[]): string[] {
  return [...candidates].sort((a, b) => editDistance(word, a) - editDistance(word, b));
}
