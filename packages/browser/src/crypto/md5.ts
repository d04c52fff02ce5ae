// MD5 (RFC 1321) for browsers, which have none (WebCrypto refuses MD5). The protocol needs it
// for request signatures and token checks only — not as a security primitive of ours.
//
// Small on purpose: it replaces crypto-js, whose MD5 alone was half of the page's size budget.
// Its tests compare it with node:crypto and crypto-js on many inputs (test/md5.test.ts).
import { bytesToHex, type Md5 } from '@kami-verify/core';

const encoder = /* @__PURE__ */ new TextEncoder();

/** Left-rotation amounts: four per round, each repeated four times across the round's 16 steps. */
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/**
 * The 64 additive constants, `K[i] = floor(|sin(i + 1)| × 2³²)` (RFC 1321 §3.4), computed rather
 * than listed. Safe across engines: every product lies at least 0.015 from an integer, so only
 * a sine off by more than 3.5e-12 (thousands of ulps; engines are within one or two) would
 * change a constant.
 */
const K = /* @__PURE__ */ Array.from({ length: 64 }, (_, i) => (Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);

/**
 * MD5 of the UTF-8 bytes of `input`, as 32 lowercase hex characters — the same bytes and
 * digest as Node's `createHash('md5').update(input)` (a lone surrogate becomes U+FFFD in both).
 */
export const md5: Md5 = (input) => {
  const bytes = encoder.encode(input);
  const n = bytes.length;
  // The padded message as little-endian 32-bit words: the bytes, 0x80, zeros, then the 64-bit
  // bit length, in whole 64-byte blocks (a block only fits the length with ≤ 55 bytes of data).
  const words = new Int32Array((((n + 8) >>> 6) + 1) * 16);
  for (let i = 0; i < n; i++) words[i >> 2]! |= bytes[i]! << ((i & 3) * 8);
  words[n >> 2]! |= 0x80 << ((n & 3) * 8);
  words[words.length - 2] = n << 3; // bit length, low word (wraps, as it should)
  words[words.length - 1] = n / 2 ** 29; // bit length, high word (truncated by the Int32Array)

  // The state: A, B, C, D. Sums may exceed 32 bits (exact in a double); `| 0` wraps them.
  let state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let block = 0; block < words.length; block += 16) {
    let [a, b, c, d] = state as [number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      // Each round has its own mixing function and order of reading the block's 16 words.
      let f: number;
      let g: number;
      if (round === 0) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (round === 1) {
        f = (d & b) | (~d & c);
        g = 5 * i + 1;
      } else if (round === 2) {
        f = b ^ c ^ d;
        g = 3 * i + 5;
      } else {
        f = c ^ (b | ~d);
        g = 7 * i;
      }
      const x = (a + f + K[i]! + words[block + (g & 15)]!) | 0;
      const s = SHIFTS[(round << 2) | (i & 3)]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    const add = [a, b, c, d];
    state = state.map((v, j) => (v + add[j]!) | 0);
  }

  // The digest is the state's 16 bytes, low byte of A first.
  return bytesToHex(Uint8Array.from({ length: 16 }, (_, i) => state[i >> 2]! >>> ((i & 3) * 8)));
};
