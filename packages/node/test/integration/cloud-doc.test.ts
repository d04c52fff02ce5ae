// The Node SDK's cloudDoc (t3sdk get_cloud_doc) against the real server: a login's token opens
// the document in plain and encoded modes, for card and account logins; a wrong token and the
// token of an ended or expired session are TOKEN_INVALID.
import { startTestServer } from '@kami-verify/server/testing';
import { describe, expect, it } from 'vitest';
import { clientFor, onCleanup } from './helpers';

const DOC = '云文档\n第一章: 安装 📦\n"quotes" & <tags>';
const VALIDITY = 300;

async function server(encoding: 'plain' | 'base64' | 'rsa') {
  const s = await startTestServer({
    encoding,
    settings: { cloudDoc: DOC, statecodeValiditySeconds: VALIDITY },
  });
  onCleanup(() => s.close());
  return s;
}

describe.each(['plain', 'base64', 'rsa'] as const)('cloudDoc through the Node SDK (%s)', (encoding) => {
  it('login → cloudDoc(login.token) is the document; a wrong token is TOKEN_INVALID', async () => {
    const s = await server(encoding);
    const client = clientFor(s);
    const login = await client.login(await s.mintCard(), 'DOC-1');
    await expect(client.cloudDoc(login.token)).resolves.toEqual({
      content: DOC,
      raw: { code: '200', msg: DOC },
    });
    await expect(client.cloudDoc('0'.repeat(32))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(client.cloudDoc(login.statecode)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('TOKEN_INVALID after unbind and after the session expires', async () => {
    const s = await server(encoding);
    const client = clientFor(s);
    const unbound = await s.mintCard();
    const first = await client.login(unbound, 'DOC-2');
    await expect(client.cloudDoc(first.token)).resolves.toMatchObject({ content: DOC });
    await client.unbind(unbound, 'DOC-2');
    await expect(client.cloudDoc(first.token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });

    const expiring = await client.login(await s.mintCard(), 'DOC-3');
    await expect(client.cloudDoc(expiring.token)).resolves.toMatchObject({ content: DOC });
    s.clock.advance({ seconds: VALIDITY + 1 });
    await expect(client.cloudDoc(expiring.token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});

describe('cloudDoc with an account login (base64)', () => {
  it('register → recharge → userLogin → cloudDoc(token)', async () => {
    const s = await server('base64');
    const client = clientFor(s);
    await client.register('reader', 'secret-1');
    await client.recharge('reader', await s.mintCard({ type: 0 }));
    const login = await client.userLogin('reader', 'secret-1', 'DOC-4');
    await expect(client.cloudDoc(login.token)).resolves.toMatchObject({ content: DOC });
    await client.changePassword('reader', 'secret-1', 'secret-2');
    await expect(client.cloudDoc(login.token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});
