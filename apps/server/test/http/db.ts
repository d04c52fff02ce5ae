// Which store a test file runs on. Embedded memory by default; with KAMI_TEST_STORE=postgres
// (and KAMI_TEST_DATABASE_URL, an admin URL) every file gets a fresh PostgreSQL database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_ADMIN_URL = process.env.KAMI_TEST_DATABASE_URL;

export interface TestDatabase {
  db: string;
  drop(): Promise<void>;
}

/** A fresh database on the admin URL's server; drop() removes it (connections included). */
export async function freshPostgres(adminUrl: string): Promise<TestDatabase> {
  const name = `kami_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    db: url.toString(),
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

export async function testDatabase(): Promise<TestDatabase> {
  if (process.env.KAMI_TEST_STORE === 'postgres' && POSTGRES_ADMIN_URL)
    return freshPostgres(POSTGRES_ADMIN_URL);
  return { db: 'memory', drop: async () => {} };
}
