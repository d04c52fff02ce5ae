// The potatocloud family under /api/. Checks run in the order the service documents them:
// askKey, signature (when the app turns it on), user token, then the endpoint's switch and data.
// Business failures are HTTP 200 with the envelope's own code (403 / 500), like the hosted API;
// the SDKs retry idempotent calls on HTTP 5xx, which a bad request must never trigger.
import {
  computePotatoSign,
  KamiValidationError,
  POTATO_MESSAGES,
  type PotatoMessageCode,
  timingSafeEqualString,
  validateCreateCard,
} from '@kami-verify/core';
import { potatoEnvelope } from '@kami-verify/core/server';
import { type Request, type Response, Router } from 'express';
import type { AppRecord } from '../../domain/types';
import { md5 } from '../../md5';
import type { HttpContext } from '../context';
import { HttpError, sendJson } from '../transport-errors';
import { BadPotatoBody, numeric, type PotatoBody, readPotatoBody } from './body';

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

function optionalInt(body: PotatoBody, name: string, min: number, max: number): number | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = numeric(raw);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new PotatoFailure(500, 'BAD_REQUEST');
  }
  return value;
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

const login: Endpoint = async (ctx, req, _res, app, body) => {
  const { userNumber, passWord } = body;
  if (
    typeof userNumber !== 'string' ||
    userNumber === '' ||
    typeof passWord !== 'string' ||
    passWord === ''
  ) {
    throw new PotatoFailure(500, 'BAD_REQUEST');
  }
  const result = await ctx.service.potatoLogin({ app, userNumber, passWord });
  if (!result.ok) {
    ctx.throttle.recordFailure(ctx.clientIp(req));
    throw new PotatoFailure(403, 'LOGIN_FAILED');
  }
  return { apiUserToken: result.apiUserToken, expireTime: result.expiresAt };
};

const createCardMy: Endpoint = async (ctx, req, _res, app, body) => {
  await authenticateUser(ctx, req, app);
  if (!app.settings.apiCardCreation) throw new PotatoFailure(403, 'PERMISSION_DENIED');
  let input: { type: number; total: number };
  try {
    input = validateCreateCard({ type: numeric(body.type), total: numeric(body.total) });
  } catch (error) {
    if (KamiValidationError.isInstance(error)) {
      throw new PotatoFailure(500, error.field === 'type' ? 'INVALID_TYPE' : 'INVALID_TOTAL');
    }
    throw error;
  }
  return ctx.service.createCards({ app, type: input.type, total: input.total, ip: ctx.clientIp(req) });
};

const getCardMyList: Endpoint = async (ctx, req, _res, app, body) => {
  await authenticateUser(ctx, req, app);
  const p = optionalInt(body, 'p', 1, 1_000_000) ?? 1;
  const s = optionalInt(body, 's', 1, 100) ?? 10;
  const state = optionalInt(body, 'state', 0, 1_000);
  const type = optionalInt(body, 'type', 0, 5);
  const cardStr = body.cardStr;
  if (cardStr !== undefined && cardStr !== null && typeof cardStr !== 'string')
    throw new PotatoFailure(500, 'BAD_REQUEST');
  const result = await ctx.service.listCards({
    app,
    page: p,
    size: s,
    ...(typeof cardStr === 'string' && cardStr !== '' ? { cardStr } : {}),
    ...(state !== undefined ? { state } : {}),
    ...(type !== undefined ? { type } : {}),
  });
  // An empty page is still 200 (not 203 暂无数据): SDKs treat any non-200 as an error.
  return { list: result.list, total: result.total, p, s };
};

const ENDPOINTS: Record<string, Endpoint> = { login, createCardMy, getCardMyList };

export function potatoRouter(ctx: HttpContext): Router {
  const router = Router();
  router.post('/:name', async (req, res) => {
    const name = String(req.params.name);
    const endpoint = Object.hasOwn(ENDPOINTS, name) ? ENDPOINTS[name] : undefined;
    if (!endpoint) throw new HttpError(404);
    res.locals.route = `potato.${name}`;
    const ip = ctx.clientIp(req);
    if (name === 'login') {
      const wait = ctx.throttle.retryAfterSeconds(ip);
      if (wait > 0) throw new HttpError(429, undefined, { 'Retry-After': String(wait) });
    }
    try {
      // Transport problems (415, 400, 413) first; a body that is merely wrong waits until the
      // caller is authenticated, so an unknown askKey always reads 403 whatever it sent.
      let body: PotatoBody | BadPotatoBody;
      try {
        body = readPotatoBody(req);
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
      res.locals.result = error.message;
      sendJson(res, 200, potatoEnvelope(error.code, error.message, null));
    }
  });
  return router;
}
