#!/usr/bin/env node
// Generates the language-neutral test vectors in spec/vectors/*.json.
//
//   node spec/generate-vectors.mjs          write the files
//   node spec/generate-vectors.mjs --check  regenerate in memory, exit 1 if any file would change
//
// Plain Node, node:crypto only. Every expected value is derived here from first principles
// (md5 of literal strings, Buffer base64, node's publicEncrypt/privateEncrypt/publicDecrypt,
// Intl with the Asia/Shanghai zone) and never from @kami-verify/core, so the vectors can
// catch bugs in core and in every other SDK.
//
// Determinism: everything is a pure function of the inputs below, except
//   - the RSA test key pair (generated once, then read back from rsa-test-key.json), and
//   - RSA request ciphertexts (PKCS#1 v1.5 type-2 padding is random). They are recorded once:
//     a rerun reuses the ciphertext already in the file as long as it still decrypts to the
//     same plaintext under the same key.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, 'vectors');
const CHECK = process.argv.includes('--check');

// ---------------------------------------------------------------------------------------------
// Primitives (independent of core)

const md5 = (text) => crypto.createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex');
const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function readJson(name) {
  const file = path.join(OUT, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

/** UTF-8 → standard base64 → per-character substitution into `alphabet` (`=` kept). */
function alphabetB64(text, alphabet) {
  const std = Buffer.from(text, 'utf8').toString('base64');
  return [...std].map((ch) => (ch === '=' ? '=' : alphabet[STD.indexOf(ch)])).join('');
}
/** The request-value form of the base64 mode: the alphabet text's ASCII bytes as UPPERCASE hex. */
function alphabetValue(text, alphabet) {
  return Buffer.from(alphabetB64(text, alphabet), 'ascii').toString('hex').toUpperCase();
}

/** Same percent-encoding as JS encodeURIComponent (unreserved: A-Z a-z 0-9 - _ . ! ~ * ' ( )). */
function pct(text) {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.!~*'()]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
const formBody = (fields) => fields.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');

function signTextOf(fields, appKey) {
  return fields.map(([k, v]) => `${k}=${v}&`).join('') + appKey;
}

// ---------------------------------------------------------------------------------------------
// RSA test key (fixed once)

function loadOrCreateKey() {
  const existing = readJson('rsa-test-key.json');
  if (existing) return existing;
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 1024,
    publicExponent: 65537,
  });
  const jwk = privateKey.export({ format: 'jwk' });
  const hex = (b64url) => Buffer.from(b64url, 'base64url').toString('hex');
  return {
    warning: 'TEST KEY ONLY. Published in this repository; never use it for a real app.',
    bits: 1024,
    publicKeySpkiPem: publicKey.export({ type: 'spki', format: 'pem' }),
    publicKeyPkcs1Pem: publicKey.export({ type: 'pkcs1', format: 'pem' }),
    privateKeyPkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    privateKeyPkcs1Pem: privateKey.export({ type: 'pkcs1', format: 'pem' }),
    publicKeySpkiDerBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    nHex: hex(jwk.n),
    eHex: hex(jwk.e),
    dHex: hex(jwk.d),
  };
}

const KEY = loadOrCreateKey();
const K = 128; // modulus bytes
const CHUNK = K - 11; // 117 data bytes per PKCS#1 v1.5 block

function chunksOf(buf, size) {
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  if (out.length === 0) out.push(Buffer.alloc(0));
  return out;
}

/** Request value: UTF-8, 117-byte chunks, each publicEncrypt'ed (type 2), UPPERCASE hex of the concatenation. */
function rsaEncryptValueFresh(text) {
  const blocks = chunksOf(Buffer.from(text, 'utf8'), CHUNK).map((c) =>
    crypto.publicEncrypt({ key: KEY.publicKeySpkiPem, padding: crypto.constants.RSA_PKCS1_PADDING }, c),
  );
  return Buffer.concat(blocks).toString('hex').toUpperCase();
}

/**
 * Inverse of the above without privateDecrypt+PKCS1 (Node 20 refuses it): raw RSA with
 * RSA_NO_PADDING, then strip 00 02 PS(>=8 non-zero) 00 by hand. Returns undefined if invalid.
 */
function rsaDecryptValue(hex) {
  const data = Buffer.from(hex, 'hex');
  if (data.length === 0 || data.length % K !== 0) return undefined;
  const parts = [];
  for (let i = 0; i < data.length; i += K) {
    const em = crypto.privateDecrypt(
      { key: KEY.privateKeyPkcs8Pem, padding: crypto.constants.RSA_NO_PADDING },
      data.subarray(i, i + K),
    );
    if (em[0] !== 0 || em[1] !== 2) return undefined;
    const sep = em.indexOf(0, 2);
    if (sep < 10) return undefined;
    parts.push(em.subarray(sep + 1));
  }
  return Buffer.concat(parts).toString('utf8');
}

// Recorded ciphertexts from the previous run: plaintext → ciphertext (any file, any field).
const recorded = new Map();
for (const name of ['rsa-values.json', 'sign-rsa.json']) {
  const prev = readJson(name);
  if (!prev) continue;
  const visit = (node) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      if (typeof node.plaintext === 'string' && typeof node.ciphertextHex === 'string') {
        if (!recorded.has(node.plaintext)) recorded.set(node.plaintext, node.ciphertextHex);
      }
      Object.values(node).forEach(visit);
    }
  };
  visit(prev);
}
/** Recorded ciphertext for `text` if one exists and still decrypts to it, else a fresh one. */
function rsaEncryptValue(text) {
  const old = recorded.get(text);
  if (old !== undefined && rsaDecryptValue(old) === text) return old;
  const fresh = rsaEncryptValueFresh(text);
  recorded.set(text, fresh);
  return fresh;
}

/** Response blob: UTF-8, 117-byte chunks, privateEncrypt'ed (type 1, deterministic), standard base64. */
function rsaResponseBlob(text) {
  const blocks = chunksOf(Buffer.from(text, 'utf8'), CHUNK).map((c) =>
    crypto.privateEncrypt({ key: KEY.privateKeyPkcs8Pem, padding: crypto.constants.RSA_PKCS1_PADDING }, c),
  );
  const blob = Buffer.concat(blocks);
  // Self-check with publicDecrypt.
  const back = [];
  for (let i = 0; i < blob.length; i += K) {
    back.push(
      crypto.publicDecrypt(
        { key: KEY.publicKeySpkiPem, padding: crypto.constants.RSA_PKCS1_PADDING },
        blob.subarray(i, i + K),
      ),
    );
  }
  if (Buffer.concat(back).toString('utf8') !== text) throw new Error('RSA response self-check failed');
  return { blocks: blocks.length, base64: blob.toString('base64') };
}

// ---------------------------------------------------------------------------------------------
// Shared inputs

const APP_KEY = '8f3e2a1b9c7d4e6f0a5b3c2d1e9f8a7b';
const T = 1741700000; // the seed's `time`

const ALPHABETS = {
  // The standard alphabet reversed.
  reversed: [...STD].reverse().join(''),
  // A fixed shuffle (Fisher–Yates driven by a 32-bit LCG seeded with 2026) with + / replaced by - _.
  shuffled: (() => {
    const chars = [...STD.replace('+', '-').replace('/', '_')];
    let state = 2026;
    const next = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state;
    };
    for (let i = chars.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [chars[i], chars[j]] = [chars[j], chars[i]];
    }
    return chars.join('');
  })(),
  // A trap: '{' sits where the standard alphabet has 'e' (index 30), the first base64 character
  // of every JSON object, so each encoded reply starts with '{' without being JSON.
  brace: STD.replace('e', '{').replace('y', '}'),
};
for (const a of Object.values(ALPHABETS)) {
  if (a.length !== 64 || new Set(a).size !== 64 || a.includes('=')) throw new Error('bad alphabet');
}

/** Parameter sets: fields in send order, before `t` and `s`. */
const PARAM_SETS = [
  {
    name: 'seed-login',
    description: 'The T3 seed example login: kami, imei, safe_code.',
    endpoint: 'login',
    params: [
      ['kami', 'KM3Q5T7W9Y2B4D6F'],
      ['imei', 'DEVICE_001'],
      ['safe_code', 'hello'],
    ],
  },
  {
    name: 'heartbeat',
    description: 'Heartbeat with statecode and the optional kami.',
    endpoint: 'heartbeat',
    params: [
      ['statecode', 'f1e2d3c4b5a6f1e2d3c4b5a6f1e2d3c4'],
      ['kami', 'KM3Q5T7W9Y2B4D6F'],
    ],
  },
  {
    name: 'heartbeat-statecode-only',
    description: 'Heartbeat with only the statecode.',
    endpoint: 'heartbeat',
    params: [['statecode', 'f1e2d3c4b5a6f1e2d3c4b5a6f1e2d3c4']],
  },
  {
    name: 'empty-params',
    description: 'An endpoint without parameters (notice, version): the sign text is "t=T&APPKEY".',
    endpoint: 'notice',
    params: [],
  },
  {
    name: 'check-update',
    description: 'check_update with the current version.',
    endpoint: 'checkUpdate',
    params: [['ver', '1.0.0']],
  },
  {
    name: 'kami-recharge',
    description: 'kami_recharge (以卡充卡): target_kami then source_kami, as t3sdk sends them.',
    endpoint: 'kamiRecharge',
    params: [
      ['target_kami', 'KM3Q5T7W9Y2B4D6F'],
      ['source_kami', 'SRC8H2J4K6M8N0P2'],
    ],
  },
  {
    name: 'modify-core',
    description: 'modify_core: kami then core (non-ASCII core data).',
    endpoint: 'modifyCore',
    params: [
      ['kami', 'KM3Q5T7W9Y2B4D6F'],
      ['core', '核心数据 v2'],
    ],
  },
  {
    name: 'app-sign',
    description: 'app_sign: the autograph field alone.',
    endpoint: 'appSign',
    params: [['autograph', '3A:4F:9C:11:B2']],
  },
  {
    name: 'non-ascii',
    description: 'Chinese, accented and emoji values (UTF-8 everywhere).',
    endpoint: 'login',
    params: [
      ['kami', '中文卡密测试'],
      ['imei', '设备-😀-é'],
      ['safe_code', 'héllo 世界'],
    ],
  },
  {
    name: 'reserved-chars',
    description:
      'Values with & = + % spaces, a literal %20 and a "t=" lookalike. The sign text uses them raw.',
    endpoint: 'login',
    params: [
      ['kami', 'a&b=c+d'],
      ['imei', 'x%y 1 %20+'],
      ['safe_code', ' lead&trail= '],
    ],
  },
  {
    name: 'empty-value',
    description: 'A present but empty value still contributes "name=&".',
    endpoint: 'query',
    params: [
      ['kami', 'KM3Q5T7W9Y2B4D6F'],
      ['safe_code', ''],
    ],
  },
];

const files = {};

// ---------------------------------------------------------------------------------------------
// bytes.json — UTF-8 / hex / standard base64 of plain strings

files['bytes.json'] = {
  description:
    'UTF-8 bytes of each text as lowercase and uppercase hex, and standard base64 (RFC 4648 with = padding) of those bytes.',
  cases: [
    '',
    'f',
    'fo',
    'foo',
    'foob',
    'fooba',
    'foobar',
    'hello',
    '中文',
    '😀',
    'é',
    'a&b=c+d %',
    '\u0000\u007f',
  ].map((text) => {
    const b = Buffer.from(text, 'utf8');
    return {
      text,
      hex: b.toString('hex'),
      hexUpper: b.toString('hex').toUpperCase(),
      base64: b.toString('base64'),
    };
  }),
  binary: [
    [],
    [0],
    [255],
    [0, 255, 128, 1],
    [251, 255, 191],
    [0, 0, 0, 0],
    Array.from({ length: 32 }, (_, i) => i * 8),
  ].map((bytes) => ({
    hex: Buffer.from(bytes).toString('hex'),
    base64: Buffer.from(bytes).toString('base64'),
  })),
};

// ---------------------------------------------------------------------------------------------
// sign-plain.json

function withT(params, tValue) {
  return [...params, ['t', tValue]];
}

files['sign-plain.json'] = {
  description:
    'Plain mode. fieldsBeforeS = params in call order then t. signText = "k1=v1&...&t=T&" + appKey over the raw values. ' +
    's = md5(UTF-8 signText), 32 lowercase hex. fields = fieldsBeforeS + [s]. formBody = each name and value percent-encoded ' +
    "(encodeURIComponent rules: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) as %XX of the UTF-8 bytes) joined with = and &.",
  appKey: APP_KEY,
  t: T,
  cases: PARAM_SETS.map((set) => {
    const before = withT(set.params, String(T));
    const signText = signTextOf(before, APP_KEY);
    const s = md5(signText);
    const fields = [...before, ['s', s]];
    return {
      name: set.name,
      description: set.description,
      endpoint: set.endpoint,
      params: set.params,
      signText,
      s,
      fields,
      formBody: formBody(fields),
    };
  }),
};

// ---------------------------------------------------------------------------------------------
// sign-base64.json

files['sign-base64.json'] = {
  description:
    'base64 mode. Every value, t included, is encoded: UTF-8 → standard base64 → each character replaced by the one at the ' +
    'same index of `alphabet` ("=" kept) → that ASCII text as UPPERCASE hex. signText is built over the encoded values; ' +
    's = md5(signText) is then sent encoded as well (sEncoded).',
  appKey: APP_KEY,
  t: T,
  alphabet: ALPHABETS.shuffled,
  cases: PARAM_SETS.map((set) => {
    const enc = (v) => alphabetValue(v, ALPHABETS.shuffled);
    const before = withT(set.params, String(T)).map(([k, v]) => [k, enc(v)]);
    const signText = signTextOf(before, APP_KEY);
    const s = md5(signText);
    const fields = [...before, ['s', enc(s)]];
    return {
      name: set.name,
      params: set.params,
      encodedValues: before.map(([k, v], i) => ({
        name: k,
        plain: i < set.params.length ? set.params[i][1] : String(T),
        alphabetBase64: alphabetB64(i < set.params.length ? set.params[i][1] : String(T), ALPHABETS.shuffled),
        hex: v,
      })),
      signText,
      s,
      sEncoded: enc(s),
      fields,
      formBody: formBody(fields),
    };
  }),
};

// ---------------------------------------------------------------------------------------------
// sign-rsa.json (recorded ciphertexts)

files['sign-rsa.json'] = {
  description:
    'RSA mode (key: rsa-test-key.json). Every value, t included, is RSA PKCS#1 v1.5 (type 2) encrypted with the public key ' +
    'in 117-byte chunks, blocks concatenated, UPPERCASE hex. The padding is random, so these ciphertexts were RECORDED once: ' +
    'check them by decrypting, never by re-encrypting. signText is over the ciphertext hex as sent; s = md5(signText) is ' +
    'itself encrypted (sEncrypted.ciphertextHex).',
  appKey: APP_KEY,
  t: T,
  cases: PARAM_SETS.map((set) => {
    const encrypted = withT(set.params, String(T)).map(([k, v]) => ({
      name: k,
      plaintext: v,
      ciphertextHex: rsaEncryptValue(v),
    }));
    const before = encrypted.map((e) => [e.name, e.ciphertextHex]);
    const signText = signTextOf(before, APP_KEY);
    const s = md5(signText);
    const sEncrypted = { plaintext: s, ciphertextHex: rsaEncryptValue(s) };
    const fields = [...before, ['s', sEncrypted.ciphertextHex]];
    return {
      name: set.name,
      params: set.params,
      encryptedValues: encrypted,
      signText,
      s,
      sEncrypted,
      fields,
    };
  }),
};

// ---------------------------------------------------------------------------------------------
// alphabet-base64.json

const B64_TEXTS = [
  '',
  'a',
  'ab',
  'abc',
  'hello',
  '1741700000',
  '中文',
  '卡密已到期',
  '😀',
  '👨‍👩‍👧 family',
  'mixed 中文 + emoji 🎉 & = %',
];
const B64_RESPONSES = [
  JSON.stringify({ code: '200', msg: '在线', time: T, date: '202503112133' }),
  JSON.stringify({ code: 201, msg: '卡密已到期' }),
  JSON.stringify({
    code: '200',
    id: 1,
    end_time: '2026-04-10 12:00:00',
    amount: '30天',
    available: 2592000,
    token: 'a1b2c3d4e5f6',
    statecode: 'f1e2d3c4b5a6',
    safe_code: 'hello 😀',
    time: T,
    date: '202603111200',
    imei: 'DEVICE_001',
    change: 0,
    core: '48656c6c6f',
  }),
];
files['alphabet-base64.json'] = {
  description:
    'alphabetBase64 = UTF-8 → standard base64 (with =) → per-character substitution STD[i] → alphabet[i]. ' +
    'requestHex = UPPERCASE hex of the ASCII of alphabetBase64 (request-value form). Responses are the whole JSON text in ' +
    'alphabetBase64 form (no hex). standardBase64 is given to help debugging.',
  standardAlphabet: STD,
  alphabets: ALPHABETS,
  values: Object.entries(ALPHABETS).flatMap(([alphabetName, alphabet]) =>
    B64_TEXTS.map((text) => ({
      alphabet: alphabetName,
      text,
      standardBase64: Buffer.from(text, 'utf8').toString('base64'),
      alphabetBase64: alphabetB64(text, alphabet),
      requestHex: alphabetValue(text, alphabet),
    })),
  ),
  responses: Object.entries(ALPHABETS).flatMap(([alphabetName, alphabet]) =>
    B64_RESPONSES.map((json) => ({ alphabet: alphabetName, json, body: alphabetB64(json, alphabet) })),
  ),
  invalidAlphabets: [
    { alphabet: STD.slice(0, 63), reason: '63 characters' },
    { alphabet: `${STD}A`, reason: '65 characters' },
    { alphabet: `${STD.slice(0, 63)}A`, reason: 'repeated character' },
    { alphabet: `${STD.slice(0, 63)}=`, reason: 'contains =' },
    { alphabet: `${STD.slice(0, 63)} `, reason: 'contains a space' },
    { alphabet: `${STD.slice(0, 63)}中`, reason: 'non-ASCII' },
  ],
};

// ---------------------------------------------------------------------------------------------
// rsa-values.json and rsa-responses.json

const RSA_VALUE_TEXTS = [
  'KM3Q5T7W9Y2B4D6F',
  '',
  '1741700000',
  '中文卡密',
  '😀 emoji ✓',
  'x'.repeat(117),
  'x'.repeat(118),
  '中'.repeat(39) + 'ab', // 119 bytes: a 3-byte character straddles the 117-byte chunk boundary
  'long value '.repeat(30), // 330 bytes: 3 blocks
];
files['rsa-values.json'] = {
  description:
    'Request values in the RSA mode (key: rsa-test-key.json). ciphertextHex = UPPERCASE hex of the concatenated 128-byte ' +
    'blocks; each block is PKCS#1 v1.5 type-2 encryption of up to 117 bytes of the UTF-8 plaintext (an empty value is one ' +
    'block holding 0 bytes). RECORDED once (random padding): decrypt and compare, never re-encrypt and compare.',
  values: RSA_VALUE_TEXTS.map((text) => {
    const ciphertextHex = rsaEncryptValue(text);
    return {
      plaintext: text,
      plaintextBytes: Buffer.byteLength(text),
      blocks: ciphertextHex.length / (2 * K),
      ciphertextHex,
    };
  }),
};
for (const v of files['rsa-values.json'].values) {
  if (rsaDecryptValue(v.ciphertextHex) !== v.plaintext) throw new Error('RSA value self-check failed');
}

const RSA_RESPONSE_TEXTS = [
  JSON.stringify({ code: '200', msg: '在线', time: T, date: '202503112133' }),
  JSON.stringify({ code: 201, msg: '签名有误' }),
  B64_RESPONSES[2], // a login reply with 中文 and emoji: 3 blocks
  'x'.repeat(117),
  'y'.repeat(118),
  '',
];
files['rsa-responses.json'] = {
  description:
    'Responses in the RSA mode. The server "encrypts" with its PRIVATE key: UTF-8 plaintext in 117-byte chunks, each with ' +
    'PKCS#1 v1.5 type-1 padding (00 01 FF..FF 00 data), raised to d mod n; blocks concatenated; standard base64. A client ' +
    'computes c^e mod n per 128-byte block and strips the type-1 padding. Type-1 padding is deterministic, so `body` is ' +
    'also what any correct encoder must produce byte for byte.',
  responses: RSA_RESPONSE_TEXTS.map((plaintext) => ({ plaintext, ...rsaResponseBlob(plaintext) })).map(
    (r) => ({
      plaintext: r.plaintext,
      blocks: r.blocks,
      body: r.base64,
    }),
  ),
};

// ---------------------------------------------------------------------------------------------
// token.json

const seedLogin = files['sign-plain.json'].cases.find((c) => c.name === 'seed-login');
const seedLoginB64 = files['sign-base64.json'].cases.find((c) => c.name === 'seed-login');
const seedLoginRsa = files['sign-rsa.json'].cases.find((c) => c.name === 'seed-login');
const TOKEN_CASES = [
  {
    name: 'seed-basic',
    id: 1,
    endTime: '2026-04-10 12:00:00',
    date: '202603111200',
    time: T,
    signText: null,
  },
  {
    name: 'seed-basic-string-id',
    id: '1',
    endTime: '2026-04-10 12:00:00',
    date: '202603111200',
    time: T,
    signText: null,
  },
  {
    name: 'permanent-basic',
    id: 42,
    endTime: '2099-12-31 23:59:59',
    date: '202503112133',
    time: T,
    signText: null,
  },
  {
    name: 'seed-signed-plain',
    id: 1,
    endTime: '2026-04-10 12:00:00',
    date: '202603111200',
    time: T,
    signText: seedLogin.signText,
  },
  {
    name: 'seed-signed-base64',
    id: 1,
    endTime: '2026-04-10 12:00:00',
    date: '202603111200',
    time: T,
    signText: seedLoginB64.signText,
  },
  {
    name: 'seed-signed-rsa',
    id: 1,
    endTime: '2026-04-10 12:00:00',
    date: '202603111200',
    time: T,
    signText: seedLoginRsa.signText,
  },
  {
    name: 'non-ascii-signed',
    id: 7,
    endTime: '2026-01-01 00:00:00',
    date: '202512311600',
    time: 1767168000,
    signText: files['sign-plain.json'].cases.find((c) => c.name === 'non-ascii').signText,
  },
];
files['token.json'] = {
  description:
    'basic: token = md5(String(id) + appKey + endTime + date). signed (two-way signature): token = md5(String(id) + appKey + ' +
    "signText + endTime + date), signText being the request's full pre-hash sign text (APPKEY included). " +
    "statecode = md5(token + String(time)). All md5 over UTF-8, 32 lowercase hex. `date` is the reply's own field.",
  appKey: APP_KEY,
  cases: TOKEN_CASES.map((c) => {
    const variant = c.signText === null ? 'basic' : 'signed';
    const preimage = `${c.id}${APP_KEY}${c.signText ?? ''}${c.endTime}${c.date}`;
    const token = md5(preimage);
    return {
      name: c.name,
      variant,
      id: c.id,
      endTime: c.endTime,
      date: c.date,
      time: c.time,
      signText: c.signText,
      tokenPreimage: preimage,
      token,
      statecodePreimage: `${token}${c.time}`,
      statecode: md5(`${token}${c.time}`),
    };
  }),
};

// ---------------------------------------------------------------------------------------------
// beijing-time.json (Intl with Asia/Shanghai: independent of any offset arithmetic)

const shanghai = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
function beijing(epochSeconds) {
  const p = Object.fromEntries(
    shanghai.formatToParts(new Date(epochSeconds * 1000)).map((x) => [x.type, x.value]),
  );
  return {
    minute: `${p.year}${p.month}${p.day}${p.hour}${p.minute}`,
    dateTime: `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`,
  };
}
const TIME_CASES = [
  { name: 'seed time', epochSeconds: T },
  { name: 'unix epoch', epochSeconds: 0 },
  {
    name: 'UTC 15:59:59 is Beijing 23:59:59 the same day',
    epochSeconds: Date.UTC(2026, 2, 11, 15, 59, 59) / 1000,
  },
  {
    name: 'UTC 16:00:00 rolls over to the next Beijing day',
    epochSeconds: Date.UTC(2026, 2, 11, 16, 0, 0) / 1000,
  },
  {
    name: 'UTC new year eve 16:00 is Beijing new year',
    epochSeconds: Date.UTC(2025, 11, 31, 16, 0, 0) / 1000,
  },
  {
    name: 'UTC 2025-12-31 15:59:59 is still 2025 in Beijing',
    epochSeconds: Date.UTC(2025, 11, 31, 15, 59, 59) / 1000,
  },
  { name: 'leap day in Beijing', epochSeconds: Date.UTC(2028, 1, 28, 16, 30, 5) / 1000 },
  { name: 'end of month rollover', epochSeconds: Date.UTC(2026, 3, 30, 20, 0, 0) / 1000 },
  { name: 'seed end_time', epochSeconds: Date.UTC(2026, 3, 10, 4, 0, 0) / 1000 },
  { name: 'seconds are truncated in the minute', epochSeconds: Date.UTC(2026, 0, 1, 0, 0, 59) / 1000 },
  { name: 'permanent end_time', epochSeconds: Date.UTC(2099, 11, 31, 15, 59, 59) / 1000 },
  { name: 'year 2038 boundary', epochSeconds: 2147483647 },
];
files['beijing-time.json'] = {
  description:
    'Beijing time is UTC+8 with no DST. minute = the `date` field, yyyyMMddHHmm. dateTime = the `end_time` format ' +
    'YYYY-MM-DD HH:mm:ss. Derived with Intl.DateTimeFormat(timeZone: "Asia/Shanghai"). Parsing dateTime as Beijing time ' +
    'gives back epochSeconds.',
  cases: TIME_CASES.map((c) => ({ name: c.name, epochSeconds: c.epochSeconds, ...beijing(c.epochSeconds) })),
  invalidDateTimes: [
    '',
    '2026-04-10',
    '2026-04-10T12:00:00',
    '2026-4-10 12:00:00',
    '2026-04-10 12:00',
    'not a date',
    '2026-04-10 12:00:00 ',
    // Right shape, impossible calendar values: must be refused, not normalised.
    '2026-02-29 00:00:00',
    '2026-02-30 12:00:00',
    '2026-13-01 00:00:00',
    '2026-00-10 00:00:00',
    '2026-04-31 00:00:00',
    '2026-04-10 24:00:00',
    '2026-04-10 12:60:00',
    '2026-04-10 12:00:60',
  ],
};

// ---------------------------------------------------------------------------------------------
// potato-sign.json

const POTATO_CASES = [
  {
    name: 'signed with user token',
    askKey: 'ask_657801375071686656',
    apiUserToken: 'tok_abc123',
    signSecret: 'S3cr3t!',
    timeMs: 1675926123437,
  },
  {
    name: 'signed without user token (login)',
    askKey: 'ask_657801375071686656',
    apiUserToken: null,
    signSecret: 'S3cr3t!',
    timeMs: 1675926123437,
  },
  {
    name: 'unsigned',
    askKey: 'ask_657801375071686656',
    apiUserToken: 'tok_abc123',
    signSecret: null,
    timeMs: 1675926123437,
  },
  { name: 'non-ascii secret', askKey: 'k', apiUserToken: 'u', signSecret: '密钥🔑', timeMs: 1741700000123 },
  { name: 'empty-looking time', askKey: 'k', apiUserToken: null, signSecret: 'abc', timeMs: 0 },
];
files['potato-sign.json'] = {
  description:
    'potatocloud signature v1: sign = md5(signSecret + String(timeMs)), timeMs in milliseconds, 32 lowercase hex. ' +
    'headers: content-type application/json and askKey always; apiUserToken when the call is authenticated; time and sign ' +
    'only when a signSecret is configured. Header names are case-preserving as spelled here.',
  cases: POTATO_CASES.map((c) => {
    const headers = { 'content-type': 'application/json', askKey: c.askKey };
    if (c.apiUserToken) headers.apiUserToken = c.apiUserToken;
    let sign = null;
    if (c.signSecret) {
      sign = md5(`${c.signSecret}${c.timeMs}`);
      headers.time = String(c.timeMs);
      headers.sign = sign;
    }
    return { ...c, signPreimage: c.signSecret ? `${c.signSecret}${c.timeMs}` : null, sign, headers };
  }),
};

// ---------------------------------------------------------------------------------------------
// seed-fixtures.json — verbatim examples of the two seed documents

const seedCards = [
  ['783556860021596160', 1675926123437, 'BF28FAE82497C318B95BB9D0D902F251'],
  ['783556860025790464', 1675926123438, '5ABFB5D49A207A542A71327687FA410D'],
  ['783556860025790465', 1675926123438, 'C6734B19399BCE7F6685FC54DBA8C6EB'],
  ['783556860029984768', 1675926123439, '9C8F95A5D26A203BE1000F2E1F9FAA28'],
  ['783556860029984769', 1675926123439, 'A388018992213DFA44B7670C42EA41E9'],
  ['783556860029984770', 1675926123439, '02BA2ADF570B664DF30618737CE85FDC'],
  ['783556860034179072', 1675926123440, '09DAD94B1666DC3C5401414001AD8B89'],
  ['783556860034179073', 1675926123440, '6FBF0B13EC51A34C59A8125703171D6F'],
  ['783556860038373376', 1675926123441, 'DB32148644BC0C08E6ABAB7706724828'],
  ['783556860038373377', 1675926123441, '2BFA6431BE67D05C5668F9941FEEE2F7'],
].map(([id, ms, cardStr]) => ({
  id,
  createdDate: ms,
  modifiedDate: ms,
  status: 1,
  ip: '127.0.0.1',
  appId: '657801375071686656',
  cardStr,
  exportState: 1,
  state: 1,
  type: 1,
}));
const t3SeedResponse = {
  code: '200',
  id: 1,
  end_time: '2026-04-10 12:00:00',
  amount: '30天',
  available: 2592000,
  token: 'a1b2c3d4e5f6...',
  statecode: 'f1e2d3c4b5a6...',
  safe_code: 'hello',
  time: 1741700000,
  date: '202603111200',
  imei: 'DEVICE_001',
  change: 0,
  core: '48656c6c6f',
};
// A self-consistent version of the same reply, for APP_KEY and the seed-login request.
const consistentToken = md5(`1${APP_KEY}2026-04-10 12:00:00202603111200`);
const consistentSignedToken = md5(`1${APP_KEY}${seedLogin.signText}2026-04-10 12:00:00202603111200`);
files['seed-fixtures.json'] = {
  description:
    'Verbatim examples from the seed documents, plus self-consistent variants of the T3 login reply (real tokens for ' +
    'appKey and the sign-plain.json "seed-login" request). Note that the seed\'s own `time` (1741700000 = 2025-03-11 ' +
    "21:33:20 Beijing) does not match its `date` (202603111200): the token uses the reply's `date` as sent.",
  t3Login: {
    source: 'shared/seeds/002_0cdf3f6a479c9b61.txt (T3 单码卡密登录)',
    url: 'POST <host>/<调用码>',
    contentType: 'application/x-www-form-urlencoded',
    requestParams: ['kami', 'imei', 't', 's', 'safe_code'],
    successResponse: t3SeedResponse,
    successFields: [
      'code',
      'id',
      'end_time',
      'amount',
      'available',
      'token',
      'statecode',
      'safe_code',
      'time',
      'date',
      'imei',
      'change',
      'core',
    ],
    coreHexDecoded: Buffer.from(t3SeedResponse.core, 'hex').toString('utf8'),
    appKey: APP_KEY,
    signTextOfRequest: seedLogin.signText,
    consistentBasicResponse: {
      ...t3SeedResponse,
      token: consistentToken,
      statecode: md5(`${consistentToken}${T}`),
    },
    consistentSignedResponse: {
      ...t3SeedResponse,
      token: consistentSignedToken,
      statecode: md5(`${consistentSignedToken}${T}`),
    },
    intSuccessCodeResponse: {
      ...t3SeedResponse,
      code: 200,
      token: consistentToken,
      statecode: md5(`${consistentToken}${T}`),
    },
    errorResponse: { code: '201', msg: '卡密已到期' },
  },
  potatoCreateCardMy: {
    source: 'shared/seeds/000_916ff396e8e314dc.txt (土豆API 生成卡密)',
    path: '/api/createCardMy',
    method: 'POST',
    requiredHeaders: ['Content-Type', 'askKey', 'apiUserToken'],
    signedHeaders: ['time', 'sign'],
    request: { type: 1, total: 10 },
    requestJson: JSON.stringify({ type: 1, total: 10 }),
    response: { code: '200', message: '', status: true, data: seedCards, pc: null, time: null, sign: null },
    cardTypes: [
      { type: 0, name: '天卡' },
      { type: 1, name: '周卡' },
      { type: 2, name: '月卡' },
      { type: 3, name: '季卡' },
      { type: 4, name: '年卡' },
      { type: 5, name: '永久卡' },
    ],
    maxTotal: 10,
    envelopeCodes: {
      200: 'ok',
      203: 'no data',
      403: 'permission error or login expired',
      500: 'request error',
    },
  },
};

// ---------------------------------------------------------------------------------------------
// messages.json — wire messages → machine codes

const T3_SEED_MESSAGES = [
  ['卡密不可为空', 'CARD_REQUIRED'],
  ['机器码不可为空', 'DEVICE_REQUIRED'],
  ["机器码不合法,因为存在'号", 'DEVICE_INVALID'],
  ['卡密不存在', 'CARD_NOT_FOUND'],
  ['卡密被禁用', 'CARD_DISABLED'],
  ['卡密已到期', 'CARD_EXPIRED'],
  ['卡密使用次数已达上限', 'CARD_USES_EXHAUSTED'],
  ['卡密禁止登录', 'CARD_LOGIN_FORBIDDEN'],
  ['请在原设备登录', 'DEVICE_MISMATCH'],
  ['请在原IP登录', 'IP_MISMATCH'],
  ['请在原省内登录', 'PROVINCE_MISMATCH'],
  ['请在市内登录', 'CITY_MISMATCH'],
  ['程序未开启', 'APP_DISABLED'],
  ['接口未开启', 'ENDPOINT_DISABLED'],
  ['时间戳参数不可为空', 'TIMESTAMP_REQUIRED'],
  ['验证数据已失效,请重试', 'TIMESTAMP_INVALID'],
  ['签名参数不可为空', 'SIGNATURE_REQUIRED'],
  ['签名有误', 'SIGNATURE_INVALID'],
];
const T3_OTHER_MESSAGES = [
  ['状态码不可为空', 'STATECODE_REQUIRED', 'heartbeat (protocol notes)'],
  ['状态码不存在', 'STATECODE_NOT_FOUND', 'heartbeat (protocol notes)'],
  ['解绑次数已达上限', 'UNBIND_LIMIT_REACHED', 'project choice'],
  ['卡密未绑定设备', 'CARD_NOT_BOUND', 'project choice'],
  ['版本号不可为空', 'VERSION_REQUIRED', 'project choice'],
  ['请求过于频繁,请稍后再试', 'RATE_LIMITED', 'project choice'],
  ['请求参数有误', 'BAD_REQUEST', 'project choice'],
  ['接口不存在', 'ENDPOINT_NOT_FOUND', 'project choice'],
  ['充值卡密不可为空', 'SOURCE_CARD_REQUIRED', 'project choice (T3 kami_recharge)'],
  ['充值卡密不存在', 'SOURCE_CARD_NOT_FOUND', 'project choice (T3 kami_recharge)'],
  ['充值卡密被禁用', 'SOURCE_CARD_DISABLED', 'project choice (T3 kami_recharge)'],
  ['充值卡密已被使用', 'SOURCE_CARD_USED', 'project choice (T3 kami_recharge)'],
  ['被充卡密未激活', 'TARGET_CARD_NOT_ACTIVATED', 'project choice (T3 kami_recharge)'],
  ['卡密类型不一致,无法充值', 'CARD_KIND_MISMATCH', 'project choice (T3 kami_recharge)'],
  ['卡密未绑定IP', 'IP_NOT_BOUND', 'project choice (T3 card/app endpoints)'],
  ['变量ID不可为空', 'VARIABLE_REQUIRED', 'project choice (T3 card/app endpoints)'],
  ['变量不存在', 'VARIABLE_NOT_FOUND', 'project choice (T3 card/app endpoints)'],
  ['变量不可修改', 'VARIABLE_READ_ONLY', 'project choice (T3 card/app endpoints)'],
  ['数据长度超出限制', 'DATA_TOO_LONG', 'project choice (T3 card/app endpoints)'],
  ['token不可为空', 'TOKEN_REQUIRED', 'project choice (T3 card/app endpoints)'],
  ['token无效', 'TOKEN_INVALID', 'project choice (T3 card/app endpoints)'],
  ['应用签名不可为空', 'AUTOGRAPH_REQUIRED', 'project choice (T3 card/app endpoints)'],
  ['应用签名不一致', 'APP_SIGN_MISMATCH', 'project choice (T3 card/app endpoints)'],
  ['账号不可为空', 'USER_REQUIRED', 'project choice (T3 account family)'],
  ['密码不可为空', 'PASSWORD_REQUIRED', 'project choice (T3 account family)'],
  ['新密码不可为空', 'NEW_PASSWORD_REQUIRED', 'project choice (T3 account family)'],
  ['账号格式有误,需为3-32位字母、数字或_@.-', 'USER_INVALID', 'project choice (T3 account family)'],
  ['密码长度需为6-64位', 'PASSWORD_INVALID', 'project choice (T3 account family)'],
  ['邮箱格式有误', 'EMAIL_INVALID', 'project choice (T3 account family)'],
  ['账号已存在', 'USER_EXISTS', 'project choice (T3 account family)'],
  ['账号不存在', 'USER_NOT_FOUND', 'project choice (T3 account family)'],
  ['账号或密码错误', 'USER_LOGIN_FAILED', 'project choice (T3 account family)'],
  ['账号被禁用', 'USER_DISABLED', 'project choice (T3 account family)'],
  ['账号已到期', 'USER_EXPIRED', 'project choice (T3 account family)'],
  ['账号未充值', 'USER_NOT_RECHARGED', 'project choice (T3 account family)'],
  ['账号使用次数已达上限', 'USER_USES_EXHAUSTED', 'project choice (T3 account family)'],
  ['卡密已被使用', 'CARD_ALREADY_USED', 'project choice (T3 account family)'],
  ['账号未绑定设备', 'USER_NOT_BOUND', 'project choice (T3 account family)'],
  ['账号未绑定IP', 'USER_IP_NOT_BOUND', 'project choice (T3 account family)'],
];
const POTATO = [
  ['askKey无效', 'ASK_KEY_INVALID', 'ASK_KEY_INVALID'],
  ['用户令牌无效或登录已超时', 'USER_TOKEN_INVALID', 'USER_TOKEN_INVALID'],
  ['账号或密码错误', 'LOGIN_FAILED', 'LOGIN_FAILED'],
  ['未开启API生成卡密', 'PERMISSION_DENIED', 'PERMISSION_DENIED'],
  ['签名参数不可为空', 'SIGNATURE_REQUIRED', 'SIGNATURE_REQUIRED'],
  ['签名有误', 'SIGNATURE_INVALID', 'SIGNATURE_INVALID'],
  ['时间戳已失效', 'TIMESTAMP_INVALID', 'TIMESTAMP_INVALID'],
  ['卡密类型有误', 'INVALID_TYPE', 'INVALID_TYPE'],
  ['生成条数有误,单次最多10条', 'INVALID_TOTAL', 'INVALID_TOTAL'],
  ['请求参数有误', 'BAD_REQUEST', 'BAD_REQUEST'],
  ['请求过于频繁,请稍后再试', 'RATE_LIMITED', 'RATE_LIMITED'],
  ['暂无数据', 'NO_DATA', 'NO_DATA'],
];
files['messages.json'] = {
  description:
    'Server messages (exact UTF-8 text, compared after trimming surrounding whitespace) and the machine codes SDKs expose. ' +
    't3.seed are the login errors documented in the T3 seed; t3.other are the heartbeat errors from the protocol notes and ' +
    "the texts this project chose for the other endpoints. potato texts are this project's (the service documents codes " +
    'only); errorCode is the code an SDK error carries. Unknown texts → ' +
    'UNKNOWN_SERVER_ERROR with the text kept; for potato an unknown text falls back on the envelope code ' +
    '(potatoEnvelopeFallback). RATE_LIMITED (or HTTP 429) is a rate-limit error carrying Retry-After.',
  t3: {
    seed: T3_SEED_MESSAGES.map(([message, code]) => ({ message, code, errorCode: code })),
    other: T3_OTHER_MESSAGES.map(([message, code, origin]) => ({ message, code, errorCode: code, origin })),
    success: [
      { message: '在线', code: 'HEARTBEAT_ONLINE' },
      { message: '解绑成功', code: 'UNBIND_OK' },
      { message: '已是最新版', code: 'ALREADY_LATEST' },
      { message: 'IP解绑成功', code: 'IP_UNBIND_OK' },
      { message: '禁用成功', code: 'DISABLE_OK' },
      { message: '充值成功', code: 'RECHARGE_OK' },
      { message: '修改成功', code: 'MODIFY_OK' },
      { message: '签名一致', code: 'APP_SIGN_OK' },
      { message: '注册成功', code: 'REGISTER_OK' },
      { message: '密码修改成功', code: 'PASSWORD_CHANGED' },
      { message: '注销成功', code: 'USER_CANCELLED' },
    ],
  },
  potato: POTATO.map(([message, code, errorCode]) => ({ message, code, errorCode })),
  potatoEnvelopeFallback: [
    { serverCode: '403', errorCode: 'PERMISSION_DENIED' },
    { serverCode: '203', errorCode: 'NO_DATA' },
    { serverCode: '500', errorCode: 'SERVER_ERROR' },
    { serverCode: '418', errorCode: 'UNKNOWN_SERVER_ERROR' },
  ],
  unknownMessage: { message: '一个未知的错误', errorCode: 'UNKNOWN_SERVER_ERROR' },
};

// ---------------------------------------------------------------------------------------------
// rsa-test-key.json last (it is an input, but written for completeness on first run)

files['rsa-test-key.json'] = KEY;

// ---------------------------------------------------------------------------------------------
// Write or check

let changed = 0;
for (const [name, data] of Object.entries(files)) {
  const text = `${JSON.stringify(data, null, 2)}\n`;
  const file = path.join(OUT, name);
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (before === text) continue;
  changed++;
  if (CHECK) console.error(`would change: spec/vectors/${name}`);
  else {
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(file, text);
    console.log(`wrote spec/vectors/${name}`);
  }
}
if (CHECK && changed > 0) process.exit(1);
if (changed === 0) console.log('vectors up to date');
