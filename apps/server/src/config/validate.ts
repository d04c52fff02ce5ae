// Validation of a declarative config. Every problem is reported with its JSON path and a reason,
// all at once, so an operator fixes a config file in one pass instead of one error per start.
import { parseRsaPublicKey, validateAlphabet } from '@kami-verify/core';
import { createServerCodec } from '@kami-verify/core/server';
import { T3_ROUTE_NAMES } from '../domain/types';
import type { ServerConfig } from './types';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly problems: string[],
    source?: string,
  ) {
    super(`invalid config${source ? ` ${source}` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Obj = Record<string, unknown>;

const ROUTE_CODE = /^[0-9A-F]{16}$/;
const CARD_STR = /^[0-9A-Za-z_-]{4,64}$/;

class Checker {
  readonly problems: string[] = [];

  fail(path: string, reason: string): void {
    this.problems.push(`${path}: ${reason}`);
  }

  object(path: string, value: unknown, allowed: readonly string[]): value is Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, 'must be an object');
      return false;
    }
    // Unknown keys are errors: a typo ("signatureChek") would otherwise silently keep a default.
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key))
        this.fail(`${path}.${key}`, `unknown key (expected one of: ${allowed.join(', ')})`);
    }
    return true;
  }

  string(
    path: string,
    value: unknown,
    opts: { optional?: boolean; nonEmpty?: boolean; pattern?: RegExp; hint?: string } = {},
  ) {
    if (value === undefined && opts.optional) return;
    if (typeof value !== 'string') return this.fail(path, 'must be a string');
    if (opts.nonEmpty && value.length === 0) return this.fail(path, 'must not be empty');
    if (opts.pattern && !opts.pattern.test(value))
      this.fail(path, `must be ${opts.hint ?? `like ${opts.pattern}`}`);
  }

  boolean(path: string, value: unknown, optional = true) {
    if (value === undefined && optional) return;
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
  }

  integer(path: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER, optional = true) {
    if (value === undefined && optional) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `must be an integer from ${min} to ${max}`);
    }
  }

  oneOf(path: string, value: unknown, options: readonly unknown[], optional = true) {
    if (value === undefined && optional) return;
    if (!options.includes(value))
      this.fail(path, `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}`);
  }
}

const SETTINGS_KEYS = [
  'enabled',
  'endpoints',
  'machineCodeCheck',
  'forbidEmptyDevice',
  'timestampCheck',
  'signatureCheck',
  'codeType',
  'successCode',
  'encoding',
  'statecodeValiditySeconds',
  'ipBinding',
  'unbindLimit',
  'apiCardCreation',
  'potatoSign',
  'potatoSignSecret',
  'potatoSignWindowMs',
  'notice',
  'version',
  'update',
  'core',
] as const;

function checkEncoding(c: Checker, path: string, enc: unknown) {
  if (!c.object(path, enc, ['mode', 'alphabet', 'publicKey', 'privateKey'])) return;
  c.oneOf(`${path}.mode`, enc.mode, ['plain', 'base64', 'rsa'], false);
  if (enc.mode === 'base64') {
    try {
      validateAlphabet(String(enc.alphabet ?? ''));
    } catch (error) {
      c.fail(`${path}.alphabet`, (error as Error).message);
    }
  }
  if (enc.mode === 'rsa') {
    if (typeof enc.publicKey !== 'string')
      c.fail(`${path}.publicKey`, 'must be a PEM or base64 DER public key');
    if (typeof enc.privateKey !== 'string')
      c.fail(`${path}.privateKey`, 'the server needs the private key (PEM)');
    if (typeof enc.publicKey === 'string' && typeof enc.privateKey === 'string') {
      try {
        const pub = parseRsaPublicKey(enc.publicKey);
        createServerCodec({ mode: 'rsa', publicKey: enc.publicKey, privateKey: enc.privateKey });
        if (pub.n.toString(2).length < 512) c.fail(`${path}.publicKey`, 'key is too small');
      } catch (error) {
        c.fail(path, `unreadable RSA key: ${(error as Error).message}`);
      }
    }
  }
}

function checkSettings(c: Checker, path: string, s: unknown) {
  if (!c.object(path, s, SETTINGS_KEYS)) return;
  c.boolean(`${path}.enabled`, s.enabled);
  if (s.endpoints !== undefined && c.object(`${path}.endpoints`, s.endpoints, T3_ROUTE_NAMES)) {
    for (const [k, v] of Object.entries(s.endpoints)) c.boolean(`${path}.endpoints.${k}`, v);
  }
  c.boolean(`${path}.machineCodeCheck`, s.machineCodeCheck);
  c.boolean(`${path}.forbidEmptyDevice`, s.forbidEmptyDevice);
  if (
    s.timestampCheck !== undefined &&
    c.object(`${path}.timestampCheck`, s.timestampCheck, ['enabled', 'windowSeconds'])
  ) {
    c.boolean(`${path}.timestampCheck.enabled`, s.timestampCheck.enabled);
    c.integer(`${path}.timestampCheck.windowSeconds`, s.timestampCheck.windowSeconds, 1, 86_400);
  }
  c.oneOf(`${path}.signatureCheck`, s.signatureCheck, ['off', 'on', 'two-way']);
  c.oneOf(`${path}.codeType`, s.codeType, ['string', 'int']);
  c.integer(`${path}.successCode`, s.successCode, 0, 99_999);
  if (s.encoding !== undefined) checkEncoding(c, `${path}.encoding`, s.encoding);
  c.integer(`${path}.statecodeValiditySeconds`, s.statecodeValiditySeconds, 1);
  c.oneOf(`${path}.ipBinding`, s.ipBinding, ['off', 'exact']);
  c.integer(`${path}.unbindLimit`, s.unbindLimit, 0);
  c.boolean(`${path}.apiCardCreation`, s.apiCardCreation);
  c.boolean(`${path}.potatoSign`, s.potatoSign);
  c.string(`${path}.potatoSignSecret`, s.potatoSignSecret, { optional: true, nonEmpty: true });
  if (s.potatoSign === true && typeof s.potatoSignSecret !== 'string') {
    c.fail(`${path}.potatoSignSecret`, 'is required when potatoSign is true');
  }
  c.integer(`${path}.potatoSignWindowMs`, s.potatoSignWindowMs, 1);
  c.string(`${path}.notice`, s.notice, { optional: true });
  c.string(`${path}.version`, s.version, { optional: true });
  if (s.update !== undefined && c.object(`${path}.update`, s.update, ['version', 'uplog', 'upurl'])) {
    for (const k of ['version', 'uplog', 'upurl'] as const)
      c.string(`${path}.update.${k}`, s.update[k], { optional: true });
  }
  c.string(`${path}.core`, s.core, { optional: true, pattern: /^([0-9a-fA-F]{2})*$/, hint: 'hex text' });
}

function checkCard(c: Checker, path: string, card: unknown) {
  if (!c.object(path, card, ['cardStr', 'card', 'core', 'disabled', 'imei'])) return;
  c.string(`${path}.cardStr`, card.cardStr, { pattern: CARD_STR, hint: '4–64 letters, digits, - or _' });
  c.string(`${path}.core`, card.core, { optional: true, pattern: /^([0-9a-fA-F]{2})*$/, hint: 'hex text' });
  c.boolean(`${path}.disabled`, card.disabled);
  c.string(`${path}.imei`, card.imei, { optional: true, nonEmpty: true });
  if (typeof card.imei === 'string' && card.imei.includes("'")) c.fail(`${path}.imei`, "must not contain '");
  const kind = card.card;
  if (!c.object(`${path}.card`, kind, ['kind', 'type', 'uses'])) return;
  c.oneOf(`${path}.card.kind`, kind.kind, ['time', 'permanent', 'count'], false);
  if (kind.kind === 'time') c.integer(`${path}.card.type`, kind.type, 0, 4, false);
  if (kind.kind === 'count') c.integer(`${path}.card.uses`, kind.uses, 1, 1_000_000, false);
}

function checkApp(c: Checker, path: string, app: unknown) {
  if (!c.object(path, app, ['name', 'appKey', 'askKey', 'routes', 'settings', 'potatoUsers', 'cards']))
    return;
  c.string(`${path}.name`, app.name, { nonEmpty: true });
  c.string(`${path}.appKey`, app.appKey, { optional: true, nonEmpty: true });
  c.string(`${path}.askKey`, app.askKey, { optional: true, nonEmpty: true });
  if (app.routes !== undefined && c.object(`${path}.routes`, app.routes, T3_ROUTE_NAMES)) {
    for (const [k, v] of Object.entries(app.routes)) {
      c.string(`${path}.routes.${k}`, v, { pattern: ROUTE_CODE, hint: '16 uppercase hex characters' });
    }
  }
  if (app.settings !== undefined) checkSettings(c, `${path}.settings`, app.settings);
  if (app.potatoUsers !== undefined) {
    if (!Array.isArray(app.potatoUsers)) c.fail(`${path}.potatoUsers`, 'must be an array');
    else
      app.potatoUsers.forEach((u, i) => {
        const p = `${path}.potatoUsers[${i}]`;
        if (!c.object(p, u, ['userNumber', 'passWord'])) return;
        c.string(`${p}.userNumber`, u.userNumber, { nonEmpty: true });
        c.string(`${p}.passWord`, u.passWord, { nonEmpty: true });
      });
  }
  if (app.cards !== undefined) {
    if (!Array.isArray(app.cards)) c.fail(`${path}.cards`, 'must be an array');
    else
      app.cards.forEach((card, i) => {
        checkCard(c, `${path}.cards[${i}]`, card);
      });
  }
}

function checkServer(c: Checker, s: unknown) {
  if (
    !c.object('server', s, [
      'cors',
      'throttle',
      'bodyLimit',
      'trustProxy',
      't3ErrorCode',
      'userTokenTtlSeconds',
    ])
  )
    return;
  if (s.cors !== undefined && c.object('server.cors', s.cors, ['origins'])) {
    const origins = s.cors.origins;
    if (!Array.isArray(origins)) c.fail('server.cors.origins', 'must be an array of origins');
    else
      origins.forEach((o, i) => {
        c.string(`server.cors.origins[${i}]`, o, {
          pattern: /^(\*|https?:\/\/[^/\s]+)$/,
          hint: '"*" or an origin like "https://example.com" (no path)',
        });
      });
  }
  if (s.throttle !== undefined && s.throttle !== false) {
    if (c.object('server.throttle', s.throttle, ['maxFailures', 'windowSeconds'])) {
      c.integer('server.throttle.maxFailures', s.throttle.maxFailures, 1);
      c.integer('server.throttle.windowSeconds', s.throttle.windowSeconds, 1, 86_400);
    }
  }
  c.integer('server.bodyLimit', s.bodyLimit, 1024, 16 * 1024 * 1024);
  if (s.trustProxy !== undefined && !['boolean', 'number', 'string'].includes(typeof s.trustProxy)) {
    c.fail('server.trustProxy', 'must be a boolean, a hop count or an address list');
  }
  c.integer('server.t3ErrorCode', s.t3ErrorCode, 0, 99_999);
  c.integer('server.userTokenTtlSeconds', s.userTokenTtlSeconds, 1);
}

/** Checks a parsed config and returns it typed; throws {@link ConfigError} listing every problem. */
export function validateServerConfig(input: unknown, source?: string): ServerConfig {
  const c = new Checker();
  if (!c.object('$', input, ['$schema', 'apps', 'server'])) throw new ConfigError(c.problems, source);
  if (!Array.isArray(input.apps)) c.fail('apps', 'must be an array of app definitions');
  else {
    input.apps.forEach((app, i) => {
      checkApp(c, `apps[${i}]`, app);
    });
    checkUniqueness(c, input.apps as Obj[]);
  }
  if (input.server !== undefined) checkServer(c, input.server);
  checkErrorCode(c, input);
  if (c.problems.length > 0) throw new ConfigError(c.problems, source);
  return input as unknown as ServerConfig;
}

/** An error reply must never read as success: the T3 error code differs from every success code. */
function checkErrorCode(c: Checker, input: Obj) {
  const server = input.server as Obj | undefined;
  const errorCode = typeof server?.t3ErrorCode === 'number' ? server.t3ErrorCode : 201;
  if (!Array.isArray(input.apps)) return;
  input.apps.forEach((app: unknown, i) => {
    const success = (app as { settings?: { successCode?: unknown } })?.settings?.successCode ?? 200;
    if (success === errorCode)
      c.fail(`apps[${i}].settings.successCode`, `must differ from the T3 error code ${errorCode}`);
  });
}

/** Names, 调用码 and askKeys identify apps, so two apps must never share one. */
function checkUniqueness(c: Checker, apps: Obj[]) {
  const seen = new Map<string, string>();
  const claim = (kind: string, value: unknown, path: string) => {
    if (typeof value !== 'string') return;
    const key = `${kind}:${value}`;
    const first = seen.get(key);
    if (first) c.fail(path, `duplicate ${kind} (also used at ${first})`);
    else seen.set(key, path);
  };
  apps.forEach((app, i) => {
    if (typeof app !== 'object' || app === null) return;
    claim('name', app.name, `apps[${i}].name`);
    claim('askKey', app.askKey, `apps[${i}].askKey`);
    if (typeof app.routes === 'object' && app.routes !== null) {
      for (const [k, v] of Object.entries(app.routes)) claim('route code', v, `apps[${i}].routes.${k}`);
    }
  });
}
