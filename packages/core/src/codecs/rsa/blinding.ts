// What blinding the private-key operation needs: a random invertible factor (server side only).
import { randomBytes } from '../../bytes';
import { byteLength, bytesToBigInt } from './bigint';

/** a⁻¹ mod m (extended Euclid), or undefined when gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % m) + m) % m;
}

/** A uniform-enough random unit of ℤ/n: 64 spare bits make the modulo bias negligible. */
export function randomUnit(n: bigint): { r: bigint; inverse: bigint } {
  for (;;) {
    const r = bytesToBigInt(randomBytes(byteLength(n) + 8)) % n;
    if (r < 2n) continue;
    const inverse = modInverse(r, n);
    if (inverse !== undefined) return { r, inverse };
  }
}
