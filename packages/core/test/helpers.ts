// Shared helpers for core's tests: the spec vectors, node:crypto md5 and raw RSA.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const VECTORS_DIR = path.resolve(HERE, '../../../spec/vectors');

// biome-ignore lint/suspicious/noExplicitAny: vectors are plain JSON, typed at the use site.
export function loadVector<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, name), 'utf8')) as T;
}

/** The md5 the platform wrappers inject: UTF-8 in, 32 lowercase hex out. */
export const md5 = (input: string): string => crypto.createHash('md5').update(input, 'utf8').digest('hex');

export interface RsaTestKey {
  publicKeySpkiPem: string;
  publicKeyPkcs1Pem: string;
  privateKeyPkcs8Pem: string;
  privateKeyPkcs1Pem: string;
  publicKeySpkiDerBase64: string;
  nHex: string;
  eHex: string;
  dHex: string;
}
export const rsaKey = loadVector<RsaTestKey>('rsa-test-key.json');

/**
 * Decrypts a request value the independent way: node's raw RSA (RSA_NO_PADDING; Node 20
 * refuses PKCS#1 v1.5 in privateDecrypt) and a hand-written type-2 unpad.
 */
export function nodeRsaDecryptValue(hex: string): string {
  const data = Buffer.from(hex, 'hex');
  if (data.length === 0 || data.length % 128 !== 0) throw new Error('not whole blocks');
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 128) {
    const em = crypto.privateDecrypt(
      { key: rsaKey.privateKeyPkcs8Pem, padding: crypto.constants.RSA_NO_PADDING },
      data.subarray(i, i + 128),
    );
    if (em[0] !== 0 || em[1] !== 2) throw new Error('bad type-2 header');
    const sep = em.indexOf(0, 2);
    if (sep < 10) throw new Error('bad type-2 padding');
    for (let j = 2; j < sep; j++) if (em[j] === 0) throw new Error('zero in PS');
    parts.push(em.subarray(sep + 1));
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Server-side response "encryption" the independent way: node's privateEncrypt per 117-byte chunk. */
export function nodeRsaEncryptResponse(text: string): string {
  const data = Buffer.from(text, 'utf8');
  const blocks: Buffer[] = [];
  for (let i = 0; i === 0 || i < data.length; i += 117) {
    blocks.push(
      crypto.privateEncrypt(
        { key: rsaKey.privateKeyPkcs8Pem, padding: crypto.constants.RSA_PKCS1_PADDING },
        data.subarray(i, i + 117),
      ),
    );
  }
  return Buffer.concat(blocks).toString('base64');
}

/** Client-side response recovery the independent way: node's publicDecrypt per 128-byte block. */
export function nodeRsaDecryptResponse(base64: string): string {
  const data = Buffer.from(base64, 'base64');
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 128) {
    parts.push(
      crypto.publicDecrypt(
        { key: rsaKey.publicKeySpkiPem, padding: crypto.constants.RSA_PKCS1_PADDING },
        data.subarray(i, i + 128),
      ),
    );
  }
  return Buffer.concat(parts).toString('utf8');
}

/** A value encoded with the T3 base64 mode, the independent way (Buffer base64 + substitution). */
export const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export function nodeAlphabetBase64(text: string, alphabet: string): string {
  return [...Buffer.from(text, 'utf8').toString('base64')]
    .map((ch) => (ch === '=' ? '=' : alphabet[STD_ALPHABET.indexOf(ch)]))
    .join('');
}
