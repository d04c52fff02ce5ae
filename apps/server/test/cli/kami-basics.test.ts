// The kami binary itself: help with the exit codes, usage errors that name the flag, and the
// failures that need no server (none listening, no token).
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, kami, kamiServerBin } from './run-kami';

// Every test spawns real processes; on a loaded shared machine each can take seconds.
const SLOW = { timeout: 180_000 };

beforeAll(() => ensureBuilt(), 120_000);

describe('kami basics', SLOW, () => {
  it('--help lists the command groups and the exit codes; kami-server help is the same', async () => {
    for (const bin of [undefined, kamiServerBin]) {
      const run = await kami(bin ? ['help'] : ['--help'], bin ? { bin } : {});
      expect(run.code).toBe(0);
      for (const group of ['apps', 'cards', 'sessions', 'tokens', 'backup', 'restore'])
        expect(run.stdout).toContain(group);
      expect(run.stdout).toMatch(/5 {2}server \(or database\) unreachable/);
    }
  });

  it('an unknown command or option is a usage error (exit 2) naming it', async () => {
    const unknown = await kami(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    // kami-server keeps its own flags: an unknown word there is still its usage error.
    const server = await kami(['frobnicate'], { bin: kamiServerBin });
    expect(server.code).toBe(2);
    expect(server.stderr).toContain('Usage: kami-server');
  });
});
