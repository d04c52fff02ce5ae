import { startTestServer } from '@kami-verify/server/testing';
import { describe, expect, it } from 'vitest';
import { KamiApiError } from '../../src/index';
import { clientFor, followRealTime, onCleanup, sharedTestServer, waitFor } from './helpers';

async function server(settings: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(settings);
  onCleanup(() => s.close());
  return s;
}

const shared = sharedTestServer();

describe('a session against the reference server', () => {
  it('heartbeats keep a short-lived statecode alive across many renewals', async () => {
    const s = await server({ settings: { statecodeValiditySeconds: 1 } });
    const clock = followRealTime(s.clock);
    const client = clientFor(s);
    const session = await client.login(await s.mintCard(), 'M');
    const hb = session.startHeartbeat({ validitySeconds: 1, intervalMs: 300 });
    const errors: string[] = [];
    hb.on('error', (e) => errors.push(e.code));
    // 5 beats ≈ 1.5 s: past the 1 s validity, so only renewals can explain success.
    await waitFor<void>((done) => hb.on('beat', (_r, info) => info.count === 5 && done()));
    expect(errors).toEqual([]);
    expect(hb.state).toBe('running');
    await hb.stop();

    // Without beats the server drops it.
    clock.shift(2_000);
    await expect(session.heartbeat()).rejects.toMatchObject({ code: 'STATECODE_NOT_FOUND' });
  });

  it('reports `lost` with CARD_EXPIRED when the card runs out mid-session', async () => {
    // A statecode that outlives the card, so the card's end is what the server reports.
    const s = await server({ settings: { statecodeValiditySeconds: 3 * 86_400 } });
    const clock = followRealTime(s.clock);
    const session = await clientFor(s).login(await s.mintCard({ type: 0 }), 'M');
    const hb = session.startHeartbeat({ intervalMs: 200, validitySeconds: 60 });
    await waitFor<void>((done) => hb.once('beat', () => done()));
    clock.shift(86_400_000 + 1_000);
    const [error, info] = await waitFor<[KamiApiError, unknown]>((done) =>
      hb.on('lost', (e, i) => done([e as KamiApiError, i])),
    );
    expect(error.code).toBe('CARD_EXPIRED');
    expect(error.serverMessage).toBe('卡密已到期');
    expect(info).toEqual({ reason: 'rejected' });
    expect(await hb.stopped).toMatchObject({ reason: 'lost', lostReason: 'rejected' });
  });

  it('reports `lost` when the card is disabled mid-session', async () => {
    const s = shared();
    const card = await s.mintCard();
    const hb = (await clientFor(s).login(card, 'M')).startHeartbeat({ intervalMs: 200, validitySeconds: 60 });
    await waitFor<void>((done) => hb.once('beat', () => done()));
    await s.disableCard(card);
    const end = await hb.stopped;
    expect(end).toMatchObject({ reason: 'lost', lostReason: 'rejected', error: { code: 'CARD_DISABLED' } });
  });

  it('refuses a card bound to another machine (DEVICE_MISMATCH)', async () => {
    const s = shared();
    const card = await s.mintCard({ imei: 'FIRST-PC' });
    const error = await clientFor(s)
      .login(card, 'SECOND-PC')
      .catch((e: unknown) => e);
    expect(KamiApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'DEVICE_MISMATCH', serverMessage: '请在原设备登录' });
    await expect(clientFor(s).login(card, 'FIRST-PC')).resolves.toMatchObject({ machineCode: 'FIRST-PC' });
  });

  it('relogin: true recovers from kicked sessions while the card is valid', async () => {
    const s = shared();
    const card = await s.mintCard();
    const session = await clientFor(s).login(card, 'M');
    const first = session.statecode;
    const hb = session.startHeartbeat({ intervalMs: 200, validitySeconds: 60, relogin: true });
    await waitFor<void>((done) => hb.once('beat', () => done()));
    await s.kickSessions(card);
    const login = await waitFor<{ statecode: string }>((done) => hb.once('relogin', done));
    // (Within the same second the new statecode may equal the old one: md5(token + time).)
    const beat = await waitFor<{ statecode: string }>((done) => hb.once('beat', (_r, info) => done(info)));
    expect(beat.statecode).toBe(login.statecode);
    expect(session.statecode).toBe(login.statecode);
    expect(first).toMatch(/^[0-9a-f]{32}$/i);
    await hb.stop();
  });

  it('relogin ends in `lost` when the card was deleted', async () => {
    const s = shared();
    const card = await s.mintCard();
    const hb = (await clientFor(s).login(card, 'M')).startHeartbeat({
      intervalMs: 200,
      validitySeconds: 60,
      relogin: true,
    });
    await waitFor<void>((done) => hb.once('beat', () => done()));
    await s.kickSessions(card);
    await s.deleteCard(card);
    const end = await hb.stopped;
    // 状态码不存在 → relogin → 卡密不存在: the login's refusal is what ends the session.
    expect(end).toMatchObject({ reason: 'lost', lostReason: 'rejected', error: { code: 'CARD_NOT_FOUND' } });
  });
});
