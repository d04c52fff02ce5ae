/**
 * MD5 of the UTF-8 bytes of `input`, as 32 lowercase hex characters.
 *
 * Core never ships a hash: the Node wrapper injects `node:crypto`, the browser wrapper
 * its own small MD5 (WebCrypto has none), and the server uses `node:crypto`.
 */
export type Md5 = (input: string) => string;

/** The two ways `node:crypto` hashes a string; passed in, so core itself imports nothing. */
export interface NodeCryptoHashes {
  hash?: (algorithm: string, data: string, encoding: 'hex') => string;
  createHash(algorithm: string): {
    update(data: string, encoding: 'utf8'): { digest(encoding: 'hex'): string };
  };
}

/**
 * The protocol's md5 over `node:crypto`, for the Node SDK and the server alike:
 * `createNodeMd5(await import('node:crypto'))`. `crypto.hash` (Node ≥ 20.12) is the one-shot
 * form, about twice as fast as createHash for the short strings this protocol hashes; older
 * Node 20 releases get createHash.
 */
export function createNodeMd5(nodeCrypto: NodeCryptoHashes): Md5 {
  const oneShot = nodeCrypto.hash;
  return typeof oneShot === 'function'
    ? (input) => oneShot('md5', input, 'hex')
    : (input) => nodeCrypto.createHash('md5').update(input, 'utf8').digest('hex');
}
