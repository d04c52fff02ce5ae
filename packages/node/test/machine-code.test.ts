import { createHmac } from 'node:crypto';
import type { NetworkInterfaceInfo } from 'node:os';
import { KamiValidationError } from '@kami-verify/core';
import { describe, expect, it, vi } from 'vitest';
import { getMachineCode, type MachineCodeReaders, resolveMachineCode } from '../src/machine-code';
import {
  parseIoregOutput,
  parseMachineIdFile,
  parseRegQueryOutput,
  pickMacAddress,
} from '../src/machine-code/sources';

const MACHINE_ID = '4c4c4544004e3510804bb4c04f4d3232';
const expected = (raw: string, salt = 'kami-verify', hash: 'md5' | 'sha256' = 'md5') =>
  createHmac(hash, salt).update(raw).digest('hex').toUpperCase();

function nic(mac: string, internal = false): NetworkInterfaceInfo {
  return { address: '10.0.0.2', netmask: '255.0.0.0', family: 'IPv4', mac, internal, cidr: null };
}

/** Readers for a machine with nothing to offer; each test adds what its branch needs. */
function bare(
  platform: NodeJS.Platform,
  extra: Partial<MachineCodeReaders> = {},
): Partial<MachineCodeReaders> {
  return {
    platform,
    readFile: async () => undefined,
    run: async () => undefined,
    networkInterfaces: () => ({}),
    hostname: () => 'Build-Host',
    ...extra,
  };
}

const noEnv = {};

describe('getMachineCode: platform branches', () => {
  it('linux: /etc/machine-id', async () => {
    const readFile = vi.fn(async (path: string) =>
      path === '/etc/machine-id' ? `${MACHINE_ID}\n` : undefined,
    );
    const details = await resolveMachineCode({ env: noEnv, readers: bare('linux', { readFile }) });
    expect(details).toEqual({ code: expected(MACHINE_ID), source: 'machine-id' });
  });

  it('linux: falls back to the dbus copy when /etc/machine-id is empty or the all-zero placeholder', async () => {
    for (const first of ['', '00000000000000000000000000000000\n', 'uninitialized\n']) {
      const readFile = async (path: string) =>
        path === '/etc/machine-id' ? first : path === '/var/lib/dbus/machine-id' ? MACHINE_ID : undefined;
      expect(await resolveMachineCode({ env: noEnv, readers: bare('linux', { readFile }) })).toEqual({
        code: expected(MACHINE_ID),
        source: 'machine-id',
      });
    }
  });

  it('macOS: IOPlatformUUID from ioreg', async () => {
    const run = vi.fn(async (command: string, args: readonly string[]) =>
      command === 'ioreg' && args.join(' ') === '-rd1 -c IOPlatformExpertDevice'
        ? '+-o J274AP  <class IOPlatformExpertDevice>\n  {\n    "IOPlatformUUID" = "5A3B1C2D-1111-2222-3333-444455556666"\n  }\n'
        : undefined,
    );
    const details = await resolveMachineCode({ env: noEnv, readers: bare('darwin', { run }) });
    expect(details).toEqual({ code: expected('5a3b1c2d-1111-2222-3333-444455556666'), source: 'ioreg' });
  });

  it('Windows: MachineGuid from the 64-bit registry view', async () => {
    const run = vi.fn(async (command: string, args: readonly string[]) =>
      command === 'reg' && args.includes('MachineGuid') && args.includes('/reg:64')
        ? '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\r\n    MachineGuid    REG_SZ    3F2504E0-4F89-11D3-9A0C-0305E82C3301\r\n\r\n'
        : undefined,
    );
    const details = await resolveMachineCode({ env: noEnv, readers: bare('win32', { run }) });
    expect(details).toEqual({ code: expected('3f2504e0-4f89-11d3-9a0c-0305e82c3301'), source: 'registry' });
    expect(run).toHaveBeenCalledWith('reg', [
      'query',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography',
      '/v',
      'MachineGuid',
      '/reg:64',
    ]);
  });

  it('falls back to the first hardware MAC when the OS id is unavailable', async () => {
    const networkInterfaces = () => ({
      lo: [nic('00:00:00:00:00:00', true)],
      wlan0: [nic('F0:2F:74:11:22:33')],
      docker0: [nic('02:42:ac:11:00:02')],
      eth0: [nic('f0:2f:74:aa:bb:cc')],
    });
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const details = await resolveMachineCode({
        env: noEnv,
        readers: bare(platform, { networkInterfaces }),
      });
      // Sorted by name and universally administered first: eth0 beats wlan0 and docker0's 02:42:….
      expect(details).toEqual({ code: expected('f0:2f:74:aa:bb:cc'), source: 'mac' });
    }
  });

  it('uses the hostname last', async () => {
    const details = await resolveMachineCode({ env: noEnv, readers: bare('linux') });
    expect(details).toEqual({ code: expected('build-host'), source: 'hostname' });
  });

  it('survives readers that throw', async () => {
    const details = await resolveMachineCode({
      env: noEnv,
      readers: bare('linux', {
        networkInterfaces: () => {
          throw new Error('uv_interface_addresses');
        },
      }),
    });
    expect(details.source).toBe('hostname');
  });
});

describe('getMachineCode: hashing and overrides', () => {
  const readers = bare('linux', { readFile: async () => MACHINE_ID });

  it('is salted: different apps get unrelated codes, the raw id never appears', async () => {
    const a = await getMachineCode({ env: noEnv, readers, salt: 'app-a' });
    const b = await getMachineCode({ env: noEnv, readers, salt: 'app-b' });
    expect(a).not.toBe(b);
    expect(a).toBe(expected(MACHINE_ID, 'app-a'));
    expect(a).not.toContain(MACHINE_ID.toUpperCase());
  });

  it('is 32 uppercase hex with md5 (default), 64 with sha256, and never contains a quote', async () => {
    expect(await getMachineCode({ env: noEnv, readers })).toMatch(/^[0-9A-F]{32}$/);
    expect(await getMachineCode({ env: noEnv, readers, hash: 'sha256' })).toBe(
      expected(MACHINE_ID, 'kami-verify', 'sha256'),
    );
  });

  it('is stable across calls', async () => {
    expect(await getMachineCode({ env: noEnv, readers })).toBe(await getMachineCode({ env: noEnv, readers }));
  });

  it('KAMI_MACHINE_CODE pins the code; `override` wins over it', async () => {
    const env = { KAMI_MACHINE_CODE: '  container-7  ' };
    expect(await resolveMachineCode({ env, readers })).toEqual({ code: 'container-7', source: 'env' });
    expect(await resolveMachineCode({ env, readers, override: 'X1' })).toEqual({
      code: 'X1',
      source: 'override',
    });
    expect(await resolveMachineCode({ env: { KAMI_MACHINE_CODE: '' }, readers })).toMatchObject({
      source: 'machine-id',
    });
  });

  it("rejects a pinned code containing ' (the server would: 机器码不合法,因为存在'号)", async () => {
    await expect(getMachineCode({ override: "a'b" })).rejects.toSatisfy((e) =>
      KamiValidationError.isInstance(e),
    );
    await expect(getMachineCode({ env: { KAMI_MACHINE_CODE: "x'" } })).rejects.toSatisfy((e) =>
      KamiValidationError.isInstance(e),
    );
  });

  it('works on this machine with the real readers and is stable', async () => {
    const first = await resolveMachineCode({ env: noEnv });
    const second = await resolveMachineCode({ env: noEnv });
    expect(first.code).toMatch(/^[0-9A-F]{32}$/);
    expect(second).toEqual(first);
  });
});

describe('parsers', () => {
  it('parseMachineIdFile accepts 32 hex and UUIDs only', () => {
    expect(parseMachineIdFile(` ${MACHINE_ID.toUpperCase()}\n`)).toBe(MACHINE_ID);
    expect(parseMachineIdFile('3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBe(
      '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    );
    expect(parseMachineIdFile('not-an-id')).toBeUndefined();
    expect(parseMachineIdFile(undefined)).toBeUndefined();
  });

  it('parseIoregOutput / parseRegQueryOutput ignore unrelated output', () => {
    expect(parseIoregOutput('"IOPlatformSerialNumber" = "C02"')).toBeUndefined();
    expect(
      parseRegQueryOutput('ERROR: The system was unable to find the specified registry key'),
    ).toBeUndefined();
  });

  it('pickMacAddress takes a locally administered MAC only when nothing else exists', () => {
    expect(pickMacAddress({ eth0: [nic('02:42:ac:11:00:02')], lo: [nic('00:00:00:00:00:00', true)] })).toBe(
      '02:42:ac:11:00:02',
    );
    expect(pickMacAddress({ lo: [nic('00:00:00:00:00:00', true)] })).toBeUndefined();
  });
});
