// The OpenAPI document: what tools need from it, and that the reply check of the HTTP suite
// (test/http/validate-replies.ts) refuses replies that drift from it.
import { describe, expect, it } from 'vitest';
import { docsPage } from '../../src/openapi/docs-page';
import { openApiDocument } from '../../src/openapi/spec';
import { mismatch, replyViolations, trackApp } from '../http/validate-replies';

type Operation = { operationId?: string; security?: unknown[] };
const doc = openApiDocument() as {
  servers?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; in: string; name: string }> };
};

const login = {
  code: '200',
  id: 1,
  end_time: '2026-12-27 05:59:25',
  amount: '30天',
  available: 2_592_000,
  token: 'a'.repeat(32),
  statecode: 'b'.repeat(32),
  safe_code: '',
  time: 1_790_000_000,
  date: '202611270559',
  imei: 'DEVICE',
  change: 0,
  core: '',
};

describe('the document', () => {
  it('has servers, security schemes for the potato headers, and an operationId and security on every operation', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.components.securitySchemes).toMatchObject({
      askKey: { type: 'apiKey', in: 'header', name: 'askKey' },
      apiUserToken: { type: 'apiKey', in: 'header', name: 'apiUserToken' },
    });
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of Object.values(doc.paths))
      for (const op of Object.values(item)) expect(op.security).toBeDefined();
    expect(doc.paths['/api/createCardMy']?.post?.security).toEqual([{ askKey: [], apiUserToken: [] }]);
  });
});

describe('the /docs page', () => {
  it('has a script that compiles (it walks the document: unions, security schemes)', () => {
    const script = [...docsPage().matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
    expect(script).toContain('securitySchemes');
    expect(() => new Function(`return async () => {${script}}`)).not.toThrow();
  });
});

describe('reply shapes', () => {
  it('a real login reply and an error reply match; drift does not', () => {
    expect(mismatch('T3LoginReply', login)).toBeUndefined();
    expect(mismatch('T3LoginReply', { ...login, code: 200 })).toBeUndefined();
    expect(mismatch('T3LoginReply', { code: '201', msg: '卡密不存在' })).toBeUndefined();
    expect(mismatch('T3LoginReply', { ...login, extra: 1 })).toBeDefined();
    const { token: _, ...noToken } = login;
    expect(mismatch('T3LoginReply', noToken)).toBeDefined();
    expect(mismatch('T3LoginReply', { code: '201', msg: '卡密不存在了' })).toBeDefined();
  });

  it('the union of every endpoint no longer matches anything with a code', () => {
    expect(mismatch('T3Reply', { code: '200', anything: true })).toBeDefined();
    expect(mismatch('T3Reply', { code: '200', msg: '在线', time: 1, date: '202611270559' })).toBeUndefined();
  });

  it('a notice may read like an error message (the one overlap, hence anyOf)', () => {
    expect(mismatch('T3NoticeReply', { code: '200', msg: '卡密不存在' })).toBeUndefined();
  });

  it('potato envelopes are told apart by status', () => {
    const envelope = { code: '200', message: '', status: true, pc: null, time: null, sign: null };
    expect(
      mismatch('PotatoLoginReply', { ...envelope, data: { apiUserToken: 't', expireTime: 1 } }),
    ).toBeUndefined();
    expect(
      mismatch('PotatoLoginReply', {
        ...envelope,
        code: '403',
        message: 'askKey无效',
        status: false,
        data: null,
      }),
    ).toBeUndefined();
    expect(mismatch('PotatoLoginReply', { ...envelope, code: '403', data: null })).toBeDefined();
  });
});

describe('the HTTP suite reply check', () => {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });

  it('reports a reply that drifted from its endpoint, an undocumented status and an undocumented path', async () => {
    trackApp({ heartbeat: 'AAAAAAAAAAAAAAAA' }, { mode: 'plain' });
    const url = (path: string) => new URL(`http://127.0.0.1:1${path}`);
    expect(
      await replyViolations('POST', url('/AAAAAAAAAAAAAAAA'), json({ code: '200', msg: '在线' })),
    ).toEqual([expect.stringContaining('(heartbeat)')]);
    expect(
      await replyViolations(
        'POST',
        url('/AAAAAAAAAAAAAAAA'),
        json({ code: '200', msg: '在线', time: 1, date: 'x' }),
      ),
    ).toEqual([]);
    expect(await replyViolations('POST', url('/api/login'), json({ code: 418, msg: 'x' }, 418))).toEqual([
      expect.stringContaining('status not in the document'),
    ]);
    expect(await replyViolations('GET', url('/metrics'), json({}))).toEqual([
      expect.stringContaining('not described by the OpenAPI document'),
    ]);
  });
});
