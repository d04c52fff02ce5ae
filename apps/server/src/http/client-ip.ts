// The client address, with the same `trustProxy` semantics as Express's `trust proxy` setting
// (false: the socket address, so `X-Forwarded-For` cannot be spoofed; true: the left-most
// forwarded address; a number: that many trusted hops; a string: trusted addresses / subnets).
// Both the Express routes and the T3 fast lane use this one resolver.
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

export type ClientIpResolver = (req: IncomingMessage) => string;

function compileTrust(trust: boolean | number | string): (addr: string, hop: number) => boolean {
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_addr, hop) => hop < trust;
  return proxyAddr.compile(
    trust
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
}

export function clientIpResolver(trustProxy: boolean | number | string): ClientIpResolver {
  const trust = compileTrust(trustProxy);
  return (req) => {
    // A socket already closed has no address; proxy-addr would throw on it.
    const ip = req.socket.remoteAddress === undefined ? '' : proxyAddr(req, trust);
    // IPv4-mapped IPv6 is shown as plain IPv4 so IP binding compares like with like.
    return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  };
}
