// `sessions list | kick` over the admin API.
import type { Command } from 'commander';
import { APP_OPTION, appPath, clientFor, msTime, type ServerCommandFlags, serverCommand } from './common';
import type { CliContext } from './context';
import { usageError } from './exit-codes';
import { formatOf, renderRecord, renderRows } from './output';

interface SessionView {
  statecode: string;
  key: string;
  device: string;
  createdAt: number;
  expiresAt: number;
}

export function registerSessions(program: Command, ctx: CliContext): void {
  const sessions = program.command('sessions').description('Live sessions: list, kick');

  serverCommand(
    sessions
      .command('list')
      .description('Live sessions of the app, or of one card')
      .requiredOption(...APP_OPTION)
      .option('--card <key>', 'only this card’s sessions'),
  ).action(async (flags: ServerCommandFlags & { app: string; card?: string }) => {
    const format = formatOf(flags);
    const { sessions: list } = await clientFor(flags, ctx).request<{ sessions: SessionView[] }>(
      'GET',
      `${appPath(flags.app)}/sessions`,
      { query: { card: flags.card } },
    );
    if (format === 'json') return ctx.out(`${JSON.stringify(list, null, 2)}\n`);
    ctx.out(
      renderRows(
        list.map((s) => ({ ...s, createdAt: msTime(s.createdAt), expiresAt: msTime(s.expiresAt) })),
        [
          { key: 'key' },
          { key: 'device' },
          { key: 'statecode' },
          { key: 'createdAt', header: 'since' },
          { key: 'expiresAt', header: 'expires' },
        ],
        format,
      ),
    );
  });

  serverCommand(
    sessions
      .command('kick')
      .description(
        'End the sessions of one card (--card) or of the whole app (--all); their heartbeats get 状态码不存在',
      )
      .requiredOption(...APP_OPTION)
      .option('--card <key>', 'the card whose sessions end')
      .option('--all', 'every session of the app'),
  ).action(async (flags: ServerCommandFlags & { app: string; card?: string; all?: boolean }) => {
    const format = formatOf(flags);
    if ((flags.card === undefined) === (flags.all === undefined))
      throw usageError('--card or --all: give exactly one');
    const result = await clientFor(flags, ctx).request<{ count: number }>(
      'POST',
      `${appPath(flags.app)}/sessions/kick`,
      {
        body: flags.card !== undefined ? { card: flags.card } : { all: true },
      },
    );
    ctx.out(format === 'table' ? `ended ${result.count} sessions\n` : renderRecord(result, format));
  });
}
