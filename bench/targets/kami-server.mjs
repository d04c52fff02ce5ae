// The reference server as a benchmark target, in its own process: a fixed app with signature and
// timestamp checks on (the realistic setting), a bound year card, a reseller account.
import { startServer } from '@kami-verify/server';

const { db } = JSON.parse(process.argv[2] ?? '{}');
const APP_KEY = 'benchappkey0123456789abcdef012345';
const routes = {
  login: 'B000000000000001',
  heartbeat: 'B000000000000002',
  query: 'B000000000000003',
  unbind: 'B000000000000004',
  notice: 'B000000000000005',
  version: 'B000000000000006',
  check_update: 'B000000000000007',
};
const card = 'BENCHCARD0000000000000000000000001';
const running = await startServer({
  port: 0,
  db,
  quiet: true,
  logger: false,
  config: {
    apps: [
      {
        name: 'bench',
        appKey: APP_KEY,
        askKey: 'benchaskkey',
        routes,
        settings: { statecodeValiditySeconds: 3600 },
        potatoUsers: [{ userNumber: 'reseller', passWord: 'bench-password' }],
        cards: [{ cardStr: card, card: { kind: 'time', type: 4 } }],
      },
    ],
    server: { throttle: false },
  },
});
console.log(JSON.stringify({ url: running.url, appKey: APP_KEY, routes, card, askKey: 'benchaskkey' }));

const shutdown = () => running.close().then(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
