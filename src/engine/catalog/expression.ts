/**
 * Safe arithmetic for numeric settings, so that an experiment can say `epsilon: 8/255` or
 * `lr: 0.1 * 2` as papers do. The grammar is deliberately tiny (numbers, + - * /, unary signs and
 * parentheses) and is parsed by hand: nothing is ever evaluated as code.
 *
 *   expr   = term (('+' | '-') term)*
 *   term   = factor (('*' | '/') factor)*
 *   factor = ('+' | '-') factor | number | '(' expr ')'
 */
import { z } from 'zod';

export type ExpressionResult = { ok: true; value: number } | { ok: false; error: string };

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;

/** Evaluates `text` (e.g. `8/255`, `2 / 255`, `1e-4`, `(1 + 1) * 0.5`); never throws. */
export function evaluateExpression(text: string): ExpressionResult {
  let pos = 0;

  const skipSpaces = (): void => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t')) pos++;
  };
  const fail = (what: string): never => {
    throw new ExpressionError(pos < text.length ? `${what} at "${text.slice(pos)}"` : `${what} at the end`);
  };

  const factor = (): number => {
    skipSpaces();
    const c = text[pos];
    if (c === '+' || c === '-') {
      pos++;
      const v = factor();
      return c === '-' ? -v : v;
    }
    if (c === '(') {
      pos++;
      const v = expr();
      skipSpaces();
      if (text[pos] !== ')') fail('expected ")"');
      pos++;
      return v;
    }
    const m = NUMBER.exec(text.slice(pos));
    if (!m) return fail('expected a number');
    pos += m[0].length;
    return Number(m[0]);
  };

  const term = (): number => {
    let v = factor();
    for (;;) {
      skipSpaces();
      const c = text[pos];
      if (c !== '*' && c !== '/') return v;
      pos++;
      const rhs = factor();
      if (c === '/' && rhs === 0) throw new ExpressionError('division by zero');
      v = c === '*' ? v * rhs : v / rhs;
    }
  };

  const expr = (): number => {
    let v = term();
    for (;;) {
      skipSpaces();
      const c = text[pos];
      if (c !== '+' && c !== '-') return v;
      pos++;
      const rhs = term();
      v = c === '+' ? v + rhs : v - rhs;
    }
  };

  try {
    if (text.trim() === '') return { ok: false, error: 'empty expression' };
    const value = expr();
    skipSpaces();
    if (pos < text.length) fail('unexpected character');
    if (!Number.isFinite(value)) return { ok: false, error: 'the result is not a finite number' };
    return { ok: true, value };
  } catch (e) {
    if (e instanceof ExpressionError) return { ok: false, error: e.message };
    throw e;
  }
}

class ExpressionError extends Error {}

/** Only digits, operators, parentheses, dots, exponents and spaces. */
const LOOKS_ARITHMETIC = /^[\d\s.eE+\-*\/()]*\d[\d\s.eE+\-*\/()]*$/;

/**
 * Wraps a number schema so that it also accepts an arithmetic expression given as a string. The
 * parsed value is always the evaluated number; an arithmetic-looking string that does not evaluate
 * (`8//255`) is an issue whose message says why (`params.expression` marks it for the problem
 * mapper); any other string is left to the number schema, which reports the wrong type.
 */
export function numberOrExpression<T extends z.ZodType<number>>(schema: T) {
  return z.preprocess((value, ctx) => {
    // Words ("five", "auto") are simply the wrong type: the number schema says so itself.
    if (typeof value !== 'string' || !LOOKS_ARITHMETIC.test(value)) return value;
    const r = evaluateExpression(value);
    if (r.ok) return r.value;
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a number or an arithmetic expression (${r.error})`,
      params: { expression: true },
      input: value,
    });
    return value;
  }, schema);
}

/**
 * A number as a person reads it: floating-point noise of arithmetic dropped (1.5 * 0.1 is shown
 * as 0.15, not 0.15000000000000002), twelve significant digits kept, so nothing real is lost.
 */
export function shownNumber(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(12))) : String(v);
}
