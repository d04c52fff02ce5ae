import {
  computeLoginToken,
  computeStatecode,
  formatBeijingMinute,
  type HttpRequest,
} from '@kami-verify/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSessionClient, createT3Client, createVerify, KamiValidationError, md5 } from '../src/index';

const APPKEY = 'test-appkey';
const base = {
  baseUrl: 'https://kami.example',
  appKey: APPKEY,
  routes: { login: 'AAAA', heartbeat: 'BBBB' },
};

/** A fetch that answers a T3 login the way the server does (token and statecode from the APPKEY). */
function loginFetch() {
  return vi.fn(async (url: string, init: { body?: string }) => {
    const form = new URLSearchParams(init.body);
    const time = Math.floor(Date.now() / 1000);
    const date = formatBeijingMinute(time);
    const body = url.endsWith('/AAAA')
      ? (() => {
          const token = computeLoginToken(md5, {
            id: 7,
            appKey: APPKEY,
            endTime: '2099-01-01 00:00:00',
            date,
          });
          return {
            code: '200',
            id: 7,
            end_time: '2099-01-01 00:00:00',
            amount: '30天',
            available: 100,
            token,
            statecode: computeStatecode(md5, token, time),
            safe_code: form.get('safe_code'),
            time,
            date,
            imei: form.get('imei'),
            change: 0,
            core: '',
          };
        })()
      : { code: '200', msg: '在线', time, date };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('createVerify (browser)', () => {
  it('logs in over the global fetch with our md5 and a correct signature', async () => {
    const fetch = loginFetch();
    vi.stubGlobal('fetch', fetch);
    const client = createVerify(base);
    const session = await client.login('CARD', 'DEVICE');
    expect(session.statecode).toMatch(/^[0-9a-f]{32}$/);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('https://kami.example/AAAA');
    const form = new URLSearchParams(init.body);
    const signText = `kami=CARD&imei=DEVICE&safe_code=${form.get('safe_code')}&t=${form.get('t')}&${APPKEY}`;
    expect(form.get('s')).toBe(md5(signText));
    await expect(client.heartbeat(session.statecode)).resolves.toMatchObject({ msg: '在线' });
  });

  it.each(['createCardMy', 'getCardMyList', 'potatoLogin'] as const)(
    'refuses %s without the opt-in, before any I/O',
    async (name) => {
      const transport = vi.fn<(r: HttpRequest) => never>();
      const client = createVerify({ ...base, transport });
      const call = (client[name] as (...args: unknown[]) => Promise<unknown>)({ type: 1, total: 1 });
      await expect(call).rejects.toBeInstanceOf(KamiValidationError);
      await expect(call).rejects.toMatchObject({ code: 'NOT_ALLOWED_IN_BROWSER', field: name });
      await expect(call).rejects.toThrow(/dangerouslyAllowResellerCalls/);
      expect(transport).not.toHaveBeenCalled();
    },
  );

  it('refuses potato credentials at construction without the opt-in', () => {
    expect(() =>
      createVerify({ ...base, potato: { askKey: 'ask', passWord: 'secret', userNumber: 'u' } }),
    ).toThrow(expect.objectContaining({ code: 'NOT_ALLOWED_IN_BROWSER', field: 'potato' }));
  });

  it('allows the reseller calls with dangerouslyAllowResellerCalls', async () => {
    const transport = vi.fn(async (_request: HttpRequest) => ({
      status: 200,
      headers: {},
      body: JSON.stringify({
        code: '200',
        message: '',
        status: true,
        data: [],
        pc: null,
        time: null,
        sign: null,
      }),
    }));
    const client = createVerify({
      ...base,
      transport,
      dangerouslyAllowResellerCalls: true,
      potato: { askKey: 'ask', apiUserToken: 'tok' },
    });
    await expect(client.createCardMy({ type: 1, total: 1 })).resolves.toEqual([]);
    expect(transport).toHaveBeenCalledOnce();
    expect(transport.mock.calls[0]![0]).toMatchObject({ url: 'https://kami.example/api/createCardMy' });
  });
});

describe('createT3Client (browser)', () => {
  it('logs in with the lean client and has no reseller methods', async () => {
    vi.stubGlobal('fetch', loginFetch());
    const client = createT3Client(base);
    expect('createCardMy' in client).toBe(false);
    await expect(client.login('CARD', 'DEVICE')).resolves.toMatchObject({ id: 7, imei: 'DEVICE' });
  });

  it("validates the machine code before any I/O (no ' allowed)", async () => {
    const transport = vi.fn();
    await expect(createT3Client({ ...base, transport }).login('CARD', "a'b")).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(transport).not.toHaveBeenCalled();
  });
});

describe('createSessionClient (browser)', () => {
  it('logs in and beats over the global fetch with our md5, and has nothing else', async () => {
    const fetch = loginFetch();
    vi.stubGlobal('fetch', fetch);
    const client = createSessionClient(base);
    expect(Object.keys(client).sort()).toEqual(['heartbeat', 'login']);
    const session = await client.login('CARD', 'DEVICE');
    expect(session).toMatchObject({ id: 7, imei: 'DEVICE' });
    const form = new URLSearchParams(fetch.mock.calls[0]![1].body);
    const signText = `kami=CARD&imei=DEVICE&safe_code=${form.get('safe_code')}&t=${form.get('t')}&${APPKEY}`;
    expect(form.get('s')).toBe(md5(signText));
    await expect(client.heartbeat(session.statecode)).resolves.toMatchObject({ msg: '在线' });
    expect(fetch.mock.calls[1]![0]).toBe('https://kami.example/BBBB');
  });

  it('uses an injected md5 and transport instead of the defaults', async () => {
    const transport = vi.fn(async (_request: HttpRequest) => ({
      status: 200,
      headers: {},
      body: '{"code":201,"msg":"卡密不存在"}',
    }));
    const fakeMd5 = vi.fn(() => '0'.repeat(32));
    const client = createSessionClient({ ...base, transport, md5: fakeMd5 });
    await expect(client.login('CARD', 'DEVICE')).rejects.toMatchObject({ code: 'CARD_NOT_FOUND' });
    expect(fakeMd5).toHaveBeenCalled();
    expect(new URLSearchParams(transport.mock.calls[0]![0].body).get('s')).toBe('0'.repeat(32));
  });
});
