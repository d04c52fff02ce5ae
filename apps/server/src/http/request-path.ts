import type { IncomingMessage } from 'node:http';

/**
 * The path of the request URL as the client sent it, without the query. Express rewrites
 * `req.url` inside mounted routers and keeps the original in `originalUrl`.
 */
export function requestPath(req: IncomingMessage): string {
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
