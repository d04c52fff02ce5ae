// The public testing API (`@kami-verify/server/testing`) as a user's test would use it.
import { createFetchTransport, createVerify, KamiApiError } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock, startTestServer, type TestServer } from '../../src/testing';
import { md5 } from './helpers';
import { trackApp } from './validate-replies';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ settings: { statecodeValiditySeconds: 3 * 86_400 }, encoding: 'rsa' });
  trackApp(server.app.routes, server.app.encoding);
});

afterAll(async () => {
  await server?.close();
});

const client = () => createVerify({ ...server.clientOptions, md5, transport: createFetchTransport() });

describe('startTestServer', () => {
  it('hands out everything a client needs, with a generated RSA key', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.app.encoding.mode).toBe('rsa');
    expect(server.clientOptions.routes.checkUpdate).toBe(server.app.routes.check_update);
    expect(server.app.appKey).toMatch(/\S{16,}/);
  });

  it('"the licence expires mid-session" is one clock.advance()', async () => {
    const card = await server.mintCard({ type: 0 });
    const session = await client().login(card, 'DEVICE-1');
    server.clock.advance({ days: 1, seconds: 1 });
    const error = await client()
      .heartbeat(session.statecode)
      .catch((e: unknown) => e);
    expect(KamiApiError.isInstance(error) && error.code).toBe('CARD_EXPIRED');
  });

  it('mintCard options: uses, permanent, imei (pre-bound), disabled', async () => {
    const count = await server.mintCard({ uses: 1 });
    await client().login(count, 'X');
    await expect(client().login(count, 'X')).rejects.toMatchObject({ code: 'CARD_USES_EXHAUSTED' });

    const permanent = await server.mintCard({ type: 5 });
    expect((await client().login(permanent, 'P')).amount).toBe('永久卡');

    const bound = await server.mintCard({ imei: 'OWNER' });
    expect((await server.getCard(bound))?.imei).toBe('OWNER');
    await expect(client().login(bound, 'THIEF')).rejects.toMatchObject({ code: 'DEVICE_MISMATCH' });

    const disabled = await server.mintCard({ disabled: true });
    await expect(client().login(disabled, 'D')).rejects.toMatchObject({ code: 'CARD_DISABLED' });
  });

  it('disable / enable / delete / kick', async () => {
    const card = await server.mintCard();
    const session = await client().login(card, 'K');
    await server.kickSessions(card);
    await expect(client().heartbeat(session.statecode)).rejects.toMatchObject({
      code: 'STATECODE_NOT_FOUND',
    });
    await server.disableCard(card);
    await expect(client().login(card, 'K')).rejects.toMatchObject({ code: 'CARD_DISABLED' });
    await server.enableCard(card);
    await expect(client().login(card, 'K')).resolves.toBeTruthy();
    await server.deleteCard(card);
    await expect(client().login(card, 'K')).rejects.toMatchObject({ code: 'CARD_NOT_FOUND' });
    await expect(server.deleteCard('NO-SUCH-CARD')).rejects.toThrow(/no such card/);
  });

  it('potato credentials work through the SDK', async () => {
    const cards = await client().createCardMy({ type: 1, total: 3 });
    expect(cards).toHaveLength(3);
  });
});

describe('createFakeClock', () => {
  it('advances by ms or durations, and can be set', () => {
    const clock = createFakeClock(1_000);
    expect(clock.advance(500)).toBe(1_500);
    expect(clock.advance({ minutes: 1, seconds: 1 })).toBe(62_500);
    clock.set(5);
    expect(clock.now()).toBe(5);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
