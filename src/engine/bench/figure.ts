/** What every bench case prints: one JSON object a line, with these fields first. */
export interface BenchCaseFigure {
  /** The case's name (`gacd bench --case NAME`). */
  case: string;
  /** What this figure measured within the case, e.g. `pgd-at`, `gacd`, `pgd-20`. */
  variant: string;
  backend: string;
  /** Threads: 1, or more with the work shared with worker threads. */
  workers: number;
  /** Peak resident set size of the process when the figure was taken, KiB (worker threads included). */
  peakRssKiB: number;
  [detail: string]: unknown;
}
