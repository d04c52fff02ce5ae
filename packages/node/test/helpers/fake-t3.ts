import {
  computeLoginToken,
  computeStatecode,
  formatBeijingDateTime,
  formatBeijingMinute,
  type HttpRequest,
  type HttpResponse,
} from '@kami-verify/core';
import { verifyT3Signature } from '@kami-verify/core/server';
import { nodeMd5 } from '../../src/crypto/node-md5';

export const ROUTES = { login: '/login', heartbeat: '/heartbeat' } as const;
export const APP_KEY = 'unit-test-appkey';

/**
 * A minimal plain-mode T3 responder (login + heartbeat) for unit tests of the wrapper. The real
 * protocol is exercised against the reference server in test/integration.
 */
export function fakeT3(options: { now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const requests: Array<{ path: string; fields: Record<string, string> }> = [];
  const statecodes = new Set<string>();
  let logins = 0;
  const respond = (path: string, body: string): HttpResponse => {
    const pairs = [...new URLSearchParams(body)] as Array<[string, string]>;
    const fields = Object.fromEntries(pairs);
    requests.push({ path, fields });
    const json = (value: unknown, status = 200) => ({ status, headers: {}, body: JSON.stringify(value) });
    if (!verifyT3Signature(nodeMd5, pairs, APP_KEY, fields.s ?? ''))
      return json({ code: 201, msg: '签名有误' });
    const time = Math.floor(now() / 1000);
    if (path === ROUTES.login) {
      const date = formatBeijingMinute(time);
      const endTime = formatBeijingDateTime(time + 86_400);
      const id = ++logins;
      const token = computeLoginToken(nodeMd5, { id, appKey: APP_KEY, endTime, date });
      const statecode = computeStatecode(nodeMd5, token, time);
      statecodes.add(statecode);
      return json({
        code: '200',
        id,
        end_time: endTime,
        amount: '1天',
        available: 86_400,
        token,
        statecode,
        safe_code: fields.safe_code,
        time,
        date,
        imei: fields.imei,
        change: 0,
        core: '',
      });
    }
    if (path === ROUTES.heartbeat) {
      if (!statecodes.has(fields.statecode ?? '')) return json({ code: 201, msg: '状态码不存在' });
      return json({ code: '200', msg: '在线', time, date: formatBeijingMinute(time) });
    }
    return json({ code: 201, msg: '接口不存在' }, 404);
  };
  const transport = async (request: HttpRequest): Promise<HttpResponse> =>
    respond(new URL(request.url).pathname, request.body ?? '');
  return { requests, statecodes, respond, transport };
}
