// The structure the domain promises: one service for both engines (the engine picks an adapter in
// one place and is never consulted by a method), and the potatocloud state decided once in
// TypeScript with its SQL translation (used for filtering) agreeing on every kind of card.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POTATO_STATE, potatoState } from '../../src/domain/rules/index';
import type { CardRecord } from '../../src/domain/types';
import { potatoStateSql } from '../../src/store/sql/cards';
import { describeEngines } from './harness';

const src = join(__dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('domain structure', () => {
  it('no domain method dispatches by engine: only openStorage looks at it', () => {
    const mentions = sources(join(src, 'domain')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /\.engine\b/.test(line) && !line.trim().startsWith('//'))
        .map((line) => `${file.slice(src.length)}: ${line.trim()}`),
    );
    expect(mentions).toEqual([
      "/domain/service.ts: if (db.engine === 'postgres') return createPostgresStorage(db, ctx.clock);",
    ]);
  });

  it('rules are pure: no I/O, clock or randomness under domain/rules', () => {
    for (const file of sources(join(src, 'domain', 'rules'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(
        /from '(node:|\.\.\/\.\.\/store)|Date\.now|Math\.random|randomBytes|\.query\(/,
      );
    }
  });
});

const NOW = 1_800_000_000;
function card(over: Partial<CardRecord>): CardRecord {
  return {
    id: '1',
    appId: '1',
    cardStr: 'X',
    kind: 'time',
    type: 0,
    durationSeconds: 86_400,
    usesTotal: null,
    usesLeft: null,
    status: 1,
    disabled: false,
    imei: null,
    boundIp: null,
    boundRegion: null,
    change: 0,
    core: '',
    createdIp: '',
    createdAt: 0,
    modifiedAt: 0,
    activatedAt: null,
    expiresAt: null,
    ...over,
  };
}

const CASES: Array<[string, CardRecord]> = [
  ['unused time card', card({})],
  ['active time card', card({ activatedAt: NOW - 10, expiresAt: NOW + 10 })],
  ['expired time card', card({ activatedAt: NOW - 100, expiresAt: NOW - 1 })],
  ['expiring this second', card({ activatedAt: NOW - 100, expiresAt: NOW })],
  ['disabled expired card', card({ disabled: true, activatedAt: NOW - 100, expiresAt: NOW - 1 })],
  ['unused permanent card', card({ kind: 'permanent', type: 5, durationSeconds: null })],
  ['active permanent card', card({ kind: 'permanent', type: 5, durationSeconds: null, activatedAt: NOW })],
  [
    'unused count card',
    card({ kind: 'count', type: null, durationSeconds: null, usesTotal: 2, usesLeft: 2 }),
  ],
  [
    'count card with uses left',
    card({ kind: 'count', type: null, durationSeconds: null, usesTotal: 2, usesLeft: 1, activatedAt: NOW }),
  ],
  [
    'used-up count card',
    card({ kind: 'count', type: null, durationSeconds: null, usesTotal: 2, usesLeft: 0, activatedAt: NOW }),
  ],
  ['disabled unused card', card({ disabled: true })],
];

describeEngines('potatocloud state: the rule and its SQL translation agree', (engine) => {
  it('on every kind of card', async () => {
    const { service } = await engine.start();
    for (const [name, c] of CASES) {
      const res = await service.db.query<{ state: unknown }>(
        `SELECT ${potatoStateSql('$6::bigint')} AS state FROM (SELECT $1::text AS kind, $2::bool AS disabled,
         $3::bigint AS expires_at, $4::int AS uses_left, $5::bigint AS activated_at) AS cards`,
        [c.kind, c.disabled, c.expiresAt, c.usesLeft, c.activatedAt, NOW],
      );
      expect(Number(res.rows[0]?.state), name).toBe(potatoState(c, NOW));
      expect(Object.values(POTATO_STATE)).toContain(potatoState(c, NOW));
    }
  });
});
