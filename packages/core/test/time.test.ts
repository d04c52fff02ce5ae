import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatBeijingDateTime,
  formatBeijingMinute,
  PERMANENT_END_TIME,
  parseBeijingDateTime,
  unixSeconds,
} from '../src';
import { loadVector } from './helpers';

const tv = loadVector<{
  cases: { name: string; epochSeconds: number; minute: string; dateTime: string }[];
  invalidDateTimes: string[];
}>('beijing-time.json');

describe('Beijing time (beijing-time.json)', () => {
  it.each(tv.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(formatBeijingMinute(c.epochSeconds)).toBe(c.minute);
    expect(formatBeijingDateTime(c.epochSeconds)).toBe(c.dateTime);
    expect(parseBeijingDateTime(c.dateTime)).toBe(c.epochSeconds);
    // Fractions of a second are truncated.
    expect(formatBeijingDateTime(c.epochSeconds + 0.999)).toBe(c.dateTime);
  });

  it.each(tv.invalidDateTimes)('rejects %j', (text) => {
    expect(parseBeijingDateTime(text)).toBeUndefined();
  });

  it('parse is the inverse of format for any second from 1970 to 2099', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_799 }), (epoch) => {
        expect(parseBeijingDateTime(formatBeijingDateTime(epoch))).toBe(epoch);
      }),
    );
  });

  it('rejects two-digit years that Date.UTC would read as 19xx', () => {
    expect(parseBeijingDateTime('0050-01-01 00:00:00')).toBeUndefined();
  });

  it('does not depend on the machine time zone', () => {
    // Node reads TZ lazily; formatting must only use UTC getters.
    const old = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      for (const c of tv.cases) expect(formatBeijingDateTime(c.epochSeconds)).toBe(c.dateTime);
    } finally {
      if (old === undefined) delete process.env.TZ;
      else process.env.TZ = old;
    }
  });

  // From 1992 on: the tz database has Chinese DST in 1986–1991, the wire format is fixed UTC+8.
  it('matches Intl Asia/Shanghai for arbitrary instants since 1992 and round-trips (property)', () => {
    const f = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    fc.assert(
      fc.property(fc.integer({ min: 694_224_000, max: 4_102_444_799 }), (s) => {
        const p = Object.fromEntries(f.formatToParts(new Date(s * 1000)).map((x) => [x.type, x.value]));
        expect(formatBeijingDateTime(s)).toBe(
          `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`,
        );
        expect(formatBeijingMinute(s)).toBe(`${p.year}${p.month}${p.day}${p.hour}${p.minute}`);
        expect(parseBeijingDateTime(formatBeijingDateTime(s))).toBe(s);
      }),
    );
  });

  it('PERMANENT_END_TIME parses', () => {
    expect(parseBeijingDateTime(PERMANENT_END_TIME)).toBe(Date.UTC(2099, 11, 31, 15, 59, 59) / 1000);
  });

  it('unixSeconds floors milliseconds', () => {
    expect(unixSeconds(1741700000999)).toBe(1741700000);
    expect(unixSeconds(0)).toBe(0);
    const now = Date.now();
    expect(Math.abs(unixSeconds() - Math.floor(now / 1000))).toBeLessThanOrEqual(1);
    expect(String(unixSeconds())).toHaveLength(10);
  });
});
