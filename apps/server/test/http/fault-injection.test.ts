// Fault injection: a store that fails mid-request must yield a JSON 500 (logged, no stack trace),
// and the server must keep serving.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KamiService } from '../../src/domain/types';
import { createApp } from '../../src/index';
import { startTestServer, type TestServer } from '../../src/testing';
import { potato, t3 } from './helpers';

let real: TestServer;
let faulty: TestServer;
let http: Server;
const logs: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  real = await startTestServer();
  // The same service, except that these calls fail like a lost database connection.
  const broken = new Proxy(real.service, {
    get(target, prop, receiver) {
      if (prop === 'login' || prop === 'createCards' || prop === 'resolveUserToken') {
        return async () => {
          throw new Error('connection terminated unexpectedly');
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as KamiService;
  http = createServer(
    createApp(
      broken,
      { server: { throttle: false } },
      { clock: real.clock, logger: (l) => logs.push(l as Record<string, unknown>) },
    ),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  faulty = { ...real, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
});

afterAll(async () => {
  await new Promise((resolve) => http?.close(resolve));
  http?.closeAllConnections();
  await real?.close();
});

describe('a failing store', () => {
  it('T3: HTTP 500 {code, msg}, an error log line, no stack trace; other endpoints still work', async () => {
    const card = await real.mintCard();
    const res = await t3(faulty, real.app.record, 'login', [
      ['kami', card],
      ['imei', 'X'],
    ]);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: 500, msg: '服务器内部错误' });
    expect(res.raw).not.toContain('connection terminated');
    expect(logs.some((l) => l.level === 'error' && String(l.error).includes('connection terminated'))).toBe(
      true,
    );
    expect((await t3(faulty, real.app.record, 'notice', [])).body.code).toBe('200');
  });

  it('potato: HTTP 500 with the envelope', async () => {
    const res = await potato(
      faulty,
      'createCardMy',
      { type: 1, total: 1 },
      { askKey: real.app.askKey, apiUserToken: 'x' },
    );
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: '500', status: false, data: null });
  });
});
