// CORS for the browser SDK. Only configured origins get the headers; the potato API's custom
// headers (askKey, apiUserToken, time, sign) must be listed for its preflight to pass.
import type { RequestHandler } from 'express';
import { HttpError, sendTransportError } from './transport-errors';

const ALLOWED_HEADERS = 'Content-Type, askKey, apiUserToken, time, sign';

export function cors(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    const ok = origin !== undefined && (any || allowed.has(origin));
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    }
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!preflight) return next();
    res.locals.route = 'cors.preflight';
    if (!ok) return sendTransportError(req, res, new HttpError(403, 'CORS origin not allowed'));
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}
