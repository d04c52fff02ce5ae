import { children, integer, pemToDer, type RsaPublicKey, readNode } from './der';

export interface RsaPrivateKey extends RsaPublicKey {
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qinv: bigint;
}

/** Reads an RSA private key: PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`). */
export function parseRsaPrivateKey(pem: string): RsaPrivateKey {
  let der = pemToDer(pem);
  let items = children(der, readNode(der, 0));
  if (items[1]?.tag === 0x30 && items[2]?.tag === 0x04) {
    der = der.subarray(items[2].start, items[2].end);
    items = children(der, readNode(der, 0));
  }
  const [, n, e, d, p, q, dp, dq, qinv] = items;
  return {
    n: integer(der, n),
    e: integer(der, e),
    d: integer(der, d),
    p: integer(der, p),
    q: integer(der, q),
    dp: integer(der, dp),
    dq: integer(der, dq),
    qinv: integer(der, qinv),
  };
}
