import { createHmac } from 'node:crypto';
import { KamiValidationError } from '@kami-verify/core';
import { defaultReaders, type MachineCodeReaders } from './machine-code/readers';
import { type MachineIdSource, readRawMachineId } from './machine-code/sources';

export type { MachineCodeReaders } from './machine-code/readers';
export type { MachineIdSource } from './machine-code/sources';

/** The environment variable that pins the machine code (containers, CI, cloned VMs). */
export const MACHINE_CODE_ENV = 'KAMI_MACHINE_CODE';

export interface MachineCodeOptions {
  /**
   * App-specific salt, e.g. your app's name. The same machine yields unrelated codes for
   * different salts, so two vendors cannot link their users. Default `'kami-verify'`.
   */
  salt?: string;
  /** Use this code as is (after trimming); wins over everything else. */
  override?: string;
  /** Where `KAMI_MACHINE_CODE` is read from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** `'md5'` (32 uppercase hex, the official SDKs' shape; default) or `'sha256'` (64). */
  hash?: 'md5' | 'sha256';
  /** Replaces the OS probes (tests, unusual platforms). */
  readers?: Partial<MachineCodeReaders>;
}

export interface MachineCodeDetails {
  code: string;
  source: 'override' | 'env' | MachineIdSource;
}

export const DEFAULT_MACHINE_CODE_SALT = 'kami-verify';

// The OS id cannot change while the process runs; probing it once saves a child process per login.
let cachedDefault: ReturnType<typeof readRawMachineId> | undefined;

/**
 * A machine code for `login(kami, imei)`: stable across runs and reboots, derived from the OS
 * machine id (Linux `/etc/machine-id`, macOS IOPlatformUUID, Windows MachineGuid), else the
 * first hardware MAC, else the hostname; HMAC'd with an app salt so the raw id never leaves the
 * machine. `KAMI_MACHINE_CODE` (or `override`) pins it.
 */
export async function getMachineCode(options: MachineCodeOptions = {}): Promise<string> {
  return (await resolveMachineCode(options)).code;
}

/** {@link getMachineCode} plus where the code came from (for diagnostics; never log the raw id). */
export async function resolveMachineCode(options: MachineCodeOptions = {}): Promise<MachineCodeDetails> {
  const override = pinned(options.override, 'override');
  if (override) return { code: override, source: 'override' };
  const fromEnv = pinned((options.env ?? process.env)[MACHINE_CODE_ENV], MACHINE_CODE_ENV);
  if (fromEnv) return { code: fromEnv, source: 'env' };

  const custom = options.readers !== undefined && Object.keys(options.readers).length > 0;
  if (!custom && cachedDefault === undefined) cachedDefault = readRawMachineId(defaultReaders);
  const raw = custom
    ? await readRawMachineId({ ...defaultReaders, ...options.readers })
    : await cachedDefault!;
  const code = createHmac(options.hash ?? 'md5', options.salt ?? DEFAULT_MACHINE_CODE_SALT)
    .update(raw.id)
    .digest('hex')
    .toUpperCase();
  return { code, source: raw.source };
}

function pinned(value: string | undefined, field: string): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  // The server rejects it anyway (机器码不合法,因为存在'号); fail early with the field's name.
  if (trimmed.includes("'"))
    throw new KamiValidationError(field, `${field} must not contain ' (机器码不合法,因为存在'号)`);
  return trimmed;
}
