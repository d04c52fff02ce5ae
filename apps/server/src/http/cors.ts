// CORS for the browser SDK. Only configured origins get the headers; the potato API's custom
// headers (askKey, apiUserToken, time, sign) must be listed for its preflight to pass.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestNotes } from './request-log';
import { HttpError, sendTransportError } from './transport-errors';

const ALLOWED_HEADERS = 'Content-Type, askKey, apiUserToken, time, sign';

/** Adds the CORS headers a request needs; returns true when it answered a preflight itself. */
export type CorsPolicy = (req: IncomingMessage, res: ServerResponse, notes: RequestNotes) => boolean;

function varyOrigin(res: ServerResponse): void {
  const current = res.getHeader('Vary');
  if (current === undefined) res.setHeader('Vary', 'Origin');
  else if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(String(current))) res.setHeader('Vary', `${current}, Origin`);
}

export function corsPolicy(origins: readonly string[]): CorsPolicy {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res, notes) => {
    const origin = req.headers.origin;
    varyOrigin(res);
    const ok = origin !== undefined && (any || allowed.has(origin));
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    }
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!preflight) return false;
    notes.route = 'cors.preflight';
    if (!ok) {
      sendTransportError(req, res, notes, new HttpError(403, 'CORS origin not allowed'));
      return true;
    }
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.statusCode = 204;
    res.end();
    return true;
  };
}
