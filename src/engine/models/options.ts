/** Reading the architecture options of a `ModelConfig` with clear errors. */
import { ModelConfig } from './model';

/**
 * The options of `config` as integers, each defaulting to `defaults[key]`; an option the
 * architecture does not know, or a value that is not a positive integer, is an error naming it.
 */
export function integerOptions<K extends string>(
  arch: string,
  config: ModelConfig,
  defaults: Record<K, number>,
): Record<K, number> {
  const given = config.options ?? {};
  const known = Object.keys(defaults);
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      const accepted = known.length > 0 ? `it accepts ${known.join(', ')}` : 'it accepts none';
      throw new Error(`${arch}: unknown option '${key}' (${accepted})`);
    }
  }
  const out = { ...defaults };
  for (const key of known as K[]) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new Error(`${arch}: option '${key}' must be a positive integer, got ${JSON.stringify(value)}`);
    }
    out[key] = value;
  }
  return out;
}
