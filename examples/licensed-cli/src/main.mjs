#!/usr/bin/env node
// @ts-check
// A licensed CLI: log in with a card, print the expiry, keep the session alive, stop cleanly
// when the licence is lost. Everything licence-related is in this file and in messages.mjs.
import { createVerify } from '@kami-verify/node';
import { readConfig, USAGE } from './config.mjs';
import { EXIT, exitCodeFor, explain } from './messages.mjs';

async function main() {
  let config;
  try {
    config = readConfig(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`licensed-cli: ${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (config.help || !config.client) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }

  const client = createVerify(config.client);
  try {
    const session = await client.login(config.card);
    console.log(
      `Licensed until ${session.endTime} (Beijing time), ${session.amount}; machine code ${session.machineCode}`,
    );

    if (config.once) {
      await session.heartbeat();
      console.log('Heartbeat ok.');
      return EXIT.ok;
    }

    // Beat at half the statecode validity; log in again if the server dropped the session
    // while the card is still valid (e.g. it restarted).
    const heartbeat = session.startHeartbeat({ validitySeconds: config.validitySeconds, relogin: true });
    heartbeat.on('beat', (_result, info) => console.log(`[licence] ok (beat ${info.count})`));
    heartbeat.on('error', (error, info) =>
      console.warn(`[licence] ${explain(error)}; retrying in ${Math.round(info.retryInMs / 1000)} s`),
    );
    heartbeat.on('relogin', (login) =>
      console.log(`[licence] logged in again; valid until ${login.endTime}`),
    );

    // The pretend work. The heartbeat's timers do not keep the process alive; this does.
    const work = setInterval(() => console.log('working…'), 5_000);
    const onSignal = () => void heartbeat.stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);

    const end = await heartbeat.stopped;
    clearInterval(work);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (end.reason === 'lost') {
      console.error(`Licence lost: ${explain(end.error)}`);
      return EXIT.licence;
    }
    console.log('Bye.');
    return EXIT.ok;
  } catch (error) {
    console.error(`Login failed: ${explain(error)}`);
    return exitCodeFor(error);
  } finally {
    await client.close();
  }
}

process.exitCode = await main();
