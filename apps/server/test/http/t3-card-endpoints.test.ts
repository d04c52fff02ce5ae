// The card and app endpoints beyond login over HTTP, in every value encoding: kami_recharge,
// ip_unbind, disable, get_kami_core, modify_core, heartbeat_any, online_kami, app_sign; each
// endpoint's switch; the version display name; the encoded throttle reply.
import { generateKeyPairSync } from 'node:crypto';
import { type EncodingOptions, T3_MESSAGES, T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRecord } from '../../src/domain/types';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, randomImei, t3 } from './helpers';

const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const ALPHABET = 'ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210+/';
const MODES: Array<{ name: string; encoding: EncodingOptions }> = [
  { name: 'plain', encoding: { mode: 'plain' } },
  { name: 'base64', encoding: { mode: 'base64', alphabet: ALPHABET } },
  { name: 'rsa', encoding: { mode: 'rsa', publicKey, privateKey } },
];
const SWITCHED = [
  'kami_recharge',
  'ip_unbind',
  'disable',
  'get_kami_core',
  'modify_core',
  'heartbeat_any',
  'online_kami',
  'app_sign',
  'get_variable',
  'modify_variable',
] as const;

let server: TestServer;
let store: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  const settings = (encoding: EncodingOptions) => ({
    encoding,
    ipBinding: 'exact' as const,
    coreMaxBytes: 8,
    appSignatures: ['SIG-A', 'SIG-B'],
    variables: [
      { id: 'v1', name: '公告', value: '只读值' },
      { id: 'v2', name: '计数', value: '0', writable: true },
    ],
    variableMaxBytes: 8,
    version: '2.1.0',
    ver: '二代',
    update: { version: '2.1.0', ver: '二代', uplog: 'log', upurl: 'https://example.com' },
  });
  server = await startTestServer({
    db: store.db,
    apps: [
      ...MODES.map((m) => ({ name: m.name, settings: settings(m.encoding) })),
      ...MODES.map((m) => ({
        name: `${m.name}-off`,
        settings: {
          ...settings(m.encoding),
          endpoints: Object.fromEntries(SWITCHED.map((r) => [r, false])),
        },
      })),
    ],
  });
  // Six apps, two with RSA keys, on a shared machine: starting takes a while.
}, 180_000);

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

const err = (msg: string) => ({ code: '201', msg });
const ok = (msg: string) => ({ code: '200', msg });

describe.each(MODES)('$name', ({ name }) => {
  let app: AppRecord;
  const mint = async (
    card: { kind: 'time'; type: 0 | 1 | 2 | 3 | 4 } | { kind: 'count'; uses: number } | { kind: 'permanent' },
    core = '',
  ) => (await server.service.mintCard({ app, card, core })).cardStr;
  const activate = async (kami: string) => {
    const r = await server.service.login({ app, kami, imei: randomImei(), ip: '10.0.0.1' });
    if (!r.ok) throw new Error(r.error);
    return r.body;
  };
  const call = (
    route: (typeof SWITCHED)[number] | 'version' | 'check_update',
    fields: Array<[string, string]>,
  ) => t3(server, app, route, fields).then((r) => r.body);

  beforeAll(() => {
    app = appNamed(server, name);
  });

  it('kami_recharge: a time card adds its duration to an activated time card and is used up', async () => {
    const target = await mint({ kind: 'time', type: 0 });
    const source = await mint({ kind: 'time', type: 1 });
    const before = await activate(target);
    expect(
      await call('kami_recharge', [
        ['target_kami', target],
        ['source_kami', source],
      ]),
    ).toEqual(ok(T3_SUCCESS_MESSAGES.RECHARGE_OK));
    const t = await server.service.getCard({ app, cardStr: target });
    const s = await server.service.getCard({ app, cardStr: source });
    const now = Math.floor(server.clock.now() / 1000);
    expect(t?.expiresAt).toBe(now + 86_400 + 7 * 86_400);
    expect(before.end_time).not.toBe('');
    // The source can neither log in nor recharge again.
    expect(await server.service.login({ app, kami: source, imei: 'X', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_EXPIRED',
    });
    expect(s?.activatedAt).toBe(now);
    const other = await mint({ kind: 'time', type: 0 });
    await activate(other);
    expect(
      await call('kami_recharge', [
        ['target_kami', other],
        ['source_kami', source],
      ]),
    ).toEqual(err(T3_MESSAGES.SOURCE_CARD_USED));
  });

  it('kami_recharge: count into count adds the uses; kinds that differ are refused', async () => {
    const target = await mint({ kind: 'count', uses: 2 });
    const source = await mint({ kind: 'count', uses: 5 });
    await activate(target);
    expect(
      await call('kami_recharge', [
        ['target_kami', target],
        ['source_kami', source],
      ]),
    ).toEqual(ok(T3_SUCCESS_MESSAGES.RECHARGE_OK));
    expect(await server.service.getCard({ app, cardStr: target })).toMatchObject({
      usesTotal: 7,
      usesLeft: 6,
    });
    const time = await mint({ kind: 'time', type: 0 });
    const perm = await mint({ kind: 'permanent' });
    expect(
      await call('kami_recharge', [
        ['target_kami', target],
        ['source_kami', time],
      ]),
    ).toEqual(err(T3_MESSAGES.CARD_KIND_MISMATCH));
    await activate(perm);
    expect(
      await call('kami_recharge', [
        ['target_kami', perm],
        ['source_kami', time],
      ]),
    ).toEqual(err(T3_MESSAGES.CARD_KIND_MISMATCH));
    // Refused recharges change nothing.
    expect((await server.service.getCard({ app, cardStr: time }))?.activatedAt).toBeNull();
  });

  it('kami_recharge: every refusal', async () => {
    const target = await mint({ kind: 'time', type: 0 });
    const fresh = await mint({ kind: 'time', type: 0 });
    const source = await mint({ kind: 'time', type: 0 });
    const disabledSource = await mint({ kind: 'time', type: 0 });
    const disabledTarget = await mint({ kind: 'time', type: 0 });
    await activate(target);
    await activate(disabledTarget);
    await server.service.setCardDisabled({ app, cardStr: disabledSource, disabled: true });
    await server.service.setCardDisabled({ app, cardStr: disabledTarget, disabled: true });
    const cases: Array<[Array<[string, string]>, string]> = [
      [[['source_kami', source]], T3_MESSAGES.CARD_REQUIRED],
      [[['target_kami', target]], T3_MESSAGES.SOURCE_CARD_REQUIRED],
      [
        [
          ['target_kami', 'NO-SUCH-CARD'],
          ['source_kami', source],
        ],
        T3_MESSAGES.CARD_NOT_FOUND,
      ],
      [
        [
          ['target_kami', disabledTarget],
          ['source_kami', source],
        ],
        T3_MESSAGES.CARD_DISABLED,
      ],
      [
        [
          ['target_kami', fresh],
          ['source_kami', source],
        ],
        T3_MESSAGES.TARGET_CARD_NOT_ACTIVATED,
      ],
      [
        [
          ['target_kami', target],
          ['source_kami', 'NO-SUCH-CARD'],
        ],
        T3_MESSAGES.SOURCE_CARD_NOT_FOUND,
      ],
      [
        [
          ['target_kami', target],
          ['source_kami', disabledSource],
        ],
        T3_MESSAGES.SOURCE_CARD_DISABLED,
      ],
      [
        [
          ['target_kami', target],
          ['source_kami', target],
        ],
        T3_MESSAGES.SOURCE_CARD_USED,
      ],
    ];
    for (const [fields, msg] of cases) expect(await call('kami_recharge', fields), msg).toEqual(err(msg));
  });

  it('ip_unbind: clears the bound IP once (卡密未绑定IP after), refuses unknown cards', async () => {
    const card = await mint({ kind: 'time', type: 0 });
    await activate(card);
    expect((await server.service.getCard({ app, cardStr: card }))?.boundIp).toBe('10.0.0.1');
    expect(await call('ip_unbind', [['kami', card]])).toEqual(ok(T3_SUCCESS_MESSAGES.IP_UNBIND_OK));
    expect((await server.service.getCard({ app, cardStr: card }))?.boundIp).toBeNull();
    expect(await call('ip_unbind', [['kami', card]])).toEqual(err(T3_MESSAGES.IP_NOT_BOUND));
    expect(await call('ip_unbind', [['kami', 'NO-SUCH-CARD']])).toEqual(err(T3_MESSAGES.CARD_NOT_FOUND));
    expect(await call('ip_unbind', [])).toEqual(err(T3_MESSAGES.CARD_REQUIRED));
  });

  it('disable: the card is disabled and its sessions end', async () => {
    const card = await mint({ kind: 'time', type: 0 });
    const login = await activate(card);
    expect(await call('disable', [['kami', card]])).toEqual(ok(T3_SUCCESS_MESSAGES.DISABLE_OK));
    expect(await call('heartbeat_any', [['statecode', login.statecode]])).toEqual(
      err(T3_MESSAGES.STATECODE_NOT_FOUND),
    );
    expect(await call('disable', [['kami', card]])).toEqual(err(T3_MESSAGES.CARD_DISABLED));
    expect(await call('disable', [['kami', 'NO-SUCH-CARD']])).toEqual(err(T3_MESSAGES.CARD_NOT_FOUND));
    expect(await call('disable', [])).toEqual(err(T3_MESSAGES.CARD_REQUIRED));
  });

  it('get_kami_core / modify_core: read, write, the size limit', async () => {
    const card = await mint({ kind: 'time', type: 0 }, 'c0de');
    expect(await call('get_kami_core', [['kami', card]])).toEqual(ok('c0de'));
    expect(
      await call('modify_core', [
        ['kami', card],
        ['core', '核心'],
      ]),
    ).toEqual(ok(T3_SUCCESS_MESSAGES.MODIFY_OK));
    expect(await call('get_kami_core', [['kami', card]])).toEqual(ok('核心'));
    // coreMaxBytes is 8: three CJK characters are 9 bytes.
    expect(
      await call('modify_core', [
        ['kami', card],
        ['core', '核心数'],
      ]),
    ).toEqual(err(T3_MESSAGES.DATA_TOO_LONG));
    expect(await call('get_kami_core', [['kami', 'NO-SUCH-CARD']])).toEqual(err(T3_MESSAGES.CARD_NOT_FOUND));
    expect(
      await call('modify_core', [
        ['kami', 'NO-SUCH-CARD'],
        ['core', 'x'],
      ]),
    ).toEqual(err(T3_MESSAGES.CARD_NOT_FOUND));
    expect(await call('get_kami_core', [])).toEqual(err(T3_MESSAGES.CARD_REQUIRED));
    await server.service.setCardDisabled({ app, cardStr: card, disabled: true });
    expect(await call('get_kami_core', [['kami', card]])).toEqual(err(T3_MESSAGES.CARD_DISABLED));
  });

  it('heartbeat_any renews a card session; online_kami counts live ones', async () => {
    const before = Number((await call('online_kami', [])).msg);
    const login = await activate(await mint({ kind: 'time', type: 0 }));
    expect(await call('online_kami', [])).toEqual(ok(String(before + 1)));
    const beat = await call('heartbeat_any', [['statecode', login.statecode]]);
    expect(beat).toMatchObject(ok(T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE));
    expect(Object.keys(beat)).toEqual(['code', 'msg', 'time', 'date']);
    expect(await call('heartbeat_any', [])).toEqual(err(T3_MESSAGES.STATECODE_REQUIRED));
    expect(await call('heartbeat_any', [['statecode', 'f'.repeat(32)]])).toEqual(
      err(T3_MESSAGES.STATECODE_NOT_FOUND),
    );
  });

  it('app_sign: a configured signature matches (constant time); others do not', async () => {
    const reply = await call('app_sign', [['autograph', 'SIG-B']]);
    expect(reply).toEqual({
      code: '200',
      msg: T3_SUCCESS_MESSAGES.APP_SIGN_OK,
      autograph: 'SIG-B',
      time: Math.floor(server.clock.now() / 1000),
    });
    expect(await call('app_sign', [['autograph', 'SIG-C']])).toEqual(err(T3_MESSAGES.APP_SIGN_MISMATCH));
    expect(await call('app_sign', [['autograph', 'SIG-BB']])).toEqual(err(T3_MESSAGES.APP_SIGN_MISMATCH));
    expect(await call('app_sign', [])).toEqual(err(T3_MESSAGES.AUTOGRAPH_REQUIRED));
  });

  it('get_variable / modify_variable: configured values, client writes, every refusal', async () => {
    const card = await mint({ kind: 'time', type: 0 });
    const get = (id: string, vname: string, kami = card) =>
      call('get_variable', [
        ['kami', kami],
        ['valueid', id],
        ['valuename', vname],
      ]);
    const put = (id: string, content: string, kami = card) =>
      call('modify_variable', [
        ['kami', kami],
        ['valueid', id],
        ['valuecontent', content],
      ]);
    expect(await get('v1', '公告')).toEqual(ok('只读值'));
    expect(await get('v1', '')).toEqual(ok('只读值'));
    expect(await get('', '公告')).toEqual(ok('只读值'));
    expect(await get('v1', '计数')).toEqual(err(T3_MESSAGES.VARIABLE_NOT_FOUND));
    expect(await get('nope', '')).toEqual(err(T3_MESSAGES.VARIABLE_NOT_FOUND));
    expect(await get('', '')).toEqual(err(T3_MESSAGES.VARIABLE_REQUIRED));
    expect(await get('v1', '', 'NO-SUCH-CARD')).toEqual(err(T3_MESSAGES.CARD_NOT_FOUND));
    expect(await call('get_variable', [['valueid', 'v1']])).toEqual(err(T3_MESSAGES.CARD_REQUIRED));
    expect(await put('v2', '42')).toEqual(ok(T3_SUCCESS_MESSAGES.MODIFY_OK));
    expect(await get('v2', '计数')).toEqual(ok('42'));
    expect(await put('v1', 'x')).toEqual(err(T3_MESSAGES.VARIABLE_READ_ONLY));
    expect(await put('v2', '九个字节')).toEqual(err(T3_MESSAGES.DATA_TOO_LONG));
    expect(await put('v2', '')).toEqual(ok(T3_SUCCESS_MESSAGES.MODIFY_OK));
    expect(await get('v2', '')).toEqual(ok(''));
    await server.service.setCardDisabled({ app, cardStr: card, disabled: true });
    expect(await get('v1', '')).toEqual(err(T3_MESSAGES.CARD_DISABLED));
    expect(await put('v2', '1')).toEqual(err(T3_MESSAGES.CARD_DISABLED));
  });

  it('version and check_update: ver is the display name, version the number', async () => {
    expect(await call('version', [])).toEqual({ code: '200', ver: '二代', msg: '2.1.0' });
    expect(await call('check_update', [['ver', '2.0.0']])).toEqual({
      code: '200',
      ver: '二代',
      version: '2.1.0',
      uplog: 'log',
      upurl: 'https://example.com',
    });
    expect(await call('check_update', [['ver', '2.1.0']])).toEqual({
      code: '201',
      msg: T3_SUCCESS_MESSAGES.ALREADY_LATEST,
    });
  });

  it('each endpoint answers 接口未开启 when switched off', async () => {
    const off = appNamed(server, `${name}-off`);
    for (const route of SWITCHED)
      expect((await t3(server, off, route, [['kami', 'X']])).body, route).toEqual(
        err(T3_MESSAGES.ENDPOINT_DISABLED),
      );
  });
});

describe('kami_recharge race', () => {
  it('50 parallel recharges of one source into different targets: consumed exactly once', async () => {
    const app = appNamed(server, 'plain');
    const source = (await server.service.mintCard({ app, card: { kind: 'time', type: 1 } })).cardStr;
    const targets: string[] = [];
    for (let i = 0; i < 50; i++) {
      const t = (await server.service.mintCard({ app, card: { kind: 'time', type: 0 } })).cardStr;
      const r = await server.service.login({ app, kami: t, imei: 'RACE', ip: '' });
      if (!r.ok) throw new Error(r.error);
      targets.push(t);
    }
    const replies = await Promise.all(
      targets.map((t) =>
        t3(server, app, 'kami_recharge', [
          ['target_kami', t],
          ['source_kami', source],
        ]).then((r) => r.body.msg),
      ),
    );
    expect(replies.filter((m) => m === T3_SUCCESS_MESSAGES.RECHARGE_OK)).toHaveLength(1);
    expect(replies.filter((m) => m === T3_MESSAGES.SOURCE_CARD_USED)).toHaveLength(49);
    const now = Math.floor(server.clock.now() / 1000);
    const extended = [];
    for (const t of targets) {
      const card = await server.service.getCard({ app, cardStr: t });
      if ((card?.expiresAt ?? 0) > now + 86_400) extended.push(t);
    }
    expect(extended).toHaveLength(1);
    expect(extended[0]).toBe(targets[replies.indexOf(T3_SUCCESS_MESSAGES.RECHARGE_OK)]);
  });
});
