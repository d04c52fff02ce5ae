// cloud_doc on both engines: a session is found by the login token it was opened with (only a
// sha-256 of the token is stored), and the token opens the document exactly while its session
// lives and its card or account stays usable.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKamiService, type KamiServiceHandle } from '../../src/domain/index';
import type { AppRecord } from '../../src/domain/types';
import { describeEngines, newClock } from './harness';

const DOC = '云文档：第一章\n正文';
const INVALID = { ok: false, error: 'TOKEN_INVALID' };
const OPEN = { ok: true, value: DOC };
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function cardLogin(service: KamiServiceHandle, app: AppRecord, kami: string, imei = 'DEV') {
  const r = await service.login({ app, kami, imei, ip: '' });
  if (!r.ok) throw new Error(r.error);
  return r.body;
}

async function account(service: KamiServiceHandle, app: AppRecord, user: string) {
  expect(await service.registerUser({ app, user, pass: 'secret-1', email: '', ip: '' })).toEqual({
    ok: true,
  });
  const card = await service.mintCard({ app, card: { kind: 'time', type: 2 } });
  expect(await service.recharge({ app, user, card: card.cardStr })).toEqual({ ok: true });
  const login = async () => {
    const r = await service.userLogin({ app, user, pass: 'secret-1', imei: 'DEV', ip: '' });
    if (!r.ok) throw new Error(r.error);
    return r.body;
  };
  return { login };
}

describeEngines('cloud_doc', (engine) => {
  const start = (settings: Record<string, unknown> = {}) =>
    engine.start({ app: { settings: { cloudDoc: DOC, statecodeValiditySeconds: 60, ...settings } } });

  it('a card login token opens the document; the statecode, an unknown token and another app do not', async () => {
    const { service, app } = await start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const body = await cardLogin(service, app, card.cardStr);
    expect(await service.cloudDoc({ app, token: body.token })).toEqual(OPEN);
    expect(await service.cloudDoc({ app, token: body.statecode })).toEqual(INVALID);
    expect(await service.cloudDoc({ app, token: 'f'.repeat(32) })).toEqual(INVALID);
    expect(await service.cloudDoc({ app, token: body.token.toUpperCase() })).toEqual(INVALID);
    const other = await start();
    expect(await other.service.cloudDoc({ app: other.app, token: body.token })).toEqual(INVALID);
  });

  it('stores a sha-256 of the token, never the token', async () => {
    const { service, app } = await start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const body = await cardLogin(service, app, card.cardStr);
    const users = await account(service, app, 'hash-user');
    const userBody = await users.login();
    // The embedded store writes a session with no card change behind; the lookup itself proves it is kept.
    expect(await service.cloudDoc({ app, token: body.token })).toEqual(OPEN);
    await service.sweepExpired(); // waits for pending writes on the embedded store
    const rows = await service.db.query<{ t: string }>(
      `SELECT token_hash AS t FROM sessions WHERE app_id = $1
       UNION ALL SELECT token_hash FROM user_sessions WHERE app_id = $1`,
      [app.id],
    );
    expect(rows.rows.map((r) => r.t).sort()).toEqual([sha256(body.token), sha256(userBody.token)].sort());
    const dump = await service.db.query<{ j: string }>(
      `SELECT (SELECT json_agg(s)::text FROM sessions s) || (SELECT json_agg(u)::text FROM user_sessions u) AS j`,
    );
    expect(dump.rows[0]?.j).not.toContain(body.token);
    expect(dump.rows[0]?.j).not.toContain(userBody.token);
  });

  it('lives as long as its session: expiry, and renewal by heartbeat', async () => {
    const { service, app, clock } = await start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const body = await cardLogin(service, app, card.cardStr);
    clock.advance({ seconds: 59 });
    expect(await service.cloudDoc({ app, token: body.token })).toEqual(OPEN);
    expect((await service.heartbeat({ app, statecode: body.statecode })).ok).toBe(true);
    clock.advance({ seconds: 59 }); // alive only through the renewal
    expect(await service.cloudDoc({ app, token: body.token })).toEqual(OPEN);
    clock.advance({ seconds: 2 });
    expect(await service.cloudDoc({ app, token: body.token })).toEqual(INVALID);
  });

  it('unbind, self-disable, kick and delete end it; an operator disable and the card expiry refuse it', async () => {
    const { service, app, clock } = await start({ statecodeValiditySeconds: 86_400 * 3 });
    const cards = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        service.mintCard({ app, card: i === 5 ? { kind: 'time', type: 0 } : { kind: 'permanent' } }),
      ),
    );
    const [unbound, disabled, kicked, deleted, operator, expiring] = cards.map((c) => c.cardStr) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const token = async (kami: string) => (await cardLogin(service, app, kami)).token;
    const t = {
      unbound: await token(unbound),
      disabled: await token(disabled),
      kicked: await token(kicked),
      deleted: await token(deleted),
      operator: await token(operator),
      expiring: await token(expiring),
    };
    for (const tok of Object.values(t)) expect(await service.cloudDoc({ app, token: tok })).toEqual(OPEN);

    expect((await service.unbind({ app, kami: unbound, imei: 'DEV' })).ok).toBe(true);
    expect(await service.disableCard({ app, kami: disabled })).toEqual({ ok: true });
    expect(await service.kickSessions({ app, cardStr: kicked })).toBe(1);
    expect(await service.deleteCard({ app, cardStr: deleted })).toBe(true);
    expect(await service.setCardDisabled({ app, cardStr: operator, disabled: true })).toBe(true);
    for (const tok of [t.unbound, t.disabled, t.kicked, t.deleted, t.operator])
      expect(await service.cloudDoc({ app, token: tok })).toEqual(INVALID);
    // The operator's disable left the session: enabled again, the token works again.
    expect(await service.setCardDisabled({ app, cardStr: operator, disabled: false })).toBe(true);
    expect(await service.cloudDoc({ app, token: t.operator })).toEqual(OPEN);

    clock.advance({ days: 1, seconds: 1 }); // the day card ran out; its session has not
    expect(await service.cloudDoc({ app, token: t.expiring })).toEqual(INVALID);
    expect(await service.cloudDoc({ app, token: t.operator })).toEqual(OPEN);
  });

  it('a login beyond maxSessionsPerCard ends the oldest session, and its token with it', async () => {
    const { service, app, clock } = await start({ maxSessionsPerCard: 1 });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const first = await cardLogin(service, app, card.cardStr);
    clock.advance({ minutes: 1 }); // a new minute: a new token
    const second = await cardLogin(service, app, card.cardStr);
    expect(second.token).not.toBe(first.token);
    expect(await service.cloudDoc({ app, token: first.token })).toEqual(INVALID);
    expect(await service.cloudDoc({ app, token: second.token })).toEqual(OPEN);
  });

  it('two logins in one minute share a token: it works while either session lives', async () => {
    const { service, app, clock } = await start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const first = await cardLogin(service, app, card.cardStr);
    clock.advance({ seconds: 1 });
    const second = await cardLogin(service, app, card.cardStr);
    expect(second.date).toBe(first.date); // the harness clock starts on a whole minute
    expect(second.token).toBe(first.token);
    expect(second.statecode).not.toBe(first.statecode);
    clock.advance({ seconds: 59.5 }); // the first session expired, the second has not
    expect(await service.cloudDoc({ app, token: first.token })).toEqual(OPEN);
    clock.advance({ seconds: 1 });
    expect(await service.cloudDoc({ app, token: first.token })).toEqual(INVALID);
  });

  it('an account login token opens it; disable, password change and cancel refuse it', async () => {
    const { service, app } = await start();
    const users = await account(service, app, 'alice');
    const body = await users.login();
    expect(await service.cloudDoc({ app, token: body.token })).toEqual(OPEN);
    expect(await service.cloudDoc({ app, token: body.statecode })).toEqual(INVALID);

    expect(await service.setUserDisabled({ app, user: 'alice', disabled: true })).toBe(true);
    expect(await service.cloudDoc({ app, token: body.token })).toEqual(INVALID);
    expect(await service.setUserDisabled({ app, user: 'alice', disabled: false })).toBe(true);
    expect(await service.cloudDoc({ app, token: body.token })).toEqual(OPEN);

    expect(
      await service.changePassword({ app, user: 'alice', oldpass: 'secret-1', newpass: 'secret-1' }),
    ).toEqual({ ok: true });
    expect(await service.cloudDoc({ app, token: body.token })).toEqual(INVALID);
    const again = await users.login();
    expect(await service.cloudDoc({ app, token: again.token })).toEqual(OPEN);
    expect(await service.cancelUser({ app, user: 'alice', pass: 'secret-1' })).toEqual({ ok: true });
    expect(await service.cloudDoc({ app, token: again.token })).toEqual(INVALID);
  });

  it('races: tokens of parallel logins open at once; reads racing an unbind never fail otherwise', async () => {
    const { service, app } = await start();
    const kamis = await Promise.all(
      Array.from(
        { length: 20 },
        async () => (await service.mintCard({ app, card: { kind: 'permanent' } })).cardStr,
      ),
    );
    // Each login's reply is acknowledged: its token works at once, before any write-behind.
    const answers = await Promise.all(
      kamis.map(async (kami, i) => {
        const body = await cardLogin(service, app, kami, `RACE-${i}`);
        return service.cloudDoc({ app, token: body.token });
      }),
    );
    expect(answers).toEqual(kamis.map(() => OPEN));

    const [target] = kamis as [string];
    const { token } = await cardLogin(service, app, target, 'RACE-0');
    const reads = Array.from({ length: 30 }, () => service.cloudDoc({ app, token }));
    const unbind = service.unbind({ app, kami: target, imei: 'RACE-0' });
    const more = Array.from({ length: 30 }, () => service.cloudDoc({ app, token }));
    const settled = await Promise.all([...reads, ...more]);
    expect((await unbind).ok).toBe(true);
    for (const r of settled) expect([OPEN, INVALID]).toContainEqual(r);
    expect(await service.cloudDoc({ app, token })).toEqual(INVALID);
  });

  it('answers the configured text, empty by default', async () => {
    const { service, app } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const body = await cardLogin(service, app, card.cardStr);
    expect(await service.cloudDoc({ app, token: body.token })).toEqual({ ok: true, value: '' });
  });
});

describe('cloud_doc tokens on the embedded store across a restart', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('a session reloaded from disk is found by its token; an ended one is not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kami-cloud-doc-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = newClock();
    const apps = [{ name: 'docs', settings: { cloudDoc: DOC } }];
    const first = await createKamiService({ db: { kind: 'file', path: dir }, clock, apps });
    const app = first.listApps()[0] as AppRecord;
    const kept = await first.mintCard({ app, card: { kind: 'permanent' } });
    const ended = await first.mintCard({ app, card: { kind: 'permanent' } });
    const keptBody = await cardLogin(first, app, kept.cardStr);
    const endedBody = await cardLogin(first, app, ended.cardStr);
    expect(await first.kickSessions({ app, cardStr: ended.cardStr })).toBe(1);
    await first.close();

    const second = await createKamiService({ db: { kind: 'file', path: dir }, clock, apps });
    cleanup.push(() => second.close());
    const app2 = second.listApps()[0] as AppRecord;
    expect(await second.cloudDoc({ app: app2, token: keptBody.token })).toEqual(OPEN);
    expect(await second.cloudDoc({ app: app2, token: endedBody.token })).toEqual(INVALID);
    // Memory and disk agree after the reload: a kick now ends it.
    expect(await second.kickSessions({ app: app2, cardStr: kept.cardStr })).toBe(1);
    expect(await second.cloudDoc({ app: app2, token: keptBody.token })).toEqual(INVALID);
  });
});
