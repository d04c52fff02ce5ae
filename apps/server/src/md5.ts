import * as nodeCrypto from 'node:crypto';
import type { Md5 } from '@kami-verify/core';

// `crypto.hash` (Node ≥ 20.12) is the one-shot form, about twice as fast as createHash for the
// short strings this protocol hashes; older Node 20 releases get createHash.
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** The protocol's md5 for the whole server (core never ships a hash; the server uses node:crypto). */
export const md5: Md5 =
  typeof oneShot === 'function'
    ? (input) => oneShot('md5', input, 'hex')
    : (input) => nodeCrypto.createHash('md5').update(input, 'utf8').digest('hex');
