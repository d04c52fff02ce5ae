// The potatocloud family under /api/. Checks run in the order the service documents them:
// askKey, signature (when the app turns it on), user token, then the endpoint's switch and data.
// Business failures are HTTP 200 with the envelope's own code (403 / 500), like the hosted API;
// the SDKs retry idempotent calls on HTTP 5xx, which a bad request must never trigger.
import {
  computePotatoSign,
  POTATO_MESSAGES,
  type PotatoMessageCode,
  timingSafeEqualString,
} from '@kami-verify/core';
import { potatoEnvelope } from '@kami-verify/core/server';
import { type Request, type Response, Router } from 'express';
import { mayCreateCardsByApi } from '../../domain/rules/index';
import type { AppRecord } from '../../domain/types';
import { md5 } from '../../md5';
import {
  CardListRequestSchema,
  CreateCardRequestSchema,
  PotatoLoginRequestSchema,
} from '../../schema/potato';
import type { HttpContext } from '../context';
import { readBody } from '../raw-body';
import type { Attempt } from '../throttle';
import { HttpError, sendJson } from '../transport-errors';
import { BadPotatoBody, type PotatoBody, parsePotatoBody, parsePotatoRequest } from './body';

class PotatoFailure extends Error {
  constructor(
    readonly code: 403 | 500,
    readonly key: PotatoMessageCode,
  ) {
    super(POTATO_MESSAGES[key]);
  }
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function authenticateApp(ctx: HttpContext, req: Request, res: Response): AppRecord {
  const askKey = header(req, 'askKey');
  const app = askKey === undefined ? undefined : ctx.service.resolveAskKey(askKey);
  if (!app) throw new PotatoFailure(403, 'ASK_KEY_INVALID');
  res.locals.app = app.name;
  const s = app.settings;
  if (s.potatoSign) {
    const time = header(req, 'time');
    const sign = header(req, 'sign');
    if (time === undefined || sign === undefined) throw new PotatoFailure(403, 'SIGNATURE_REQUIRED');
    if (!/^\d{1,16}$/.test(time) || Math.abs(Number(time) - ctx.clock.now()) > s.potatoSignWindowMs) {
      throw new PotatoFailure(403, 'TIMESTAMP_INVALID');
    }
    const expected = computePotatoSign(md5, s.potatoSignSecret ?? '', time);
    if (!timingSafeEqualString(expected, sign.toLowerCase()))
      throw new PotatoFailure(403, 'SIGNATURE_INVALID');
  }
  return app;
}

async function authenticateUser(ctx: HttpContext, req: Request, app: AppRecord): Promise<string> {
  const token = header(req, 'apiUserToken');
  const user = token === undefined ? undefined : await ctx.service.resolveUserToken({ app, token });
  if (user === undefined) throw new PotatoFailure(403, 'USER_TOKEN_INVALID');
  return user;
}

/** NUL cannot be stored in PostgreSQL text and has no business in any field of this API. */
function hasNul(body: PotatoBody): boolean {
  return Object.values(body).some((v) => typeof v === 'string' && v.includes('\u0000'));
}

type Endpoint = (
  ctx: HttpContext,
  req: Request,
  res: Response,
  app: AppRecord,
  body: PotatoBody,
) => Promise<unknown>;

const login: Endpoint = async (ctx, _req, _res, app, body) => {
  const input = parsePotatoRequest(PotatoLoginRequestSchema, body);
  if (!input.ok) throw new PotatoFailure(500, 'BAD_REQUEST');
  const { userNumber, passWord } = input.value;
  const result = await ctx.service.potatoLogin({ app, userNumber, passWord });
  if (!result.ok) throw new PotatoFailure(403, 'LOGIN_FAILED');
  return { apiUserToken: result.apiUserToken, expireTime: result.expiresAt };
};

const createCardMy: Endpoint = async (ctx, req, _res, app, body) => {
  await authenticateUser(ctx, req, app);
  if (!mayCreateCardsByApi(app)) throw new PotatoFailure(403, 'PERMISSION_DENIED');
  const input = parsePotatoRequest(CreateCardRequestSchema, body);
  if (!input.ok) throw new PotatoFailure(500, input.field === 'type' ? 'INVALID_TYPE' : 'INVALID_TOTAL');
  const { type, total } = input.value;
  return ctx.service.createCards({ app, type, total, ip: ctx.clientIp(req) });
};

const getCardMyList: Endpoint = async (ctx, req, _res, app, body) => {
  await authenticateUser(ctx, req, app);
  const input = parsePotatoRequest(CardListRequestSchema, body);
  if (!input.ok) throw new PotatoFailure(500, 'BAD_REQUEST');
  const { p = 1, s = 10, state, type, cardStr } = input.value;
  const result = await ctx.service.listCards({
    app,
    page: p,
    size: s,
    ...(cardStr !== undefined ? { cardStr } : {}),
    ...(state !== undefined ? { state } : {}),
    ...(type !== undefined ? { type } : {}),
  });
  // An empty page is still 200 (not 203 暂无数据): SDKs treat any non-200 as an error.
  return { list: result.list, total: result.total, p, s };
};

const ENDPOINTS: Record<string, Endpoint> = { login, createCardMy, getCardMyList };

/** The names under `/api/` this server answers (POST). */
export const POTATO_ENDPOINT_NAMES: ReadonlySet<string> = new Set(Object.keys(ENDPOINTS));

export function potatoRouter(ctx: HttpContext): Router {
  const router = Router();
  router.post('/:name', async (req, res) => {
    const name = String(req.params.name);
    const endpoint = Object.hasOwn(ENDPOINTS, name) ? ENDPOINTS[name] : undefined;
    if (!endpoint) throw new HttpError(404);
    res.locals.route = `potato.${name}`;
    const ip = ctx.clientIp(req);
    // A password (or askKey) guess: reserved before the body is read, like the T3 routes.
    let attempt: Attempt | undefined;
    if (name === 'login') {
      const reserved = await ctx.throttle.begin(ip);
      if ('retryAfter' in reserved)
        throw new HttpError(429, undefined, { 'Retry-After': String(reserved.retryAfter) });
      attempt = reserved;
    }
    let failed = false;
    try {
      // Transport problems (415, 400, 413) first; a body that is merely wrong waits until the
      // caller is authenticated, so an unknown askKey always reads 403 whatever it sent.
      let body: PotatoBody | BadPotatoBody;
      try {
        body = parsePotatoBody(req, await readBody(req, ctx.server.bodyLimit));
      } catch (error) {
        if (!(error instanceof BadPotatoBody)) throw error;
        body = error;
      }
      const app = authenticateApp(ctx, req, res);
      if (body instanceof BadPotatoBody || hasNul(body)) throw new PotatoFailure(500, 'BAD_REQUEST');
      const data = await endpoint(ctx, req, res, app, body);
      sendJson(res, 200, potatoEnvelope(200, '', data));
    } catch (error) {
      if (!(error instanceof PotatoFailure)) throw error;
      failed = true;
      res.locals.result = error.message;
      sendJson(res, 200, potatoEnvelope(error.code, error.message, null));
    } finally {
      attempt?.done(failed);
    }
  });
  return router;
}
