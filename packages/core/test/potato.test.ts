import { describe, expect, it } from 'vitest';
import {
  buildPotatoHeaders,
  CARD_TYPES,
  cardTypeAmount,
  cardTypeDurationSeconds,
  computePotatoSign,
  isCardType,
  KamiValidationError,
  MAX_CARDS_PER_CALL,
  validateCreateCard,
} from '../src';
import { potatoEnvelope } from '../src/server';
import { loadVector, md5 } from './helpers';

interface PotatoCase {
  name: string;
  askKey: string;
  apiUserToken: string | null;
  signSecret: string | null;
  timeMs: number;
  sign: string | null;
  headers: Record<string, string>;
}
const pv = loadVector<{ cases: PotatoCase[] }>('potato-sign.json');
const seed = loadVector('seed-fixtures.json').potatoCreateCardMy;

describe('potato sign and headers (potato-sign.json)', () => {
  it.each(pv.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    if (c.signSecret !== null) {
      expect(computePotatoSign(md5, c.signSecret, c.timeMs)).toBe(c.sign);
      expect(computePotatoSign(md5, c.signSecret, String(c.timeMs))).toBe(c.sign);
    }
    const headers = buildPotatoHeaders(
      md5,
      { askKey: c.askKey, apiUserToken: c.apiUserToken ?? undefined, signSecret: c.signSecret ?? undefined },
      c.timeMs,
    );
    expect(headers).toEqual(c.headers);
  });
});

describe('potatoEnvelope and the seed createCardMy fixture', () => {
  it('builds the envelope shape of the seed', () => {
    expect(potatoEnvelope(200, '', seed.response.data)).toEqual(seed.response);
    expect(potatoEnvelope(403, '未开启API生成卡密', null)).toEqual({
      code: '403',
      message: '未开启API生成卡密',
      status: false,
      data: null,
      pc: null,
      time: null,
      sign: null,
    });
  });
  it('the seed request is a valid createCardMy input and serialises as in the seed', () => {
    expect(validateCreateCard(seed.request)).toEqual(seed.request);
    expect(JSON.stringify(validateCreateCard(seed.request))).toBe(seed.requestJson);
  });
  it('seed cards: snowflake ids as strings, 32 uppercase hex cardStr, type 1', () => {
    expect(seed.response.data).toHaveLength(seed.request.total);
    for (const card of seed.response.data) {
      expect(typeof card.id).toBe('string');
      expect(BigInt(card.id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      expect(card.cardStr).toMatch(/^[0-9A-F]{32}$/);
      expect(card.type).toBe(seed.request.type);
    }
  });
});

describe('card types', () => {
  it('match the seed table', () => {
    expect(CARD_TYPES.map((t) => ({ type: t.type, name: t.name }))).toEqual(seed.cardTypes);
    expect(MAX_CARDS_PER_CALL).toBe(seed.maxTotal);
  });
  it('isCardType', () => {
    for (const t of [0, 1, 2, 3, 4, 5]) expect(isCardType(t)).toBe(true);
    for (const t of [-1, 6, 1.5, '1', null, undefined, Number.NaN]) expect(isCardType(t)).toBe(false);
  });
  it('durations and amounts', () => {
    expect([0, 1, 2, 3, 4, 5].map((t) => cardTypeDurationSeconds(t as 0))).toEqual([
      86_400,
      7 * 86_400,
      30 * 86_400,
      90 * 86_400,
      365 * 86_400,
      null,
    ]);
    expect([0, 1, 2, 3, 4, 5].map((t) => cardTypeAmount(t as 0))).toEqual([
      '1天',
      '7天',
      '30天',
      '90天',
      '365天',
      '永久卡',
    ]);
  });
});

describe('validateCreateCard', () => {
  it.each([0, 1, 2, 3, 4, 5])('type %i ok', (type) => {
    expect(validateCreateCard({ type, total: 1 })).toEqual({ type, total: 1 });
  });
  it.each([1, 10])('total %i ok', (total) => {
    expect(validateCreateCard({ type: 0, total })).toEqual({ type: 0, total });
  });
  it.each([
    [{ type: -1, total: 1 }, 'type'],
    [{ type: 6, total: 1 }, 'type'],
    [{ type: 1.5, total: 1 }, 'type'],
    [{ type: '1', total: 1 }, 'type'],
    [{ type: 1, total: 0 }, 'total'],
    [{ type: 1, total: 11 }, 'total'],
    [{ type: 1, total: 2.5 }, 'total'],
    [{ type: 1, total: '10' }, 'total'],
    [{ type: 1, total: undefined }, 'total'],
  ])('%j is refused on %s', (input, field) => {
    try {
      validateCreateCard(input as { type: unknown; total: unknown });
      expect.unreachable();
    } catch (error) {
      expect(KamiValidationError.isInstance(error)).toBe(true);
      expect((error as KamiValidationError).field).toBe(field);
      expect((error as KamiValidationError).code).toBe('INVALID_ARGUMENT');
    }
  });
});
