// The same HTTP scenarios on PostgreSQL, when KAMI_TEST_DATABASE_URL (an admin URL) is set.
// Run the whole HTTP suite on PostgreSQL with KAMI_TEST_STORE=postgres as well.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { freshPostgres, POSTGRES_ADMIN_URL, type TestDatabase } from './db';
import {
  createAndUseCards,
  loginAndHeartbeat,
  parallelCountCard,
  parallelCreation,
  parallelFirstLogins,
} from './scenarios';

describe.skipIf(!POSTGRES_ADMIN_URL)('PostgreSQL store over HTTP', () => {
  let server: TestServer;
  let store: TestDatabase;

  beforeAll(async () => {
    store = await freshPostgres(POSTGRES_ADMIN_URL!);
    server = await startTestServer({ db: store.db });
  });

  afterAll(async () => {
    await server?.close();
    await store?.drop();
  });

  it('login, heartbeat and expiry', () => loginAndHeartbeat(server));
  it('createCardMy, getCardMyList, and a created card logs in', () => createAndUseCards(server));
  it('100 parallel first logins bind exactly one', () => parallelFirstLogins(server, 100));
  it('a count card with N uses under 4N parallel logins succeeds exactly N times', () =>
    parallelCountCard(server, 10));
  it('parallel card creation yields unique ids and keys', () => parallelCreation(server));

  it('survives a restart: cards and apps persist in the database', async () => {
    const card = await server.mintCard();
    const appKey = server.app.appKey;
    await server.close();
    server = await startTestServer({ db: store.db });
    expect(server.app.appKey).toBe(appKey);
    expect((await server.getCard(card))?.cardStr).toBe(card);
  });
});
