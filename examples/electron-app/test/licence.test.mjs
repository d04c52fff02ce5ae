// The Electron example's licence module against the real reference server: login, beats, a
// relogin after the server drops the session, and `lost` when the card is disabled.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { startTestServer } from '@kami-verify/server/testing';
import { createLicence } from '../src/licence.mjs';

let server;
let clockSync;
before(async () => {
  server = await startTestServer();
  // The test server's clock moves only when told; the client checks replies against its own.
  clockSync = setInterval(() => server.clock.set(Date.now()), 50);
});
after(async () => {
  clearInterval(clockSync);
  await server?.close();
});

const licenceFor = () =>
  createLicence({
    baseUrl: server.url,
    appKey: server.app.appKey,
    routes: { login: server.app.routes.login, heartbeat: server.app.routes.heartbeat },
    intervalMs: 200,
    machineCode: 'ELECTRON-TEST-MACHINE',
  });

test('a bad card is refused with a message for the login screen', async () => {
  const licence = licenceFor();
  await assert.rejects(licence.login('0'.repeat(32)), /^Error: \w+: .+/);
});

test('login, beats, relogin after the session is dropped, then lost when the card is disabled', async () => {
  const card = await server.mintCard();
  const licence = licenceFor();
  const ok = await licence.login(card);
  assert.match(String(ok.endTime), /\d/);

  await once(licence, 'beat');
  assert.ok((await server.kickSessions(card)) >= 1);
  await once(licence, 'relogin');
  await once(licence, 'beat');

  await server.disableCard(card);
  const [lost] = await once(licence, 'lost');
  assert.equal(lost.reason, 'rejected');
  assert.ok(lost.code && lost.message, JSON.stringify(lost));
  licence.stop();
});
