// Finds and launches the system Chromium (Debian's `chromium` package) through playwright-core.
// Never downloads a browser.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Whether to run the real-browser suites. Without Chromium they are skipped with a visible
 * message on a developer machine, but on CI (env CI set) a missing browser is a failure.
 */
export function chromiumMode(): 'run' | 'skip' {
  if (existsSync(CHROMIUM_PATH)) return 'run';
  if (process.env.CI) return 'run'; // launch() then fails with the message below
  console.warn(
    `\n[@kami-verify/browser] Chromium not found at ${CHROMIUM_PATH}: SKIPPING the real-browser tests.\n` +
      '  Install it (apt-get install -y chromium) or set CHROMIUM_PATH. With CI set, this is an error.\n',
  );
  return 'skip';
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is required for the real-browser tests but was not found at ${CHROMIUM_PATH} (CI is set). ` +
        'Install it (apt-get install -y chromium) or set CHROMIUM_PATH.',
    );
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 30_000 });
  } catch (error) {
    throw new Error(`Chromium at ${CHROMIUM_PATH} could not be launched: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
