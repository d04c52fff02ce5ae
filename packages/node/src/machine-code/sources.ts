import type { MachineCodeReaders } from './readers';

/** Where a raw machine id came from, most stable first. */
export type MachineIdSource = 'machine-id' | 'ioreg' | 'registry' | 'mac' | 'hostname';

export interface RawMachineId {
  source: MachineIdSource;
  /** The raw identifier. Never leaves the machine: only its salted hash does. */
  id: string;
}

// systemd writes /etc/machine-id once at install; dbus keeps its own copy on older systems.
// FreeBSD's hostid is the same idea.
const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id', '/etc/hostid'];

/** A usable machine-id file: 32 hex (or a UUID), not the all-zero placeholder of unbooted images. */
export function parseMachineIdFile(text: string | undefined): string | undefined {
  const value = text?.trim().toLowerCase();
  if (!value) return undefined;
  if (
    !/^[0-9a-f]{32}$/.test(value) &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)
  ) {
    return undefined;
  }
  return /^[0-]+$/.test(value) ? undefined : value;
}

/** `"IOPlatformUUID" = "564D…"` in `ioreg -rd1 -c IOPlatformExpertDevice`. */
export function parseIoregOutput(text: string | undefined): string | undefined {
  const match = text && /"IOPlatformUUID"\s*=\s*"([^"]+)"/.exec(text);
  return match ? match[1]!.trim().toLowerCase() : undefined;
}

/** `    MachineGuid    REG_SZ    3f2504e0-…` in `reg query …\Cryptography /v MachineGuid`. */
export function parseRegQueryOutput(text: string | undefined): string | undefined {
  const match = text && /MachineGuid\s+REG_SZ\s+([0-9a-fA-F-]{32,36})/.exec(text);
  return match ? match[1]!.toLowerCase() : undefined;
}

/**
 * The MAC the official SDKs hash, made stable: non-internal, non-zero, interfaces sorted by
 * name, universally administered addresses first (locally administered ones are what Docker,
 * VPNs and Wi-Fi privacy randomise).
 */
export function pickMacAddress(
  interfaces: ReturnType<MachineCodeReaders['networkInterfaces']>,
): string | undefined {
  const candidates: Array<{ name: string; mac: string; local: boolean }> = [];
  for (const name of Object.keys(interfaces).sort()) {
    for (const info of interfaces[name] ?? []) {
      const mac = info.mac?.toLowerCase();
      if (info.internal || !mac || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) || /^(00:){5}00$/.test(mac))
        continue;
      // Bit 1 of the first octet marks a locally administered (often random) address.
      candidates.push({ name, mac, local: (Number.parseInt(mac.slice(0, 2), 16) & 2) !== 0 });
    }
  }
  return (candidates.find((c) => !c.local) ?? candidates[0])?.mac;
}

/** The most stable identifier this machine offers, falling back from the OS id to a MAC to the hostname. */
export async function readRawMachineId(readers: MachineCodeReaders): Promise<RawMachineId> {
  const fromOs = await readOsMachineId(readers);
  if (fromOs) return fromOs;
  const mac = pickMacAddress(safe(() => readers.networkInterfaces(), {}));
  if (mac) return { source: 'mac', id: mac };
  return {
    source: 'hostname',
    id:
      safe(() => readers.hostname(), '')
        .trim()
        .toLowerCase() || 'localhost',
  };
}

async function readOsMachineId(readers: MachineCodeReaders): Promise<RawMachineId | undefined> {
  switch (readers.platform) {
    case 'darwin': {
      const id = parseIoregOutput(await readers.run('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']));
      return id ? { source: 'ioreg', id } : undefined;
    }
    case 'win32': {
      // /reg:64 reads the 64-bit view even from a 32-bit Node, where MachineGuid would be missing.
      const id = parseRegQueryOutput(
        await readers.run('reg', [
          'query',
          'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography',
          '/v',
          'MachineGuid',
          '/reg:64',
        ]),
      );
      return id ? { source: 'registry', id } : undefined;
    }
    default:
      for (const path of MACHINE_ID_FILES) {
        const id = parseMachineIdFile(await readers.readFile(path));
        if (id) return { source: 'machine-id', id };
      }
      return undefined;
  }
}

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
