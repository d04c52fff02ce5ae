// Flag value parsers. commander reports a rejected value with the option's name
// ("option '--count <n>' argument 'x' is invalid. …"), and the CLI exits 2.
import { InvalidArgumentError } from 'commander';

export function integer(min: number, max: number) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`must be from ${min} to ${max}`);
    return n;
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** `90s`, `15m`, `12h`, `30d`, `2w`, `1y` (a bare number is days) → seconds. */
export function duration(value: string): number {
  const m = /^(\d+)\s*([smhdwy]?)$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('must be a duration such as 90s, 15m, 12h, 30d, 2w or 1y');
  const seconds = Number(m[1]) * UNIT_SECONDS[(m[2] || 'd').toLowerCase()]!;
  if (seconds <= 0 || !Number.isSafeInteger(seconds))
    throw new InvalidArgumentError('must be more than zero');
  return seconds;
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value))
      throw new InvalidArgumentError(`must be one of ${choices.join(', ')}`);
    return value as T;
  };
}

/** Repeatable `--x a --x b` and comma lists `--x a,b`. */
export const list = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
