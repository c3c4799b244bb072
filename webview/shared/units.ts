/**
 * Numbers in the units of the axes they sit on, for ticks and tooltips alike: an accuracy reads
 * "73.9%", not 0.739; a learning rate keeps three significant digits; an epsilon that is a whole
 * number of 255ths says so. Pure, so it is unit-tested in node.
 */
export type Unit = 'percent' | 'loss' | 'lr' | 'epsilon' | 'epoch' | 'step' | 'number';

/** 0.739 → "73.9%"; null, undefined and non-finite → "–". */
export function percent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}

/** Three significant digits without float noise: 0.15000000000000002 → "0.15", 0.00012345 → "0.000123". */
export function rounded(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs < 1e-4 || abs >= 1e6) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(digits)));
}

/** An epsilon, with its 255ths when it is a whole number of them (8/255 = 0.0314). */
export function epsilonText(x: number): string {
  const n = x * 255;
  const whole = Math.round(n);
  return whole > 0 && Math.abs(n - whole) < 1e-6 && x < 1 ? `${rounded(x)} (${whole}/255)` : rounded(x, 4);
}

/** A value as its axis shows it. */
export function formatValue(unit: Unit, x: number): string {
  switch (unit) {
    case 'percent':
      return percent(x);
    case 'loss':
      return rounded(x, 4);
    case 'lr':
      return rounded(x, 3);
    case 'epsilon':
      return epsilonText(x);
    case 'epoch':
      return `epoch ${rounded(x, 4)}`;
    case 'step':
      return `step ${Math.round(x)}`;
    case 'number':
      return rounded(x);
  }
}

/** A tick label: percentages without decimals, the rest as their values. */
export function tickText(unit: Unit, x: number): string {
  if (unit === 'percent') return percent(x, 0);
  if (unit === 'epoch' || unit === 'step') return rounded(x, 6);
  return rounded(x, 3);
}

/** One tooltip line: "student test: 73.9%" (the dataset's label, then the value in the y axis's unit). */
export function tooltipLine(label: string, unit: Unit, y: number): string {
  return `${label}: ${formatValue(unit, y)}`;
}
