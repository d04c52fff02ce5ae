// MD5 for browsers, which have none (WebCrypto refuses MD5). The protocol needs it for request
// signatures and token checks only — not as a security primitive of ours.
//
// crypto-js's md5, imported per module so a bundler takes only `core` and `md5`. The UTF-8 bytes
// come from TextEncoder rather than crypto-js's `enc-utf8`: that parser throws on a lone
// surrogate, where TextEncoder (like node:crypto) writes U+FFFD — the same bytes the server hashes.
import type { Md5 } from '@kami-verify/core';
import CryptoJS from 'crypto-js/core.js';
import MD5 from 'crypto-js/md5.js';

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * MD5 of the UTF-8 bytes of `input`, as 32 lowercase hex characters — the same bytes and
 * digest as Node's `createHash('md5').update(input)` (a lone surrogate becomes U+FFFD in both).
 */
export const md5: Md5 = (input) => {
  const bytes = encoder.encode(input);
  // crypto-js's WordArray: big-endian 32-bit words and a byte count.
  const words: number[] = new Array((bytes.length + 3) >>> 2).fill(0);
  for (let i = 0; i < bytes.length; i++) words[i >>> 2]! |= bytes[i]! << (24 - (i & 3) * 8);
  return MD5(CryptoJS.lib.WordArray.create(words, bytes.length)).toString();
};
