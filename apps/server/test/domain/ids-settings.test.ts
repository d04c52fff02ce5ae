import { describe, expect, it } from 'vitest';
import { newCardStrs } from '../../src/domain/ids';
import {
  createSnowflake,
  defaultAppSettings,
  newAppKey,
  newCardStr,
  newRouteCode,
  resolveSettings,
  SNOWFLAKE_EPOCH_MS,
} from '../../src/domain/index';
import { T3_ROUTE_NAMES } from '../../src/domain/types';
import { AppSettingsSchema } from '../../src/schema/settings';

describe('snowflake ids', () => {
  it('decodes the seed id to its createdDate with our epoch', () => {
    expect(Number(783556860021596160n >> 22n) + SNOWFLAKE_EPOCH_MS).toBe(1675926123437);
  });

  it('lays out time | worker | sequence and stays strictly increasing on a frozen clock', () => {
    const t = 1_700_000_000_000;
    const gen = createSnowflake(() => t, 5);
    const ids = Array.from({ length: 10_000 }, () => BigInt(gen.next()));
    for (let i = 1; i < ids.length; i++) expect((ids[i] as bigint) > (ids[i - 1] as bigint)).toBe(true);
    const first = ids[0] as bigint;
    expect(Number(first >> 22n)).toBe(t - SNOWFLAKE_EPOCH_MS);
    expect(Number((first >> 12n) & 1023n)).toBe(5);
    expect(Number(first & 4095n)).toBe(0);
    // 4096 per millisecond, then it borrows the next one.
    expect(Number((ids[4096] as bigint) >> 22n)).toBe(t - SNOWFLAKE_EPOCH_MS + 1);
  });

  it('never goes backwards when the clock does', () => {
    let t = 1_700_000_000_000;
    const gen = createSnowflake(() => t, 1);
    const a = BigInt(gen.next());
    t -= 10_000;
    const b = BigInt(gen.next());
    expect(b > a).toBe(true);
  });

  it('rejects a worker id outside 10 bits', () => {
    expect(() => createSnowflake(() => 0, 1024)).toThrow(RangeError);
  });
});

describe('random strings', () => {
  it('card strings are 32 uppercase hex, 调用码 16, app keys 32 lowercase hex, all distinct', () => {
    const cards = [newCardStr(), ...newCardStrs(1000)];
    for (const c of cards) expect(c).toMatch(/^[0-9A-F]{32}$/);
    expect(new Set(cards).size).toBe(cards.length);
    expect(newRouteCode()).toMatch(/^[0-9A-F]{16}$/);
    expect(newAppKey()).toMatch(/^[0-9a-f]{32}$/);
    expect(newAppKey()).not.toBe(newAppKey());
  });
});

describe('settings', () => {
  it('defaults match the documented ones', () => {
    const d = defaultAppSettings();
    expect(d).toMatchObject({
      enabled: true,
      machineCodeCheck: true,
      forbidEmptyDevice: false,
      timestampCheck: { enabled: true, windowSeconds: 60 },
      signatureCheck: 'on',
      codeType: 'string',
      successCode: 200,
      encoding: { mode: 'plain' },
      statecodeValiditySeconds: 600,
      ipBinding: 'off',
      unbindLimit: 3,
      apiCardCreation: true,
      potatoSign: false,
      potatoSignWindowMs: 300_000,
    });
    expect(Object.keys(d.endpoints).sort()).toEqual([...T3_ROUTE_NAMES].sort());
    expect(Object.values(d.endpoints).every(Boolean)).toBe(true);
    // Fresh objects: mutating one does not leak into the next.
    d.endpoints.login = false;
    expect(defaultAppSettings().endpoints.login).toBe(true);
  });

  it('merges partial settings, nested objects by key, ignoring undefined', () => {
    const s = resolveSettings({
      machineCodeCheck: false,
      unbindLimit: undefined,
      endpoints: { heartbeat: false },
      timestampCheck: { enabled: false },
      update: { upurl: 'https://x' },
    });
    expect(s.machineCodeCheck).toBe(false);
    expect(s.unbindLimit).toBe(3);
    expect(s.endpoints).toMatchObject({ heartbeat: false, login: true });
    expect(s.timestampCheck).toEqual({ enabled: false, windowSeconds: 60 });
    expect(s.update).toEqual({ version: '1.0.0', uplog: '', upurl: 'https://x' });
    expect(resolveSettings()).toEqual(defaultAppSettings());
  });

  it('preset t3-official: int codes by default; a contradicting setting is refused, naming it', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const encoding = { mode: 'base64' as const, alphabet };
    const s = resolveSettings({ preset: 't3-official', encoding });
    expect(s).toMatchObject({ codeType: 'int', signatureCheck: 'on', loginToken: 'auto' });
    expect(resolveSettings({ preset: 't3-official', encoding, codeType: 'int' }).codeType).toBe('int');
    expect(
      resolveSettings({ preset: 't3-official', encoding, signatureCheck: 'two-way', loginToken: 'signed' }),
    ).toMatchObject({ signatureCheck: 'two-way' });
    for (const [bad, path] of [
      [{ codeType: 'string' }, 'codeType'],
      [{ signatureCheck: 'off' }, 'signatureCheck'],
      [{ loginToken: 'basic' }, 'loginToken'],
      [{ loginToken: 'signed' }, 'loginToken'],
      [{ encoding: { mode: 'plain' } }, 'encoding'],
    ] as const) {
      const result = AppSettingsSchema.safeParse({ preset: 't3-official', encoding, ...bad });
      expect(result.success, path).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([path]);
      expect(result.error?.issues[0]?.message).toMatch(/contradicts preset "t3-official"/);
    }
    expect(AppSettingsSchema.safeParse({ preset: 'hosted' }).success).toBe(false);
  });
});
