import { base64Decode } from '../../bytes';
import { bytesToBigInt } from './bigint';

// Just enough DER to read RSA keys: SEQUENCE, INTEGER, BIT STRING, OCTET STRING, OID, NULL.

export interface DerNode {
  tag: number;
  start: number;
  end: number;
}

export function readNode(der: Uint8Array, offset: number): DerNode {
  const tag = der[offset];
  let len = der[offset + 1];
  if (tag === undefined || len === undefined) throw new TypeError('truncated DER');
  let start = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count < 1 || count > 4) throw new TypeError('unsupported DER length');
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + (der[start + i] ?? 0);
    start += count;
  }
  const end = start + len;
  if (end > der.length) throw new TypeError('truncated DER');
  return { tag, start, end };
}

export function children(der: Uint8Array, node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let at = node.start;
  while (at < node.end) {
    const child = readNode(der, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

export function integer(der: Uint8Array, node: DerNode | undefined): bigint {
  if (node?.tag !== 0x02) throw new TypeError('expected a DER INTEGER');
  return bytesToBigInt(der.subarray(node.start, node.end));
}

export interface RsaPublicKey {
  n: bigint;
  e: bigint;
}

/** PEM (any label) or bare base64 DER → DER bytes. */
export function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END)[^-]*-----/g, '').replace(/\s+/g, '');
  return base64Decode(body);
}

/** Reads an RSA public key: SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`), PEM or base64 DER. */
export function parseRsaPublicKey(pem: string): RsaPublicKey {
  const der = pemToDer(pem);
  const root = readNode(der, 0);
  const items = children(der, root);
  if (items[0]?.tag === 0x30 && items[1]?.tag === 0x03) {
    // SPKI: the BIT STRING holds a PKCS#1 RSAPublicKey after one "unused bits" byte.
    const inner = der.subarray(items[1].start + 1, items[1].end);
    const pk = readNode(inner, 0);
    const [n, e] = children(inner, pk);
    return { n: integer(inner, n), e: integer(inner, e) };
  }
  return { n: integer(der, items[0]), e: integer(der, items[1]) };
}
