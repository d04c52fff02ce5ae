import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildSignText,
  type ClientCodec,
  computeSignature,
  createAlphabetCodec,
  createRsaClientCodec,
  encodeForm,
  plainCodec,
  signT3Request,
} from '../src';
import { verifyT3Signature } from '../src/server';
import { loadVector, md5, nodeRsaDecryptValue, rsaKey } from './helpers';

type Pair = [string, string];
interface PlainCase {
  name: string;
  params: Pair[];
  signText: string;
  s: string;
  fields: Pair[];
  formBody: string;
}
interface Base64Case extends PlainCase {
  sEncoded: string;
  encodedValues: { name: string; plain: string; alphabetBase64: string; hex: string }[];
}
interface RsaCase {
  name: string;
  params: Pair[];
  encryptedValues: { name: string; plaintext: string; ciphertextHex: string }[];
  signText: string;
  s: string;
  sEncrypted: { plaintext: string; ciphertextHex: string };
  fields: Pair[];
}

const plain = loadVector<{ appKey: string; t: number; cases: PlainCase[] }>('sign-plain.json');
const b64 = loadVector<{ appKey: string; t: number; alphabet: string; cases: Base64Case[] }>(
  'sign-base64.json',
);
const rsa = loadVector<{ appKey: string; t: number; cases: RsaCase[] }>('sign-rsa.json');

describe('plain mode (sign-plain.json)', () => {
  it.each(plain.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const withoutS = c.fields.slice(0, -1);
    expect(buildSignText(withoutS, plain.appKey)).toBe(c.signText);
    // `s` in the field list is ignored by buildSignText.
    expect(buildSignText(c.fields, plain.appKey)).toBe(c.signText);
    expect(computeSignature(md5, c.signText)).toBe(c.s);

    const signed = signT3Request({
      params: c.params,
      appKey: plain.appKey,
      md5,
      codec: plainCodec,
      timestamp: plain.t,
    });
    expect(signed.signText).toBe(c.signText);
    expect(signed.fields).toEqual(c.fields);
    expect(encodeForm(signed.fields)).toBe(c.formBody);

    // Server side: the received fields verify; any change does not.
    expect(verifyT3Signature(md5, withoutS, plain.appKey, c.s)).toBe(true);
    expect(verifyT3Signature(md5, withoutS, plain.appKey, c.s.toUpperCase())).toBe(true);
    expect(verifyT3Signature(md5, withoutS, `${plain.appKey}x`, c.s)).toBe(false);
    expect(
      verifyT3Signature(
        md5,
        withoutS,
        plain.appKey,
        c.s.replace(/.$/, (x) => (x === '0' ? '1' : '0')),
      ),
    ).toBe(false);
    const tampered = withoutS.map(([k, v], i): Pair => (i === 0 ? [k, `${v}x`] : [k, v]));
    expect(verifyT3Signature(md5, tampered, plain.appKey, c.s)).toBe(false);
  });

  it('the form body decodes back to the fields (URLSearchParams)', () => {
    for (const c of plain.cases) {
      expect([...new URLSearchParams(c.formBody)]).toEqual(c.fields);
      expect([...new URLSearchParams(encodeForm(c.fields))]).toEqual(c.fields);
    }
  });

  it('field order matters (the signature is not sorted)', () => {
    const c = plain.cases.find((x) => x.name === 'seed-login')!;
    const reordered = [c.params[1]!, c.params[0]!, c.params[2]!];
    const signed = signT3Request({
      params: reordered,
      appKey: plain.appKey,
      md5,
      codec: plainCodec,
      timestamp: plain.t,
    });
    expect(signed.signText).not.toBe(c.signText);
    expect(signed.fields.at(-1)![1]).not.toBe(c.s);
  });
});

describe('base64 mode (sign-base64.json)', () => {
  const codec = createAlphabetCodec(b64.alphabet);
  it.each(b64.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    for (const e of c.encodedValues) expect(codec.encodeValue(e.plain)).toBe(e.hex);
    expect(codec.encodeValue(c.s)).toBe(c.sEncoded);
    const signed = signT3Request({ params: c.params, appKey: b64.appKey, md5, codec, timestamp: b64.t });
    expect(signed.signText).toBe(c.signText);
    expect(signed.fields).toEqual(c.fields);
    expect(encodeForm(signed.fields)).toBe(c.formBody);
    expect(md5(signed.signText)).toBe(c.s);
    // Server: decode s, verify over the encoded fields.
    expect(codec.decodeValue(c.sEncoded)).toBe(c.s);
    expect(verifyT3Signature(md5, c.fields.slice(0, -1), b64.appKey, codec.decodeValue(c.sEncoded))).toBe(
      true,
    );
    for (const [i, e] of c.encodedValues.entries()) expect(codec.decodeValue(c.fields[i]![1])).toBe(e.plain);
  });
});

describe('RSA mode (sign-rsa.json, recorded ciphertexts)', () => {
  /** A codec that returns the recorded ciphertexts, so signing is deterministic. */
  function recordedCodec(c: RsaCase): ClientCodec {
    const table = new Map<string, string>(c.encryptedValues.map((e) => [e.plaintext, e.ciphertextHex]));
    table.set(c.sEncrypted.plaintext, c.sEncrypted.ciphertextHex);
    return {
      mode: 'rsa',
      encodeValue: (value) => {
        const hit = table.get(value);
        if (hit === undefined) throw new Error(`no recorded ciphertext for ${value}`);
        return hit;
      },
      decodeResponse: (body) => body,
    };
  }

  it.each(rsa.cases.map((c) => [c.name, c] as const))(
    '%s: the sign text is over the ciphertexts as sent',
    (_, c) => {
      for (const e of c.encryptedValues) expect(nodeRsaDecryptValue(e.ciphertextHex)).toBe(e.plaintext);
      expect(nodeRsaDecryptValue(c.sEncrypted.ciphertextHex)).toBe(c.s);
      expect(md5(c.signText)).toBe(c.s);
      const signed = signT3Request({
        params: c.params,
        appKey: rsa.appKey,
        md5,
        codec: recordedCodec(c),
        timestamp: rsa.t,
      });
      expect(signed.signText).toBe(c.signText);
      expect(signed.fields).toEqual(c.fields);
      expect(verifyT3Signature(md5, c.fields.slice(0, -1), rsa.appKey, c.s)).toBe(true);
    },
  );

  it.each(rsa.cases.map((c) => [c.name, c] as const))(
    '%s: a live RSA codec encrypts once and signs those bytes',
    (_, c) => {
      const codec = createRsaClientCodec(rsaKey.publicKeySpkiPem);
      const signed = signT3Request({ params: c.params, appKey: rsa.appKey, md5, codec, timestamp: rsa.t });
      // Independent check: node decrypts every value, and the s sent is md5 of the text over what was sent.
      const sent = signed.fields.slice(0, -1);
      expect(sent.map(([k, v]) => [k, nodeRsaDecryptValue(v)])).toEqual([...c.params, ['t', String(rsa.t)]]);
      expect(signed.signText).toBe(`${sent.map(([k, v]) => `${k}=${v}&`).join('')}${rsa.appKey}`);
      expect(nodeRsaDecryptValue(signed.fields.at(-1)![1])).toBe(md5(signed.signText));
      // Fresh padding: a second signing differs.
      const again = signT3Request({ params: c.params, appKey: rsa.appKey, md5, codec, timestamp: rsa.t });
      expect(again.fields[0]![1]).not.toBe(signed.fields[0]![1]);
    },
  );
});

describe('encodeForm (property)', () => {
  it('URLSearchParams decodes it back to the same ordered fields', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', minLength: 1 }), fc.string({ unit: 'grapheme' })), {
          maxLength: 8,
        }),
        (fields) => {
          const body = encodeForm(fields);
          expect([...new URLSearchParams(body)]).toEqual(fields);
          // Only unreserved characters and escapes survive unencoded: no raw & = + or space inside values.
          expect(body).toMatch(/^[A-Za-z0-9\-_.!~*'()%&=]*$/);
        },
      ),
    );
  });

  it('buildSignText is k=v& for each field then the APPKEY (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string({ minLength: 1 }).filter((k) => k !== 's'),
            fc.string(),
          ),
          { maxLength: 6 },
        ),
        fc.string(),
        (fields, appKey) => {
          const expected = fields.map(([k, v]) => `${k}=${v}&`).join('') + appKey;
          expect(buildSignText(fields, appKey)).toBe(expected);
        },
      ),
    );
  });
});
