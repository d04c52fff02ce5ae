// The app a server runs with when no config is given: everything on its defaults, so the
// printed credentials work with the SDKs' defaults out of the box.
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../schema/config';
import type { ServerConfig } from './types';

export const DEMO_APP_NAME = 'demo';
export const DEMO_USER_NUMBER = 'demo';

/**
 * A fresh password per start: the demo account must not have a well-known password even on a
 * machine where someone binds the demo server to a public interface. Apps are upserted by name,
 * so the stored password follows the printed one.
 */
export function demoConfig(): ServerConfig {
  const app: AppConfig = {
    name: DEMO_APP_NAME,
    potatoUsers: [{ userNumber: DEMO_USER_NUMBER, passWord: randomBytes(9).toString('base64url') }],
  };
  return { apps: [app] };
}
