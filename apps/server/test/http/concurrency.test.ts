// Races over HTTP: the domain's atomic binding and use counting, seen from the wire.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { parallelCountCard, parallelCreation, parallelFirstLogins } from './scenarios';

let server: TestServer;
let store: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({ db: store.db });
});

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

describe('concurrency', () => {
  it('100 parallel first logins with distinct imei bind exactly one', () => parallelFirstLogins(server, 100));
  it('a count card with N uses under 4N parallel logins succeeds exactly N times', () =>
    parallelCountCard(server, 10));
  it('parallel card creation yields unique ids and keys', () => parallelCreation(server));
});
