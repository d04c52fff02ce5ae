import {
  base64Decode,
  base64Encode,
  bytesToHex,
  hexToBytes,
  STANDARD_BASE64_ALPHABET,
  utf8Decode,
  utf8Encode,
} from '../bytes';
import type { ClientCodec, ServerCodec } from './types';

/**
 * The T3 "base64" mode: UTF-8 → standard base64 → each character replaced by the one at the
 * same index of the app's 64-character alphabet (`=` kept). Request values then travel as the
 * UPPERCASE hex of that ASCII text; responses travel as the alphabet text itself.
 */
export function validateAlphabet(alphabet: string): void {
  if (alphabet.length !== 64) throw new TypeError('a base64 alphabet has exactly 64 characters');
  if (!/^[\x21-\x7e]+$/.test(alphabet) || alphabet.includes('=')) {
    throw new TypeError('a base64 alphabet uses printable ASCII other than "="');
  }
  if (new Set(alphabet).size !== 64) throw new TypeError('a base64 alphabet has no repeated characters');
}

function translate(text: string, from: string, to: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '=') {
      out += ch;
      continue;
    }
    const i = from.indexOf(ch);
    if (i < 0) throw new TypeError(`character ${JSON.stringify(ch)} is not in the alphabet`);
    out += to[i]!;
  }
  return out;
}

/** Alphabet base64 of a UTF-8 string (the response form). */
export function alphabetBase64Encode(text: string, alphabet: string): string {
  return translate(base64Encode(utf8Encode(text)), STANDARD_BASE64_ALPHABET, alphabet);
}

/** Inverse of {@link alphabetBase64Encode}; throws on foreign characters or bad UTF-8. */
export function alphabetBase64Decode(text: string, alphabet: string): string {
  return utf8Decode(base64Decode(translate(text.trim(), alphabet, STANDARD_BASE64_ALPHABET)));
}

/** The request-value form: alphabet base64, then the ASCII as uppercase hex. */
export function encodeAlphabetValue(value: string, alphabet: string): string {
  return bytesToHex(utf8Encode(alphabetBase64Encode(value, alphabet)), true);
}

export function decodeAlphabetValue(hex: string, alphabet: string): string {
  return alphabetBase64Decode(utf8Decode(hexToBytes(hex)), alphabet);
}

export function createAlphabetCodec(alphabet: string): ClientCodec & ServerCodec {
  validateAlphabet(alphabet);
  return {
    mode: 'base64',
    encodeValue: (value) => encodeAlphabetValue(value, alphabet),
    decodeResponse: (body) => alphabetBase64Decode(body, alphabet),
    decodeValue: (value) => decodeAlphabetValue(value, alphabet),
    encodeResponse: (json) => alphabetBase64Encode(json, alphabet),
    // base64 (4 characters per 3 bytes), then each ASCII character as 2 hex digits.
    maxEncodedLength: (bytes) => 8 * Math.ceil(bytes / 3),
  };
}
