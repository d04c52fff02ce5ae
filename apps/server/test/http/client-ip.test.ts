// trustProxy has Express's `trust proxy` meaning, for the T3 lane and the Express routes alike.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientIpResolver } from '../../src/http/client-ip';

function req(remoteAddress: string | undefined, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('clientIpResolver', () => {
  it('false (the default): the socket address, X-Forwarded-For ignored', () => {
    expect(clientIpResolver(false)(req('10.0.0.2', '203.0.113.7'))).toBe('10.0.0.2');
  });

  it('true: the left-most forwarded address', () => {
    expect(clientIpResolver(true)(req('10.0.0.2', '203.0.113.7, 10.0.0.1'))).toBe('203.0.113.7');
    expect(clientIpResolver(true)(req('10.0.0.2'))).toBe('10.0.0.2');
  });

  it('a hop count trusts that many proxies from the socket outwards', () => {
    const r = req('10.0.0.2', '198.51.100.1, 203.0.113.7, 10.0.0.1');
    expect(clientIpResolver(1)(r)).toBe('10.0.0.1');
    expect(clientIpResolver(2)(r)).toBe('203.0.113.7');
  });

  it('an address list trusts only those proxies', () => {
    const resolve = clientIpResolver('loopback, 10.0.0.0/8');
    expect(resolve(req('127.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
    expect(resolve(req('10.1.2.3', '198.51.100.1, 10.0.0.9'))).toBe('198.51.100.1');
    // Not a trusted proxy: its header is not believed.
    expect(resolve(req('192.0.2.50', '203.0.113.7'))).toBe('192.0.2.50');
  });

  it('IPv4-mapped IPv6 reads as IPv4; a closed socket reads as empty', () => {
    expect(clientIpResolver(false)(req('::ffff:192.0.2.1'))).toBe('192.0.2.1');
    expect(clientIpResolver(false)(req('::1'))).toBe('::1');
    expect(clientIpResolver(true)(req(undefined, '203.0.113.7'))).toBe('');
  });
});
