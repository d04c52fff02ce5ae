import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alphabetBase64Decode,
  alphabetBase64Encode,
  createAlphabetCodec,
  createClientCodec,
  createRsaClientCodec,
  decodeAlphabetValue,
  encodeAlphabetValue,
  parseRsaPublicKey,
  plainCodec,
  rsaDecryptResponse,
  rsaEncryptValue,
  validateAlphabet,
} from '../src';
import {
  createRsaServerCodec,
  createServerCodec,
  parseRsaPrivateKey,
  rsaDecryptValue,
  rsaEncryptResponse,
} from '../src/server';
import {
  loadVector,
  nodeAlphabetBase64,
  nodeRsaDecryptResponse,
  nodeRsaDecryptValue,
  nodeRsaEncryptResponse,
  rsaKey,
  STD_ALPHABET,
} from './helpers';

interface AlphabetVectors {
  alphabets: Record<string, string>;
  values: {
    alphabet: string;
    text: string;
    standardBase64: string;
    alphabetBase64: string;
    requestHex: string;
  }[];
  responses: { alphabet: string; json: string; body: string }[];
  invalidAlphabets: { alphabet: string; reason: string }[];
}
const ab = loadVector<AlphabetVectors>('alphabet-base64.json');
const rsaValues = loadVector<{ values: { plaintext: string; blocks: number; ciphertextHex: string }[] }>(
  'rsa-values.json',
);
const rsaResponses = loadVector<{ responses: { plaintext: string; blocks: number; body: string }[] }>(
  'rsa-responses.json',
);

/** Arbitrary valid alphabets: a random permutation of 64 distinct printable ASCII characters other than '='. */
const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter(
  (c) => c !== '=',
);
const arbAlphabet = fc
  .shuffledSubarray(PRINTABLE, { minLength: 64, maxLength: 64 })
  .chain((chars) => fc.shuffledSubarray(chars, { minLength: 64, maxLength: 64 }))
  .map((chars) => chars.join(''));

describe('alphabet base64 vectors (alphabet-base64.json)', () => {
  it.each(ab.values.map((c) => [`${c.alphabet} ${JSON.stringify(c.text)}`, c] as const))(
    'value %s',
    (_, c) => {
      const alphabet = ab.alphabets[c.alphabet]!;
      expect(alphabetBase64Encode(c.text, alphabet)).toBe(c.alphabetBase64);
      expect(alphabetBase64Decode(c.alphabetBase64, alphabet)).toBe(c.text);
      expect(encodeAlphabetValue(c.text, alphabet)).toBe(c.requestHex);
      expect(decodeAlphabetValue(c.requestHex, alphabet)).toBe(c.text);
      expect(decodeAlphabetValue(c.requestHex.toLowerCase(), alphabet)).toBe(c.text);
      // With the standard alphabet it is plain base64.
      expect(alphabetBase64Encode(c.text, STD_ALPHABET)).toBe(c.standardBase64);
    },
  );

  it.each(ab.responses.map((c) => [c.alphabet, c] as const))('response (%s)', (_, c) => {
    const codec = createAlphabetCodec(ab.alphabets[c.alphabet]!);
    expect(codec.decodeResponse(c.body)).toBe(c.json);
    expect(codec.decodeResponse(`  ${c.body}\n`)).toBe(c.json);
    expect(codec.encodeResponse(c.json)).toBe(c.body);
    expect(JSON.parse(codec.decodeResponse(c.body))).toEqual(JSON.parse(c.json));
  });

  it.each(ab.invalidAlphabets.map((c) => [c.reason, c.alphabet] as const))(
    'rejects an alphabet with %s',
    (_, alphabet) => {
      expect(() => validateAlphabet(alphabet)).toThrow(TypeError);
      expect(() => createAlphabetCodec(alphabet)).toThrow(TypeError);
    },
  );

  it('rejects characters outside the alphabet and malformed UTF-8', () => {
    const alphabet = ab.alphabets.shuffled!;
    const body = alphabetBase64Encode('hello', alphabet);
    const foreign = PRINTABLE.find((ch) => !alphabet.includes(ch))!;
    expect(() => alphabetBase64Decode(`${foreign}${body.slice(1)}`, alphabet)).toThrow(TypeError);
    // 0xFF 0xFE is not UTF-8.
    const bad =
      nodeAlphabetBase64('', alphabet) +
      [...Buffer.from([0xff, 0xfe]).toString('base64')]
        .map((ch) => (ch === '=' ? '=' : alphabet[STD_ALPHABET.indexOf(ch)]))
        .join('');
    expect(() => alphabetBase64Decode(bad, alphabet)).toThrow();
    expect(() => decodeAlphabetValue('ZZ', alphabet)).toThrow(TypeError);
  });
});

describe('alphabet base64 properties', () => {
  it('round-trips arbitrary strings under random alphabets and matches Buffer + substitution', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), arbAlphabet, (text, alphabet) => {
        validateAlphabet(alphabet);
        const encoded = alphabetBase64Encode(text, alphabet);
        expect(encoded).toBe(nodeAlphabetBase64(text, alphabet));
        expect(alphabetBase64Decode(encoded, alphabet)).toBe(text);
        const hex = encodeAlphabetValue(text, alphabet);
        expect(hex).toBe(Buffer.from(encoded, 'ascii').toString('hex').toUpperCase());
        expect(decodeAlphabetValue(hex, alphabet)).toBe(text);
        const codec = createAlphabetCodec(alphabet);
        expect(codec.decodeValue(codec.encodeValue(text))).toBe(text);
        expect(codec.decodeResponse(codec.encodeResponse(text))).toBe(text);
      }),
    );
  });
  it('round-trips full-unicode and CJK/emoji strings', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('中', '文', '卡', '密', '😀', '🎉', 'é', 'a', ' ', '=', '&') }),
        arbAlphabet,
        (text, alphabet) => alphabetBase64Decode(alphabetBase64Encode(text, alphabet), alphabet) === text,
      ),
    );
  });
});

describe('RSA keys', () => {
  const n = BigInt(`0x${rsaKey.nHex}`);
  const e = BigInt(`0x${rsaKey.eHex}`);
  const d = BigInt(`0x${rsaKey.dHex}`);
  it.each([
    ['SPKI PEM', rsaKey.publicKeySpkiPem],
    ['PKCS#1 PEM', rsaKey.publicKeyPkcs1Pem],
    ['bare base64 SPKI DER', rsaKey.publicKeySpkiDerBase64],
  ])('parses the public key as %s', (_, pem) => {
    expect(parseRsaPublicKey(pem)).toEqual({ n, e });
  });
  it.each([
    ['PKCS#8 PEM', rsaKey.privateKeyPkcs8Pem],
    ['PKCS#1 PEM', rsaKey.privateKeyPkcs1Pem],
  ])('parses the private key as %s', (_, pem) => {
    const key = parseRsaPrivateKey(pem);
    expect(key.n).toBe(n);
    expect(key.e).toBe(e);
    expect(key.d).toBe(d);
    expect(key.p * key.q).toBe(n);
    const jwk = crypto.createPrivateKey(pem).export({ format: 'jwk' });
    const big = (b64url: string | undefined) =>
      BigInt(`0x${Buffer.from(b64url!, 'base64url').toString('hex')}`);
    expect(key.dp).toBe(big(jwk.dp));
    expect(key.dq).toBe(big(jwk.dq));
    expect(key.qinv).toBe(big(jwk.qi));
  });
  it('rejects garbage', () => {
    expect(() => parseRsaPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow();
    expect(() => parseRsaPrivateKey('not a key!')).toThrow();
  });
});

describe('RSA request values (rsa-values.json, recorded)', () => {
  const priv = parseRsaPrivateKey(rsaKey.privateKeyPkcs8Pem);
  const priv1 = parseRsaPrivateKey(rsaKey.privateKeyPkcs1Pem);
  const pub = parseRsaPublicKey(rsaKey.publicKeySpkiPem);
  it.each(rsaValues.values.map((c) => [JSON.stringify(c.plaintext.slice(0, 24)), c] as const))(
    'decrypts %s',
    (_, c) => {
      expect(c.ciphertextHex.length).toBe(c.blocks * 256);
      expect(rsaDecryptValue(c.ciphertextHex, priv)).toBe(c.plaintext);
      expect(rsaDecryptValue(c.ciphertextHex.toLowerCase(), priv1)).toBe(c.plaintext);
      expect(createRsaServerCodec(rsaKey.privateKeyPkcs1Pem).decodeValue(c.ciphertextHex)).toBe(c.plaintext);
    },
  );
  it.each(rsaValues.values.map((c) => [JSON.stringify(c.plaintext.slice(0, 24)), c] as const))(
    'encrypts %s so that node decrypts it, with as many blocks',
    (_, c) => {
      const hex = rsaEncryptValue(c.plaintext, pub);
      expect(hex).toMatch(/^[0-9A-F]+$/);
      expect(hex.length).toBe(c.ciphertextHex.length);
      expect(nodeRsaDecryptValue(hex)).toBe(c.plaintext);
      expect(hex).not.toBe(c.ciphertextHex); // random padding
    },
  );
  it('rejects tampered or malformed ciphertexts', () => {
    const c = rsaValues.values[0]!;
    const flipped = (c.ciphertextHex[10] === '0' ? '1' : '0') + '';
    const tampered = c.ciphertextHex.slice(0, 10) + flipped + c.ciphertextHex.slice(11);
    expect(() => rsaDecryptValue(tampered, priv)).toThrow();
    expect(() => rsaDecryptValue(c.ciphertextHex.slice(0, -2), priv)).toThrow(TypeError);
    expect(() => rsaDecryptValue('', priv)).toThrow(TypeError);
    expect(() => rsaDecryptValue('FF'.repeat(128), priv)).toThrow(TypeError); // >= n
  });
});

describe('RSA responses (rsa-responses.json)', () => {
  const priv = parseRsaPrivateKey(rsaKey.privateKeyPkcs8Pem);
  const pub = parseRsaPublicKey(rsaKey.publicKeyPkcs1Pem);
  it.each(rsaResponses.responses.map((c) => [JSON.stringify(c.plaintext.slice(0, 24)), c] as const))(
    'decrypts and re-encrypts %s byte for byte',
    (_, c) => {
      expect(Buffer.from(c.body, 'base64').length).toBe(c.blocks * 128);
      expect(rsaDecryptResponse(c.body, pub)).toBe(c.plaintext);
      expect(createRsaClientCodec(rsaKey.publicKeySpkiPem).decodeResponse(`${c.body}\n`)).toBe(c.plaintext);
      // Type-1 padding is deterministic: our private-key "encryption" must equal node's.
      expect(rsaEncryptResponse(c.plaintext, priv)).toBe(c.body);
      expect(createRsaServerCodec(rsaKey.privateKeyPkcs8Pem).encodeResponse(c.plaintext)).toBe(c.body);
    },
  );
  it('rejects a body that is not whole blocks or has bad padding', () => {
    const c = rsaResponses.responses[0]!;
    const raw = Buffer.from(c.body, 'base64');
    expect(() => rsaDecryptResponse(raw.subarray(1).toString('base64'), pub)).toThrow(TypeError);
    // A type-2 (request) ciphertext is not a type-1 response.
    const wrongType = Buffer.from(rsaValues.values[0]!.ciphertextHex, 'hex').toString('base64');
    expect(() => rsaDecryptResponse(wrongType, pub)).toThrow();
    expect(() => rsaDecryptResponse('not base64!!', pub)).toThrow();
  });
});

describe('RSA properties', () => {
  const priv = parseRsaPrivateKey(rsaKey.privateKeyPkcs8Pem);
  const pub = parseRsaPublicKey(rsaKey.publicKeySpkiPem);
  it('values round-trip and node can decrypt them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 150 }), (text) => {
        const hex = rsaEncryptValue(text, pub);
        expect(rsaDecryptValue(hex, priv)).toBe(text);
        expect(nodeRsaDecryptValue(hex)).toBe(text);
      }),
      { numRuns: 40 },
    );
  });
  it('responses match node privateEncrypt and publicDecrypt', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const body = rsaEncryptResponse(text, priv);
        expect(body).toBe(nodeRsaEncryptResponse(text));
        expect(nodeRsaDecryptResponse(body)).toBe(text);
        expect(rsaDecryptResponse(body, pub)).toBe(text);
      }),
      { numRuns: 40 },
    );
  });
});

describe('codec factories', () => {
  it('plain codec is the identity', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(plainCodec.encodeValue(s)).toBe(s);
        expect(plainCodec.decodeValue(s)).toBe(s);
        expect(plainCodec.decodeResponse(s)).toBe(s);
        expect(plainCodec.encodeResponse(s)).toBe(s);
      }),
    );
    expect(plainCodec.mode).toBe('plain');
  });
  it('createClientCodec / createServerCodec pick the mode', () => {
    expect(createClientCodec(undefined)).toBe(plainCodec);
    expect(createClientCodec({ mode: 'plain' })).toBe(plainCodec);
    expect(createServerCodec(undefined)).toBe(plainCodec);
    const alphabet = ab.alphabets.reversed!;
    expect(createClientCodec({ mode: 'base64', alphabet }).mode).toBe('base64');
    expect(createServerCodec({ mode: 'base64', alphabet }).encodeResponse('x')).toBe(
      nodeAlphabetBase64('x', alphabet),
    );
    const client = createClientCodec({ mode: 'rsa', publicKey: rsaKey.publicKeySpkiPem });
    const server = createServerCodec({
      mode: 'rsa',
      publicKey: rsaKey.publicKeySpkiPem,
      privateKey: rsaKey.privateKeyPkcs1Pem,
    });
    expect(client.mode).toBe('rsa');
    expect(server.decodeValue(client.encodeValue('中文'))).toBe('中文');
    expect(client.decodeResponse(server.encodeResponse('{"code":200}'))).toBe('{"code":200}');
  });
  it('createServerCodec needs the private key for RSA; unknown modes throw', () => {
    expect(() => createServerCodec({ mode: 'rsa', publicKey: rsaKey.publicKeySpkiPem })).toThrow(TypeError);
    expect(() => createClientCodec({ mode: 'xor' } as never)).toThrow(TypeError);
    expect(() => createClientCodec({ mode: 'base64', alphabet: 'short' })).toThrow(TypeError);
  });
});
