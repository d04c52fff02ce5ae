// The account family (账号模式) through the Node SDK against the reference server: every call,
// the login's token check, and the server's errors as typed KamiApiErrors.
import type { TestServer } from '@kami-verify/server/testing';
import { describe, expect, it } from 'vitest';
import { clientFor, onCleanup, sharedTestServer, startProxy } from './helpers';

const shared = sharedTestServer();

function accountClient(s: TestServer, extra: Parameters<typeof clientFor>[1] = {}) {
  const r = s.app.record.routes;
  return clientFor(s, {
    routes: {
      ...s.clientOptions.routes,
      register: r.register,
      userLogin: r.user_login,
      userHeartbeat: r.user_heartbeat,
      recharge: r.recharge,
      changePassword: r.change_password,
      userCancel: r.user_cancel,
      getUserCore: r.get_user_core,
      onlineUser: r.online_user,
      heartbeatAny: r.heartbeat_any,
    },
    ...extra,
  });
}

let n = 0;
const uniqueUser = () => `sdk${process.pid}_${++n}`;

describe('account calls against the reference server', () => {
  it('register, recharge, userLogin (token verified), heartbeats, core, online, password, cancel', async () => {
    const s = shared();
    const client = accountClient(s);
    const user = uniqueUser();
    expect((await client.register(user, 'secret-1', 'me@example.com')).msg).toBe('注册成功');
    expect((await client.recharge(user, await s.mintCard({ type: 0 }))).msg).toBe('充值成功');
    const login = await client.userLogin(user, 'secret-1', 'SDK-DEVICE');
    expect(login).toMatchObject({ recharge: 1, imei: 'SDK-DEVICE', change: 0, core: '' });
    expect(login.available).toBeGreaterThan(86_000);
    expect(login.statecode).toMatch(/^[0-9a-f]{32}$/);
    expect((await client.userHeartbeat(user, 'secret-1', login.statecode)).msg).toBe('在线');
    expect((await client.heartbeatAny(login.statecode)).msg).toBe('在线');
    expect((await client.getUserCore(user, 'secret-1')).core).toBe('');
    expect((await client.onlineUser()).count).toBeGreaterThanOrEqual(1);
    expect((await client.changePassword(user, 'secret-1', 'secret-2')).msg).toBe('密码修改成功');
    await expect(client.userHeartbeat(user, 'secret-2', login.statecode)).rejects.toMatchObject({
      code: 'STATECODE_NOT_FOUND',
    });
    expect((await client.userCancel(user, 'secret-2')).msg).toBe('注销成功');
    await expect(client.userLogin(user, 'secret-2', 'SDK-DEVICE')).rejects.toMatchObject({
      code: 'USER_LOGIN_FAILED',
      serverMessage: '账号或密码错误',
    });
  });

  it('errors arrive typed: 账号已存在, 账号未充值, 卡密已被使用, 请在原设备登录', async () => {
    const s = shared();
    const client = accountClient(s);
    const user = uniqueUser();
    await client.register(user, 'secret-1');
    await expect(client.register(user, 'secret-1')).rejects.toMatchObject({ code: 'USER_EXISTS' });
    await expect(client.userLogin(user, 'secret-1', 'D1')).rejects.toMatchObject({
      code: 'USER_NOT_RECHARGED',
    });
    const card = await s.mintCard({ type: 5 });
    await client.recharge(user, card);
    await expect(client.recharge(user, card)).rejects.toMatchObject({ code: 'CARD_ALREADY_USED' });
    await client.userLogin(user, 'secret-1', 'D1');
    await expect(client.userLogin(user, 'secret-1', 'D2')).rejects.toMatchObject({ code: 'DEVICE_MISMATCH' });
  });

  it('userLogin refuses a reply whose token was not made with the APPKEY (TOKEN_MISMATCH)', async () => {
    const s = shared();
    const user = uniqueUser();
    const good = accountClient(s);
    await good.register(user, 'secret-1');
    await good.recharge(user, await s.mintCard({ type: 5 }));
    const code = s.app.record.routes.user_login;
    // A man in the middle alters the token of the login reply.
    const proxy = await startProxy(s.url, (body, path) =>
      path.includes(code)
        ? body.replace(/"token":"(.)/, (_m, c: string) => `"token":"${c === 'a' ? 'b' : 'a'}`)
        : body,
    );
    onCleanup(() => proxy.close());
    const client = accountClient(s, { baseUrl: proxy.url });
    await expect(client.userLogin(user, 'secret-1', 'D')).rejects.toMatchObject({ code: 'TOKEN_MISMATCH' });
    expect((await good.userLogin(user, 'secret-1', 'D')).token).toHaveLength(32);
  });
});
