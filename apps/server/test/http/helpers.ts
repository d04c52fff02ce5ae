// Test helpers: real HTTP against a running server, requests built with core's client pieces.
import { createHash, randomBytes } from 'node:crypto';
import {
  buildSignText,
  computeSignature,
  createClientCodec,
  createFetchTransport,
  createVerify,
  decodeT3Body,
  encodeForm,
  type FormFields,
  type VerifyClient,
} from '@kami-verify/core';
import type { AppRecord, T3RouteName } from '../../src/domain/types';
import type { TestServer } from '../../src/testing';
import { trackApp } from './validate-replies';

export const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** A core client for any app of the server, on the server's fake clock. */
export function clientFor(
  server: TestServer,
  app: AppRecord = server.app.record,
  extra: Partial<Parameters<typeof createVerify>[0]> = {},
): VerifyClient {
  trackApp(app.routes, app.settings.encoding);
  return createVerify({
    baseUrl: server.url,
    appKey: app.appKey,
    routes: {
      login: app.routes.login,
      heartbeat: app.routes.heartbeat,
      query: app.routes.query,
      unbind: app.routes.unbind,
      notice: app.routes.notice,
      version: app.routes.version,
      checkUpdate: app.routes.check_update,
    },
    encoding: app.settings.encoding,
    md5,
    transport: createFetchTransport(),
    now: server.clock.now,
    maxRetries: 0,
    successCode: app.settings.successCode,
    potato: {
      askKey: app.askKey,
      userNumber: server.potatoUser.userNumber,
      passWord: server.potatoUser.passWord,
    },
    ...extra,
  });
}

export interface T3Options {
  /** `t` to send: default the fake clock's seconds; `null` omits it. */
  t?: number | string | null;
  /** Sign (default), omit `s` (`false`), or send this exact `s`. */
  sign?: boolean | string;
  /** Extra headers (e.g. X-Forwarded-For). */
  headers?: Record<string, string>;
}

export interface T3Result {
  status: number;
  headers: Headers;
  raw: string;
  body: Record<string, unknown>;
  signText: string;
}

/** One T3 call, built like the SDK builds it, with knobs to break it. */
export async function t3(
  server: TestServer,
  app: AppRecord,
  route: T3RouteName,
  params: FormFields,
  options: T3Options = {},
): Promise<T3Result> {
  const codec = createClientCodec(app.settings.encoding);
  const t = options.t === undefined ? Math.floor(server.clock.now() / 1000) : options.t;
  // What signT3Request does, with room to break each step: encode each value once, sign those bytes.
  const fields: Array<[string, string]> = params.map(([k, v]) => [k, codec.encodeValue(v)]);
  if (t !== null) fields.push(['t', codec.encodeValue(String(t))]);
  const signText = buildSignText(fields, app.appKey);
  if (options.sign === undefined || options.sign === true)
    fields.push(['s', codec.encodeValue(computeSignature(md5, signText))]);
  else if (typeof options.sign === 'string') fields.push(['s', options.sign]);
  return postT3(server, app, route, encodeForm(fields), options.headers, signText);
}

export async function postT3(
  server: TestServer,
  app: AppRecord,
  route: T3RouteName,
  body: string,
  headers: Record<string, string> = {},
  signText = '',
): Promise<T3Result> {
  trackApp(app.routes, app.settings.encoding);
  const res = await fetch(`${server.url}/${app.routes[route]}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const raw = await res.text();
  const codec = createClientCodec(app.settings.encoding);
  const body2 = decodeT3Body({ status: res.status, headers: {}, body: raw }, codec);
  return { status: res.status, headers: res.headers, raw, body: body2, signText };
}

export interface PotatoResult {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: envelope data is read loosely in assertions
  body: { code: string; message: string; status: boolean; data: any; pc: null; time: null; sign: null };
}

export async function potato(
  server: TestServer,
  path: 'login' | 'createCardMy' | 'getCardMyList' | string,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): Promise<PotatoResult> {
  const res = await fetch(`${server.url}/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** Logs the test user in and returns the headers for authenticated potato calls. */
export async function potatoAuth(
  server: TestServer,
  app: AppRecord = server.app.record,
): Promise<Record<string, string>> {
  const res = await potato(server, 'login', server.potatoUser, { askKey: app.askKey });
  if (res.body.code !== '200') throw new Error(`potato login failed: ${res.body.message}`);
  return { askKey: app.askKey, apiUserToken: res.body.data.apiUserToken };
}

export const appNamed = (server: TestServer, name: string): AppRecord => {
  const app = server.apps.find((a) => a.name === name);
  if (!app) throw new Error(`no app ${name}`);
  return app;
};

export const randomImei = () => randomBytes(8).toString('hex').toUpperCase();
