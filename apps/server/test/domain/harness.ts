// Shared set-up for domain and store tests: every suite runs on PGlite (memory) and on a real
// PostgreSQL. The PostgreSQL admin URL comes from KAMI_TEST_DATABASE_URL; each test file creates
// its own randomly named database and drops it afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { createKamiService, type KamiServiceHandle } from '../../src/domain/index';
import type { AppConfig, AppRecord, DatabaseSpec } from '../../src/domain/types';
import { createFakeClock, type FakeClock } from '../../src/testing';

export const ADMIN_URL = process.env.KAMI_TEST_DATABASE_URL;
/** Appended to PostgreSQL-only suite titles so a skip says why. */
export const PG_SKIP_NOTE = ADMIN_URL ? '' : ' — skipped: KAMI_TEST_DATABASE_URL is not set';

/** The domain suites' clock: the testing API's fake clock, starting on the seed's day. */
export const newClock = (ms: number = Date.UTC(2026, 2, 11, 4, 0, 0)): FakeClock => createFakeClock(ms);
export type { FakeClock };

export function withDatabase(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kami_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface Engine {
  readonly name: 'pglite' | 'postgres';
  /** A spec for a database this engine's tests may share (apps keep tests apart). */
  spec(): DatabaseSpec;
  /** A fresh service with one uniquely named app; closed after the test. */
  start(opts?: {
    app?: Partial<AppConfig>;
    clock?: FakeClock;
    apps?: AppConfig[];
    userTokenTtlSeconds?: number;
  }): Promise<{ service: KamiServiceHandle; app: AppRecord; clock: FakeClock }>;
}

/**
 * Declares `body` once per engine. On PostgreSQL without KAMI_TEST_DATABASE_URL the suite is
 * skipped visibly (CI always sets it).
 */
export function describeEngines(title: string, body: (engine: Engine) => void): void {
  for (const name of ['pglite', 'postgres'] as const) {
    if (name === 'postgres' && !ADMIN_URL) {
      describe.skip(`${title} [postgres] — skipped: KAMI_TEST_DATABASE_URL is not set`, () => {
        body(makeEngine(name, () => ({ kind: 'memory' })));
      });
      continue;
    }
    describe(`${title} [${name}]`, () => {
      let db: { url: string; drop(): Promise<void> } | undefined;
      if (name === 'postgres') {
        beforeAll(async () => {
          db = await createTestDatabase(ADMIN_URL as string);
        });
        afterAll(async () => {
          await db?.drop();
        });
      }
      body(
        makeEngine(name, () =>
          name === 'postgres' ? { kind: 'postgres', url: (db as { url: string }).url } : { kind: 'memory' },
        ),
      );
    });
  }
}

function makeEngine(name: Engine['name'], spec: () => DatabaseSpec): Engine {
  const open: KamiServiceHandle[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return {
    name,
    spec,
    async start(opts = {}) {
      const clock = opts.clock ?? newClock();
      const appConfig: AppConfig = { name: `app-${randomBytes(6).toString('hex')}`, ...opts.app };
      const service = await createKamiService({
        db: spec(),
        clock,
        apps: opts.apps ?? [appConfig],
        ...(opts.userTokenTtlSeconds ? { userTokenTtlSeconds: opts.userTokenTtlSeconds } : {}),
      });
      open.push(service);
      const app = service.listApps()[0];
      if (!app) throw new Error('service started without apps');
      return { service, app, clock };
    },
  };
}
