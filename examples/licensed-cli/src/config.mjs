// @ts-check
import { parseArgs } from 'node:util';

export const USAGE = `Usage: licensed-cli [--card <卡密>] [--once]

Logs in with a card, keeps the licence alive with heartbeats, and does its (pretend) work until
Ctrl-C or until the licence is lost.

  --card <卡密>   the card key (default: $KAMI_CARD)
  --once          log in, beat once, print the licence and exit
  -h, --help      show this help

Environment (printed by \`npm start\` at the repository root):
  KAMI_URL              server URL, e.g. http://127.0.0.1:8080 (several: comma-separated, for failover)
  KAMI_APPKEY           the app's APPKEY
  KAMI_LOGIN_CODE       调用码 of the login endpoint
  KAMI_HEARTBEAT_CODE   调用码 of the heartbeat endpoint
  KAMI_CARD             the card, if --card is not given
  KAMI_VALIDITY_SECONDS the app's 登录状态码有效期 (default 600, the reference server's default)
  KAMI_MACHINE_CODE     pins the machine code (containers)
`;

export class UsageError extends Error {}

/**
 * Reads flags and environment into the client options.
 * @param {string[]} argv
 * @param {Record<string, string | undefined>} env
 */
export function readConfig(argv, env) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { card: { type: 'string' }, once: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return { help: true };
  const need = (/** @type {string} */ name) => {
    const value = env[name]?.trim();
    if (!value) throw new UsageError(`${name} is not set`);
    return value;
  };
  const card = values.card ?? env.KAMI_CARD?.trim();
  if (!card) throw new UsageError('no card: pass --card <卡密> or set KAMI_CARD');
  const validitySeconds = Number(env.KAMI_VALIDITY_SECONDS ?? 600);
  if (!(validitySeconds > 0)) throw new UsageError('KAMI_VALIDITY_SECONDS must be a positive number');
  return {
    help: false,
    once: values.once === true,
    card,
    validitySeconds,
    client: {
      baseUrl: need('KAMI_URL')
        .split(',')
        .map((url) => url.trim()),
      appKey: need('KAMI_APPKEY'),
      routes: { login: need('KAMI_LOGIN_CODE'), heartbeat: need('KAMI_HEARTBEAT_CODE') },
      // One salt per product: the same PC gets unrelated machine codes in different products.
      machineCode: { salt: 'licensed-cli' },
    },
  };
}
