// The admin routes: each parses its input (400 naming the field), asks the domain's admin service,
// and frames the reply. Scope and app limits are checked first and refusals are audited too.
import type { Request, Response } from 'express';
import { Router } from 'express';
import type { AdminService } from '../../domain/admin';
import type { AppRecord } from '../../domain/types';
import {
  CardListQuerySchema,
  CreateAppRequestSchema,
  CreateCardsRequestSchema,
  CreateTokenRequestSchema,
  DEFAULT_OVERLAP_SECONDS,
  ExpiryRequestSchema,
  ExportQuerySchema,
  PageQuerySchema,
  RotateKeysRequestSchema,
  UpdateSettingsRequestSchema,
} from '../../schema/admin';
import { AppSettingsSchema } from '../../schema/settings';
import type { AdminCardQuery } from '../../store/sql/admin';
import type { HttpContext } from '../context';
import { mediaType, readBody, utf8Text } from '../raw-body';
import { csvHeader, csvLines, exportRow, parseImport } from './card-csv';
import {
  AdminError,
  type AdminHandler,
  jsonBody,
  locals,
  parseWith,
  queryOf,
  runAudited,
  STREAMED,
} from './framing';
import { appView, cardView, decodeCursor, encodeCursor, sessionView, tokenView } from './views';

/** Largest CSV import body: ~250 000 cards. */
export const ADMIN_IMPORT_LIMIT = 64 * 1024 * 1024;

interface RouteOptions {
  action: string;
  /** Needs a full-scope token. */
  write?: boolean;
  /** Needs a token limited to no app (tokens, audit, new apps). */
  unrestricted?: boolean;
  /** Success status (default 200). */
  status?: 200 | 201 | 204;
}

type AppHandler = (
  ctx: HttpContext,
  req: Request,
  res: Response,
  admin: AdminService,
  app: AppRecord,
) => Promise<unknown>;

function admin(ctx: HttpContext): AdminService {
  return ctx.service.admin as AdminService;
}

export function adminRoutes(ctx: HttpContext): Router {
  const router = Router();

  const guard = (res: Response, o: RouteOptions) => {
    const l = locals(res);
    l.action = o.action;
    if (o.write && l.token.scope !== 'full')
      throw new AdminError(403, 'this action needs a full-scope token');
    if (o.unrestricted && l.token.apps !== null)
      throw new AdminError(403, 'this action needs a token not limited to apps');
  };

  const plain = (
    method: 'get' | 'post' | 'delete' | 'patch',
    path: string,
    o: RouteOptions,
    handler: AdminHandler,
  ) =>
    router[method](path, (req, res) =>
      runAudited(
        ctx,
        req,
        res,
        async (c, rq, rs) => {
          guard(rs, o);
          return handler(c, rq, rs);
        },
        o.status,
      ),
    );

  const forApp = (
    method: 'get' | 'post' | 'delete' | 'patch',
    path: string,
    o: RouteOptions,
    handler: AppHandler,
  ) =>
    plain(method, `/apps/:app${path}`, o, async (c, req, res) => {
      const l = locals(res);
      const ref = String(req.params.app);
      l.target = ref;
      const app = admin(c).findApp(ref);
      // A token limited to apps learns nothing about the others, not even whether they exist.
      if (l.token.apps !== null && (!app || !l.token.apps.includes(app.id)))
        throw new AdminError(403, 'this token is not allowed this app');
      if (!app) throw new AdminError(404, `no app ${ref}`, 'app');
      l.target = req.params.key === undefined ? app.name : `${app.name}/${String(req.params.key)}`;
      return handler(c, req, res, admin(c), app);
    });

  // --- tokens ---------------------------------------------------------------------------------
  plain('get', '/tokens', { action: 'tokens.list', write: true, unrestricted: true }, async (c) => ({
    tokens: (await admin(c).listTokens()).map(tokenView),
  }));
  plain(
    'post',
    '/tokens',
    { action: 'tokens.create', write: true, unrestricted: true, status: 201 },
    async (c, req, res) => {
      const body = parseWith(CreateTokenRequestSchema, await jsonBody(req));
      locals(res).params = body;
      try {
        const { token, secret } = await admin(c).createToken(body);
        locals(res).target = token.id;
        return { token: tokenView(token), secret };
      } catch (error) {
        if (error instanceof RangeError) throw new AdminError(400, error.message, 'apps');
        throw error;
      }
    },
  );
  plain(
    'delete',
    '/tokens/:token',
    { action: 'tokens.revoke', write: true, unrestricted: true },
    async (c, req, res) => {
      const ref = String(req.params.token);
      locals(res).target = ref;
      const count = await admin(c).revokeToken(ref);
      if (count === 0) throw new AdminError(404, `no active token ${ref}`, 'token');
      return { count };
    },
  );

  // --- audit ----------------------------------------------------------------------------------
  plain('get', '/audit', { action: 'audit.list', unrestricted: true }, async (c, req, res) => {
    const q = parseWith(PageQuerySchema, queryOf(req));
    locals(res).params = q;
    const limit = q.limit ?? 100;
    const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const entries = await admin(c).auditPage({ before: before && { at: before.time, id: before.id }, limit });
    const last = entries[entries.length - 1];
    return { entries, nextCursor: entries.length === limit && last ? encodeCursor(last.at, last.id) : null };
  });

  // --- apps -----------------------------------------------------------------------------------
  plain('get', '/apps', { action: 'apps.list' }, async (c, _req, res) => {
    const token = locals(res).token;
    const apps = admin(c)
      .listApps()
      .filter((a) => token.apps === null || token.apps.includes(a.id));
    return { apps: apps.map((a) => appView(a, false)) };
  });
  plain(
    'post',
    '/apps',
    { action: 'apps.create', write: true, unrestricted: true, status: 201 },
    async (c, req, res) => {
      const body = parseWith(CreateAppRequestSchema, await jsonBody(req));
      locals(res).params = body;
      locals(res).target = body.name;
      const app = await admin(c).createApp(body);
      return appView(app, true);
    },
  );
  forApp('get', '', { action: 'apps.show' }, async (_c, req, res, _a, app) => {
    const q = queryOf(req);
    const secrets = q.include_secrets === 'true';
    if (q.include_secrets !== undefined && q.include_secrets !== 'true' && q.include_secrets !== 'false')
      throw new AdminError(400, 'include_secrets: must be true or false', 'include_secrets');
    locals(res).params = q;
    if (secrets && locals(res).token.scope !== 'full')
      throw new AdminError(403, 'include_secrets needs a full-scope token');
    return appView(app, secrets);
  });
  forApp('patch', '/settings', { action: 'apps.settings', write: true }, async (_c, req, res, a, app) => {
    const body = parseWith(UpdateSettingsRequestSchema, await jsonBody(req));
    locals(res).params = body;
    // Validated as a whole by the settings schema: the error names settings.<path>.
    parseWith(AppSettingsSchema, { ...app.settings, ...body.settings }, ['settings']);
    return appView(await a.updateSettings(app, body.settings), false);
  });
  forApp('post', '/rotate', { action: 'apps.rotate', write: true }, async (_c, req, res, a, app) => {
    const body = parseWith(RotateKeysRequestSchema, await jsonBody(req));
    locals(res).params = body;
    if (!body.appKey && !body.askKey)
      throw new AdminError(400, 'appKey or askKey: rotate at least one', 'appKey');
    const next = await a.rotateKeys(app, {
      appKey: body.appKey === true,
      askKey: body.askKey === true,
      overlapSeconds: body.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS,
    });
    return appView(next, true);
  });
  forApp(
    'post',
    '/routes/regenerate',
    { action: 'apps.routes', write: true },
    async (_c, _req, _res, a, app) => appView(await a.regenerateRoutes(app), false),
  );

  // --- cards ----------------------------------------------------------------------------------
  forApp('post', '/cards', { action: 'cards.create', write: true }, async (c, req, res, a, app) => {
    const body = parseWith(CreateCardsRequestSchema, await jsonBody(req));
    locals(res).params = body;
    const csv = body.format === 'csv';
    res.status(200);
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    if (csv) res.write('key\n');
    try {
      const created = await a.createCards({
        app,
        card: body.card,
        count: body.count,
        remark: body.remark,
        batch: body.batch,
        ip: c.clientIp(req),
        onInserted: (keys) => {
          if (res.destroyed) return; // the client left; the cards are still created (batch label)
          res.write(csv ? `${keys.join('\n')}\n` : keys.map((key) => `{"key":"${key}"}\n`).join(''));
        },
      });
      res.locals.auditResult = `created ${created}`;
      if (!csv) res.write(`${JSON.stringify({ done: true, created })}\n`);
    } catch (error) {
      // Rolled back: no key written above exists. NDJSON says so; a CSV reply is cut off.
      res.locals.auditResult = 'failed, rolled back';
      if (csv) res.destroy();
      else
        res.write(
          `${JSON.stringify({ done: false, created: 0, error: 'creation failed; nothing was created' })}\n`,
        );
      c.log({
        time: new Date().toISOString(),
        level: 'error',
        msg: 'card creation failed',
        error: String(error),
      });
    }
    return STREAMED;
  });
  forApp('get', '/cards', { action: 'cards.list' }, async (_c, req, res, a, app) => {
    const q = parseWith(CardListQuerySchema, queryOf(req));
    locals(res).params = q;
    const limit = q.limit ?? 100;
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const cards = await a.cardsPage({
      ...filterOf(q),
      appId: app.id,
      limit,
      after: after && { createdAt: after.time, id: after.id },
    });
    const now = a.nowSeconds();
    const last = cards[cards.length - 1];
    return {
      cards: cards.map((card) => cardView(card, now)),
      nextCursor: cards.length === limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  });
  forApp('get', '/export', { action: 'cards.export' }, async (_c, req, res, a, app) => {
    const q = parseWith(ExportQuerySchema, queryOf(req));
    locals(res).params = q;
    const csv = q.format !== 'json';
    res.status(200);
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="cards.${csv ? 'csv' : 'json'}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.write(csv ? csvHeader() : '[');
    let n = 0;
    const now = a.nowSeconds();
    try {
      // Without a state filter an export holds every card, deleted ones included (a full copy).
      for await (const cards of a.exportCards(app, { ...filterOf(q), includeDeleted: true })) {
        const rows = cards.map((card) => exportRow(card, now));
        const chunk = csv
          ? csvLines(rows)
          : rows.map((r, i) => `${n + i === 0 ? '' : ','}\n${JSON.stringify(r)}`).join('');
        n += rows.length;
        // Constant memory: the next batch is read only once this one left the buffer.
        if (!res.write(chunk)) await drained(res);
        if (res.destroyed) break;
      }
    } catch (error) {
      res.locals.auditResult = 'failed';
      res.destroy();
      throw error;
    }
    if (!csv) res.write('\n]\n');
    res.locals.auditResult = `exported ${n}`;
    return STREAMED;
  });
  forApp(
    'post',
    '/import',
    { action: 'cards.import', write: true, status: 201 },
    async (_c, req, res, a, app) => {
      const type = mediaType(req);
      if (type !== 'text/csv') throw new AdminError(415, 'send the export CSV as text/csv');
      const cards = parseImport(utf8Text(await readBody(req, ADMIN_IMPORT_LIMIT)));
      locals(res).params = { rows: cards.length };
      const imported = await a.importCards(app, cards);
      res.locals.auditResult = `imported ${imported}`;
      return { imported };
    },
  );
  forApp('get', '/cards/:key', { action: 'cards.show' }, async (_c, req, _res, a, app) => {
    const card = await a.card(app, String(req.params.key));
    if (!card) throw new AdminError(404, `no card ${String(req.params.key)}`, 'key');
    return { card: cardView(card, a.nowSeconds()) };
  });
  const cardAction = (
    path: string,
    action: string,
    method: 'post' | 'delete',
    run: (a: AdminService, app: AppRecord, key: string) => Promise<boolean>,
  ) =>
    forApp(method, `/cards/:key${path}`, { action, write: true }, async (_c, req, _res, a, app) => {
      const key = String(req.params.key);
      if (!(await run(a, app, key))) throw new AdminError(404, `no card ${key}`, 'key');
      const card = await a.card(app, key);
      if (!card) throw new AdminError(404, `no card ${key}`, 'key');
      return { card: cardView(card, a.nowSeconds()) };
    });
  cardAction('/disable', 'cards.disable', 'post', (a, app, key) => a.setDisabled(app, key, true));
  cardAction('/enable', 'cards.enable', 'post', (a, app, key) => a.setDisabled(app, key, false));
  cardAction('/unbind', 'cards.unbind', 'post', (a, app, key) => a.unbindCard(app, key));
  cardAction('', 'cards.delete', 'delete', (a, app, key) => a.deleteCard(app, key));
  forApp(
    'post',
    '/cards/:key/expiry',
    { action: 'cards.expiry', write: true },
    async (_c, req, res, a, app) => {
      const body = parseWith(ExpiryRequestSchema, await jsonBody(req));
      locals(res).params = body;
      const card = await a.setExpiry(app, String(req.params.key), body);
      return { card: cardView(card, a.nowSeconds()) };
    },
  );

  // --- sessions and stats ---------------------------------------------------------------------
  forApp('get', '/sessions', { action: 'sessions.list' }, async (_c, req, res, a, app) => {
    const q = queryOf(req);
    locals(res).params = q;
    return { sessions: (await a.sessions(app, q.card)).map(sessionView) };
  });
  forApp('post', '/sessions/kick', { action: 'sessions.kick', write: true }, async (_c, req, res, a, app) => {
    const body = (await jsonBody(req)) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new AdminError(400, 'body: must be an object', 'body');
    const { card, all } = body;
    locals(res).params = body;
    if (card !== undefined && typeof card !== 'string')
      throw new AdminError(400, 'card: must be a string', 'card');
    if (card === undefined && all !== true)
      throw new AdminError(400, 'card: give a card key, or all: true', 'card');
    const count = await a.kick(app, card);
    res.locals.auditResult = `ended ${count}`;
    return { count };
  });
  forApp('get', '/stats', { action: 'stats.show' }, async (_c, req, res, a, app) => {
    const q = queryOf(req);
    locals(res).params = q;
    const hours = q.hours === undefined ? 24 : Number(q.hours);
    if (!/^\d{1,4}$/.test(q.hours ?? '24') || hours < 1 || hours > 24 * 90)
      throw new AdminError(400, 'hours: must be an integer from 1 to 2160', 'hours');
    const stats = await a.stats(app, hours);
    return { app: app.name, ...stats };
  });
  return router;
}

/** Resolves when the socket buffer drained, or the client went away. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

function filterOf(q: {
  state?: AdminCardQuery['state'];
  kind?: AdminCardQuery['kind'];
  batch?: string | undefined;
  bound?: 'true' | 'false' | undefined;
  expiring_before?: number | undefined;
}) {
  return {
    state: q.state,
    kind: q.kind,
    batch: q.batch,
    bound: q.bound === undefined ? undefined : q.bound === 'true',
    expiringBefore: q.expiring_before,
  };
}
