import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as core from '../src';
import { DEFAULTS, KamiValidationError, T3_ENDPOINTS, validateImei } from '../src';
import * as server from '../src/server';

// Every runtime export has tests in this folder. A new export fails this list on purpose:
// add it here together with its tests.
const TESTED = {
  'bytes.test.ts': [
    'base64Decode',
    'base64Encode',
    'bytesToHex',
    'hexToBytes',
    'timingSafeEqualString',
    'utf8Decode',
    'utf8Encode',
  ],
  'potato.test.ts': [
    'CARD_TYPES',
    'MAX_CARDS_PER_CALL',
    'cardTypeAmount',
    'cardTypeDurationSeconds',
    'isCardType',
    'validateCreateCard',
    'buildPotatoHeaders',
    'computePotatoSign',
  ],
  'client.test.ts': ['createVerify', 'createT3Client', 'createSessionClient'],
  'failover.test.ts': ['HostRotation'],
  'exports.test.ts': ['DEFAULTS', 'T3_ENDPOINTS', 'validateImei'],
  'codecs.test.ts': [
    'alphabetBase64Decode',
    'alphabetBase64Encode',
    'createAlphabetCodec',
    'decodeAlphabetValue',
    'encodeAlphabetValue',
    'validateAlphabet',
    'plainCodec',
    'createClientCodec',
    'createRsaClientCodec',
    'parseRsaPublicKey',
    'rsaDecryptResponse',
    'rsaEncryptValue',
  ],
  'errors.test.ts': [
    'KamiError',
    'KamiApiError',
    'KamiRateLimitError',
    'KamiConnectionError',
    'KamiTimeoutError',
    'KamiAbortError',
    'KamiResponseError',
    'KamiVerificationError',
    'KamiValidationError',
    't3ErrorFromMessage',
    't3ErrorForCode',
    'potatoErrorFromEnvelope',
    'T3_MESSAGES',
    'T3_SESSION_MESSAGES',
    'T3_SUCCESS_MESSAGES',
    'POTATO_MESSAGES',
    'POTATO_CODES',
    't3CodeForMessage',
    't3SessionCodeForMessage',
    'potatoCodeForMessage',
  ],
  'fetch-transport.test.ts': ['createFetchTransport'],
  'heartbeat.test.ts': [
    'backoffDelayMs',
    'DEFINITIVE_HEARTBEAT_CODES',
    'HEARTBEAT_DEFAULTS',
    'HeartbeatLoop',
    'isDefinitiveHeartbeatError',
    'startHeartbeatLoop',
    'TypedEmitter',
  ],
  'response.test.ts': ['decodeT3Body', 'isT3Success'],
  'net.test.ts': ['backoffMs', 'errorCodes', 'neverConnected', 'parseRetryAfterMs'],
  'sign.test.ts': ['buildSignText', 'computeSignature', 'encodeForm', 'signT3Request'],
  'time.test.ts': [
    'formatBeijingDateTime',
    'formatBeijingMinute',
    'PERMANENT_END_TIME',
    'parseBeijingDateTime',
    'unixSeconds',
  ],
  'hash.test.ts': ['createNodeMd5'],
  'token.test.ts': ['checkClockSkew', 'computeLoginToken', 'computeStatecode', 'verifyLoginToken'],
};

// The same for `@kami-verify/core/server`.
const SERVER_TESTED = {
  'codecs.test.ts': ['createServerCodec', 'createRsaServerCodec', 'parseRsaPrivateKey', 'rsaEncryptResponse'],
  'rsa-private.test.ts': ['RsaDecryptError', 'rsaDecryptValue', 'rsaEncodedLength', 'rsaPrivateOp'],
  'potato.test.ts': ['potatoEnvelope'],
  'sign.test.ts': ['verifyT3Signature'],
};

describe('public API', () => {
  it('every runtime export is covered by a test file', () => {
    const listed = Object.values(TESTED).flat().sort();
    expect(Object.keys(core).sort()).toEqual(listed);
  });

  it('every runtime export of the server entry is covered by a test file', () => {
    const listed = Object.values(SERVER_TESTED).flat().sort();
    expect(Object.keys(server).sort()).toEqual(listed);
  });

  it('DEFAULTS', () => {
    expect(DEFAULTS).toEqual({ timeoutMs: 10_000, maxRetries: 2, maxClockSkewSeconds: 5, successCode: 200 });
  });

  it('T3_ENDPOINTS: one camelCase route key per catalogue endpoint', () => {
    const catalogue = JSON.parse(
      readFileSync(new URL('../../../spec/catalogue/t3.json', import.meta.url), 'utf8'),
    ) as { endpoints: Array<{ name: string }> };
    const camel = (name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    expect([...T3_ENDPOINTS].sort()).toEqual(catalogue.endpoints.map((e) => camel(e.name)).sort());
  });

  it('validateImei', () => {
    expect(validateImei('DEVICE_001')).toBe('DEVICE_001');
    expect(validateImei('设备 😀 "quoted"')).toBe('设备 😀 "quoted"');
    for (const bad of ["DEV'ICE", "'", '', undefined, 42]) {
      expect(() => validateImei(bad)).toThrow(KamiValidationError);
    }
    try {
      validateImei("a'b");
    } catch (error) {
      expect((error as KamiValidationError).field).toBe('imei');
      expect((error as Error).message).toContain("机器码不合法,因为存在'号");
    }
  });
});
