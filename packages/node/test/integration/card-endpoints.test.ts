// The Node SDK's calls of the card and app endpoints beyond login, against the real server.
import { startTestServer } from '@kami-verify/server/testing';
import { describe, expect, it } from 'vitest';
import { clientFor, onCleanup } from './helpers';

async function server() {
  const s = await startTestServer({
    encoding: 'base64',
    settings: {
      ipBinding: 'exact',
      appSignatures: ['SIG-1'],
      version: '3.0.0',
      ver: '三代',
      variables: [{ id: 'v', name: '变量', value: 'start', writable: true }],
    },
  });
  onCleanup(() => s.close());
  return s;
}

describe('card endpoints through the Node SDK', () => {
  it('kamiRecharge moves a card onto an activated one, once', async () => {
    const s = await server();
    const client = clientFor(s);
    const target = await s.mintCard({ type: 0 });
    const source = await s.mintCard({ type: 1 });
    const session = await client.login(target, 'M-1');
    await expect(client.kamiRecharge(target, source)).resolves.toMatchObject({ msg: '充值成功' });
    await expect(client.kamiRecharge(target, source)).rejects.toMatchObject({ code: 'SOURCE_CARD_USED' });
    const after = await client.query(target);
    expect(after.available).toBe(8 * 86_400);
    expect(session.statecode).toMatch(/^[0-9a-f]{32}$/i);
  });

  it('ipUnbind, getKamiCore / modifyCore, heartbeatAny, onlineKami, disable', async () => {
    const s = await server();
    const client = clientFor(s);
    const card = await s.mintCard({ core: 'c0de' });
    const session = await client.login(card, 'M-2');
    await expect(client.ipUnbind(card)).resolves.toMatchObject({ msg: 'IP解绑成功' });
    await expect(client.ipUnbind(card)).rejects.toMatchObject({ code: 'IP_NOT_BOUND' });
    await expect(client.getKamiCore(card)).resolves.toMatchObject({ core: 'c0de' });
    await expect(client.modifyCore(card, 'new-core')).resolves.toMatchObject({ msg: '修改成功' });
    await expect(client.getKamiCore(card)).resolves.toMatchObject({ core: 'new-core' });
    await expect(client.heartbeatAny(session.statecode)).resolves.toMatchObject({ msg: '在线' });
    await expect(client.onlineKami()).resolves.toMatchObject({ count: 1 });
    await expect(client.disable(card)).resolves.toMatchObject({ msg: '禁用成功' });
    await expect(client.heartbeatAny(session.statecode)).rejects.toMatchObject({
      code: 'STATECODE_NOT_FOUND',
    });
    await expect(client.onlineKami()).resolves.toMatchObject({ count: 0 });
    await expect(client.getKamiCore(card)).rejects.toMatchObject({ code: 'CARD_DISABLED' });
  });

  it('appSign and version', async () => {
    const s = await server();
    const client = clientFor(s);
    const signed = await client.appSign('SIG-1');
    expect(signed).toMatchObject({ msg: '签名一致', autograph: 'SIG-1' });
    expect(signed.time).toBe(Math.floor(s.clock.now() / 1000));
    await expect(client.appSign('SIG-2')).rejects.toMatchObject({ code: 'APP_SIGN_MISMATCH' });
    await expect(client.version()).resolves.toMatchObject({ version: '3.0.0', name: '三代' });
    const card = await s.mintCard();
    await expect(client.getVariable(card, 'v', '变量')).resolves.toMatchObject({ value: 'start' });
    await expect(client.modifyVariable(card, 'v', '新值')).resolves.toMatchObject({ msg: '修改成功' });
    await expect(client.getVariable(card, 'v')).resolves.toMatchObject({ value: '新值' });
    await expect(client.getVariable(card, 'missing')).rejects.toMatchObject({ code: 'VARIABLE_NOT_FOUND' });
  });
});

describe('the card calls made with an account (t3sdk *_user variants)', () => {
  it('unbindUser, ipUnbindUser, modifyCoreByUser, get/modifyVariableByUser, disableUser', async () => {
    const s = await server();
    const r = s.app.record.routes;
    const client = clientFor(s, {
      routes: {
        ...s.clientOptions.routes,
        register: r.register,
        recharge: r.recharge,
        userLogin: r.user_login,
        getUserCore: r.get_user_core,
      },
    });
    await client.register('variant-user', 'secret-1');
    await client.recharge('variant-user', await s.mintCard({ type: 2 }));
    await client.userLogin('variant-user', 'secret-1', 'DEV-1');
    await expect(client.unbindUser('variant-user', 'secret-1', 'DEV-2')).rejects.toMatchObject({
      code: 'DEVICE_MISMATCH',
    });
    await expect(client.unbindUser('variant-user', 'secret-1', 'DEV-1')).resolves.toMatchObject({
      msg: '解绑成功',
    });
    await expect(client.unbindUser('variant-user', 'secret-1', 'DEV-1')).rejects.toMatchObject({
      code: 'USER_NOT_BOUND',
      serverMessage: '账号未绑定设备',
    });
    await client.userLogin('variant-user', 'secret-1', 'DEV-2');
    await expect(client.ipUnbindUser('variant-user', 'secret-1')).resolves.toMatchObject({
      msg: 'IP解绑成功',
    });
    await expect(client.ipUnbindUser('variant-user', 'secret-1')).rejects.toMatchObject({
      code: 'USER_IP_NOT_BOUND',
    });
    await expect(client.modifyCoreByUser('variant-user', 'secret-1', '核心')).resolves.toMatchObject({
      msg: '修改成功',
    });
    await expect(client.getUserCore('variant-user', 'secret-1')).resolves.toMatchObject({ core: '核心' });
    await expect(
      client.modifyVariableByUser('variant-user', 'secret-1', 'v', '账号写的'),
    ).resolves.toMatchObject({
      msg: '修改成功',
    });
    await expect(client.getVariableByUser('variant-user', 'secret-1', 'v', '变量')).resolves.toMatchObject({
      value: '账号写的',
    });
    await expect(client.getVariableByUser('variant-user', 'wrong-pw', 'v')).rejects.toMatchObject({
      code: 'USER_LOGIN_FAILED',
    });
    await expect(client.disableUser('variant-user', 'secret-1')).resolves.toMatchObject({ msg: '禁用成功' });
    await expect(client.userLogin('variant-user', 'secret-1', 'DEV-2')).rejects.toMatchObject({
      code: 'USER_DISABLED',
    });
    await expect(client.unbindUser('', 'secret-1', 'DEV-2')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
