import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname, type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

/**
 * Everything the machine code reads from the OS. Injectable so each platform branch can be
 * tested on any machine; the defaults below are the real thing.
 */
export interface MachineCodeReaders {
  platform: NodeJS.Platform;
  /** File contents, or `undefined` when missing or unreadable. */
  readFile(path: string): Promise<string | undefined>;
  /** A command's stdout, or `undefined` when it fails or is not installed. */
  run(command: string, args: readonly string[]): Promise<string | undefined>;
  networkInterfaces(): Record<string, NetworkInterfaceInfo[] | undefined>;
  hostname(): string;
}

// Probing must never hang an app's start-up: a wedged ioreg or reg gets two seconds.
const RUN_TIMEOUT_MS = 2_000;

export const defaultReaders: MachineCodeReaders = {
  platform: process.platform,
  readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
  run: (command, args) =>
    new Promise((resolve) => {
      execFile(
        command,
        [...args],
        { encoding: 'utf8', timeout: RUN_TIMEOUT_MS, windowsHide: true, maxBuffer: 1024 * 1024 },
        (error, stdout) => resolve(error ? undefined : stdout),
      );
    }),
  networkInterfaces: () => networkInterfaces(),
  hostname: () => hostname(),
};
