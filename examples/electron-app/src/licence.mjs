// The licence logic of the Electron example, in the main process and in plain Node (so it is
// tested without Electron): log in with a card, keep the session alive with the managed
// heartbeat (logging in again when the server has dropped the statecode), and report one clean
// `lost` when the licence is gone.
import { EventEmitter } from 'node:events';
import { createVerify, getMachineCode, KamiError, startHeartbeat } from '@kami-verify/node';

/**
 * @param {{ baseUrl: string, appKey: string, routes: { login: string, heartbeat: string },
 *           validitySeconds?: number, intervalMs?: number, machineCode?: string }} options
 *   `validitySeconds`: the app's statecode validity on the server (default 600, the server's
 *   default); `intervalMs`: beat period (default half the validity).
 */
export function createLicence(options) {
  const client = createVerify({ baseUrl: options.baseUrl, appKey: options.appKey, routes: options.routes });
  const events = new EventEmitter();
  let heartbeat;

  return Object.assign(events, {
    /** Logs in; resolves with `{ endTime, amount }` or rejects with a message for the login screen. */
    async login(card) {
      const imei = options.machineCode ?? getMachineCode();
      let session;
      try {
        session = await client.login(card, imei);
      } catch (error) {
        throw new Error(KamiError.isInstance(error) ? `${error.code}: ${error.message}` : String(error));
      }
      heartbeat?.stop();
      heartbeat = startHeartbeat(
        client,
        { ...session, kami: card, imei },
        {
          relogin: true,
          validitySeconds: options.validitySeconds ?? 600,
          ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
        },
      );
      heartbeat.on('beat', (_result, info) => events.emit('beat', info.count));
      heartbeat.on('relogin', () => events.emit('relogin'));
      heartbeat.on('lost', (error, info) =>
        events.emit('lost', { reason: info.reason, code: error.code, message: error.message }),
      );
      return { endTime: session.endTime, amount: session.amount };
    },
    stop() {
      heartbeat?.stop();
    },
  });
}
