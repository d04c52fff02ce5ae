// The licence logic, apart from React: log in with a card, then keep the session alive with the
// managed heartbeat until the server refuses it.
import { createVerify, getDeviceId, type Heartbeat, KamiError, startHeartbeat } from '@kami-verify/browser';

const env = import.meta.env;

function required(name: keyof ImportMetaEnv): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: see examples/vite-react/README.md`);
  return value;
}

export interface Licence {
  endTime: string;
  amount: string;
  heartbeat: Heartbeat;
}

/** Logs in; rejects with a message for the login form. */
export async function login(card: string): Promise<Licence> {
  const client = createVerify({
    baseUrl: required('VITE_KAMI_URL'),
    appKey: required('VITE_KAMI_APPKEY'),
    routes: { login: required('VITE_KAMI_LOGIN_CODE'), heartbeat: required('VITE_KAMI_HEARTBEAT_CODE') },
  });
  const imei = getDeviceId();
  let session: Awaited<ReturnType<typeof client.login>>;
  try {
    session = await client.login(card, imei);
  } catch (error) {
    throw new Error(KamiError.isInstance(error) ? `${error.code}: ${error.message}` : String(error));
  }
  const intervalMs = Number(env.VITE_KAMI_HEARTBEAT_MS) || undefined;
  const heartbeat = startHeartbeat(
    client,
    { statecode: session.statecode, kami: card },
    {
      validitySeconds: Number(env.VITE_KAMI_VALIDITY_SECONDS) || 600,
      ...(intervalMs ? { intervalMs } : {}),
    },
  );
  return { endTime: String(session.endTime), amount: String(session.amount), heartbeat };
}
