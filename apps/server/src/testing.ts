// `@kami-verify/server/testing`: a real server for a user's own tests — memory store, free port,
// and a clock the test moves, so "the licence expires mid-session" is one `clock.advance()`.
import { generateKeyPairSync, randomInt } from 'node:crypto';
import type { EncodingOptions } from '@kami-verify/core';
import type { ServerSection } from './config/types';
import type {
  AppConfig,
  AppRecord,
  AppSettings,
  CardKind,
  CardRecord,
  Clock,
  DatabaseSpec,
  KamiService,
  T3RouteName,
} from './domain/types';
import type { LogSink } from './http/request-log';
import { startServer } from './http/start-server';
import { T3_ROUTE_NAMES } from './schema/settings';

export type Duration = number | { seconds?: number; minutes?: number; hours?: number; days?: number };

export interface FakeClock extends Clock {
  now(): number;
  /** Moves time forward (ms or a duration object) and returns the new time. */
  advance(by: Duration): number;
  /** Jumps to an absolute time (ms since the epoch). */
  set(ms: number): void;
}

function durationMs(by: Duration): number {
  const ms =
    typeof by === 'number'
      ? by
      : ((by.days ?? 0) * 86_400 + (by.hours ?? 0) * 3_600 + (by.minutes ?? 0) * 60 + (by.seconds ?? 0)) *
        1000;
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance() takes a non-negative duration');
  return ms;
}

export function createFakeClock(startMs: number = Date.now()): FakeClock {
  let current = startMs;
  return {
    now: () => current,
    advance(by) {
      current += durationMs(by);
      return current;
    },
    set(ms) {
      current = ms;
    },
  };
}

/**
 * A clock that follows real time plus an offset that `advance` / `set` move: for tests whose
 * clients check the reply's `time` against their own clock (every SDK does, within 5 s).
 */
export function createRealTimeClock(): FakeClock {
  let offset = 0;
  const now = () => Date.now() + offset;
  return {
    now,
    advance(by) {
      offset += durationMs(by);
      return now();
    },
    set(ms) {
      offset = ms - Date.now();
    },
  };
}

export interface TestServerOptions {
  /** TCP port. Default: a free one (0). */
  port?: number;
  /** The server's clock. Default: a fake clock frozen at `startTime` until moved. */
  clock?: FakeClock;
  /** Settings of the test app (the defaults otherwise). */
  settings?: AppConfig['settings'];
  /** Value encoding of the test app: full options, or a mode name to generate an alphabet / RSA key. */
  encoding?: EncodingOptions | 'plain' | 'base64' | 'rsa';
  /** More apps, next to the test app. */
  apps?: AppConfig[];
  /** Default: memory. */
  db?: DatabaseSpec | string;
  /** Server section (CORS, throttle...). The failed-login throttle is off unless set here. */
  server?: ServerSection;
  /** Start of the fake clock, ms. Default: now. */
  startTime?: number;
  /** Request log; default none. */
  logger?: false | LogSink;
}

export interface TestApp {
  id: string;
  name: string;
  appKey: string;
  askKey: string;
  routes: Record<T3RouteName, string>;
  /** Includes the RSA public key a client needs (and the private key the server uses). */
  encoding: EncodingOptions;
  settings: AppSettings;
  record: AppRecord;
}

export interface MintCardOptions {
  /** potatocloud type: 0 天卡, 1 周卡, 2 月卡, 3 季卡, 4 年卡, 5 永久卡. Default 0. */
  type?: 0 | 1 | 2 | 3 | 4 | 5;
  /** A count card with this many uses (instead of `type`). */
  uses?: number;
  /** Bind to this machine code by logging in once (this activates the card, and uses one use of a count card). */
  imei?: string;
  disabled?: boolean;
  cardStr?: string;
  core?: string;
}

export interface TestServer {
  url: string;
  app: TestApp;
  /** Every app of the server, the test app first. */
  apps: AppRecord[];
  potatoUser: { userNumber: string; passWord: string };
  clock: FakeClock;
  service: KamiService;
  /** Spread into core's `createVerify({ ...server.clientOptions, md5, transport })`. */
  clientOptions: {
    baseUrl: string;
    appKey: string;
    /** Every route code, keyed as core's client keys them (check_update → checkUpdate). */
    routes: Record<string, string>;
    encoding: EncodingOptions;
    potato: { askKey: string; userNumber: string; passWord: string; signSecret?: string };
    now: () => number;
  };
  /** Creates a card and returns its key. */
  mintCard(options?: MintCardOptions): Promise<string>;
  disableCard(cardStr: string): Promise<void>;
  enableCard(cardStr: string): Promise<void>;
  deleteCard(cardStr: string): Promise<void>;
  /** Ends the card's sessions: their statecodes then get 状态码不存在. */
  kickSessions(cardStr: string): Promise<number>;
  getCard(cardStr: string): Promise<CardRecord | undefined>;
  close(): Promise<void>;
}

export const TEST_APP_NAME = 'test-app';
const TEST_USER = { userNumber: 'tester', passWord: 'test-password' } as const;

// Any permutation of the 64 standard characters is a valid app alphabet.
const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomAlphabet(): string {
  const chars = [...BASE64_CHARS];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

function resolveEncoding(encoding: TestServerOptions['encoding']): EncodingOptions | undefined {
  if (encoding === undefined) return undefined;
  if (encoding === 'plain') return { mode: 'plain' };
  if (encoding === 'base64') return { mode: 'base64', alphabet: randomAlphabet() };
  if (encoding === 'rsa') {
    // 1024-bit: the size the hosted service's 117-byte chunks assume.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    return { mode: 'rsa', publicKey, privateKey };
  }
  return encoding;
}

function cardKind(options: MintCardOptions): CardKind {
  if (options.uses !== undefined) return { kind: 'count', uses: options.uses };
  const type = options.type ?? 0;
  if (type === 5) return { kind: 'permanent' };
  return { kind: 'time', type };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const clock = options.clock ?? createFakeClock(options.startTime);
  const encoding = resolveEncoding(options.encoding);
  const testApp: AppConfig = {
    name: TEST_APP_NAME,
    potatoUsers: [{ ...TEST_USER }],
    settings: { ...(options.settings ?? {}), ...(encoding ? { encoding } : {}) },
  };
  const running = await startServer({
    port: options.port ?? 0,
    host: '127.0.0.1',
    db: options.db ?? 'memory',
    config: {
      apps: [testApp, ...(options.apps ?? [])],
      server: { throttle: false, ...(options.server ?? {}) },
    },
    clock,
    logger: options.logger ?? false,
    quiet: true,
  });
  const record = running.apps.find((a) => a.name === TEST_APP_NAME)!;
  const app: TestApp = {
    id: record.id,
    name: record.name,
    appKey: record.appKey,
    askKey: record.askKey,
    routes: record.routes,
    encoding: record.settings.encoding,
    settings: record.settings,
    record,
  };
  const signSecret = record.settings.potatoSign ? record.settings.potatoSignSecret : undefined;
  const service = running.service;
  const must = async (what: string, done: Promise<boolean>) => {
    if (!(await done)) throw new Error(`${what}: no such card`);
  };

  return {
    url: running.url,
    app,
    apps: [record, ...running.apps.filter((a) => a !== record)],
    potatoUser: { ...TEST_USER },
    clock,
    service,
    clientOptions: {
      baseUrl: running.url,
      appKey: record.appKey,
      routes: Object.fromEntries(
        T3_ROUTE_NAMES.map((r) => [
          r.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
          record.routes[r],
        ]),
      ),
      encoding: record.settings.encoding,
      potato: { askKey: record.askKey, ...TEST_USER, ...(signSecret ? { signSecret } : {}) },
      now: clock.now,
    },
    async mintCard(mint = {}) {
      const card = await service.mintCard({
        app: record,
        card: cardKind(mint),
        ...(mint.cardStr !== undefined ? { cardStr: mint.cardStr } : {}),
        ...(mint.core !== undefined ? { core: mint.core } : {}),
      });
      if (mint.imei !== undefined) {
        const bound = await service.login({
          app: record,
          kami: card.cardStr,
          imei: mint.imei,
          ip: '127.0.0.1',
        });
        if (!bound.ok) throw new Error(`mintCard: binding ${mint.imei} failed: ${bound.error}`);
      }
      if (mint.disabled)
        await service.setCardDisabled({ app: record, cardStr: card.cardStr, disabled: true });
      return card.cardStr;
    },
    disableCard: (cardStr) =>
      must('disableCard', service.setCardDisabled({ app: record, cardStr, disabled: true })),
    enableCard: (cardStr) =>
      must('enableCard', service.setCardDisabled({ app: record, cardStr, disabled: false })),
    deleteCard: (cardStr) => must('deleteCard', service.deleteCard({ app: record, cardStr })),
    kickSessions: (cardStr) => service.kickSessions({ app: record, cardStr }),
    getCard: (cardStr) => service.getCard({ app: record, cardStr }),
    close: running.close,
  };
}
