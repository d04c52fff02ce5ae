// The admin API under /admin/v1/: bearer-token authentication (before any body is read), scope and
// app checks, then the routes (routes.ts). Every authenticated action is recorded in the audit
// log. Failed authentication is throttled per client IP like failed logins, with its own budget.
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { AttemptStore } from '../../store/attempts';
import type { AdminTokenRecord } from '../../store/sql/admin';
import type { HttpContext } from '../context';
import { GuessThrottle } from '../throttle';
import { AdminError, type AdminLocals, sendError } from './framing';
import { adminRoutes } from './routes';

export const ADMIN_PREFIX = '/admin/v1';
const REALM = 'Bearer realm="kami-admin"';

/** The shared failure counters under keys of their own, so admin and login budgets stay apart. */
function prefixed(store: AttemptStore | undefined): AttemptStore | undefined {
  if (!store) return undefined;
  return {
    hit: (key, windowStart, expiresAt) => store.hit(`admin:${key}`, windowStart, expiresAt),
    undo: (key, windowStart) => store.undo(`admin:${key}`, windowStart),
    sweep: (nowMs) => store.sweep(nowMs),
  };
}

/** Query parameters that look like a credential: refused, so a secret never sits in a URL or a log. */
const SECRET_PARAMS = ['token', 'access_token', 'secret', 'key', 'apikey', 'api_key'];

export function adminRouter(ctx: HttpContext): Router {
  const router = Router();
  const throttle = new GuessThrottle(ctx.server.throttle, ctx.clock, prefixed(ctx.service.sharedAttempts));

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    res.locals.route = 'admin';
    const admin = ctx.service.admin;
    try {
      if (!admin) throw new AdminError(404, 'the admin API is not available on this service');
      const params = new URL(req.originalUrl, 'http://x').searchParams;
      for (const name of SECRET_PARAMS)
        if (params.has(name))
          throw new AdminError(400, 'send the token in the Authorization header, never in the URL', name);
      const header = req.headers.authorization;
      if (header === undefined || header === '')
        throw new AdminError(401, 'Authorization: Bearer <token> required', undefined, {
          'WWW-Authenticate': REALM,
        });
      const reserved = await throttle.begin(ctx.clientIp(req));
      if ('retryAfter' in reserved)
        throw new AdminError(429, '尝试次数过多,请稍后再试', undefined, {
          'Retry-After': String(reserved.retryAfter),
        });
      let token: AdminTokenRecord | undefined;
      try {
        const match = /^Bearer ([^\s]+)$/i.exec(header);
        token = match?.[1] === undefined ? undefined : await admin.verifyToken(match[1]);
      } finally {
        reserved.done(token === undefined);
      }
      if (!token)
        throw new AdminError(401, 'invalid or revoked token', undefined, {
          'WWW-Authenticate': `${REALM}, error="invalid_token"`,
        });
      const l: AdminLocals = { token, action: 'unknown' };
      res.locals.admin = l;
      next();
    } catch (error) {
      req.resume();
      if (error instanceof AdminError) sendError(res, error);
      else next(error);
    }
  });
  router.use(adminRoutes(ctx));
  // An authenticated request to no route: 404 in the admin shape.
  router.use((req: Request, res: Response) => {
    req.resume();
    sendError(res, new AdminError(404, 'no such admin route'));
  });
  return router;
}
