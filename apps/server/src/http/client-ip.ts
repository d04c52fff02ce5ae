import type { Request } from 'express';

/**
 * The client address. With trust proxy off (the default) Express's `req.ip` is the socket
 * address, so `X-Forwarded-For` cannot be spoofed; IPv4-mapped IPv6 is shown as plain IPv4 so
 * IP binding compares like with like.
 */
export function clientIp(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
