// The operator CLI: `kami <group> <command>` (also `kami-server <group> <command>`). Commands that
// talk to a running server use its admin API; `tokens create`, `backup` and `restore` open the
// store directly.
import { Command, CommanderError } from 'commander';
import { registerApps } from './apps';
import { registerBackup } from './backup';
import { registerCards } from './cards';
import { type CliContext, processContext } from './context';
import { CliError, EXIT } from './exit-codes';
import { registerSessions } from './sessions';
import { registerTokens } from './tokens';

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  failure (server error, failed verification, I/O)
  2  usage error (the message names the flag, argument or field)
  3  authentication: no admin token, or the server refused it
  4  not found (app, card, session, token, file)
  5  server (or database) unreachable
  6  the embedded store is in use by a running server

Environment: KAMI_URL (default http://127.0.0.1:8080), KAMI_TOKEN (an admin token; prefer it or
--token-file to --token, which shows in ps and shell history), DATABASE_URL (as kami-server).
`;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command(ctx.name)
    .description('Kami Verify operator commands')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.note })
    .addHelpText('after', EXIT_CODES_HELP);
  registerApps(program, ctx);
  registerCards(program, ctx);
  registerSessions(program, ctx);
  registerTokens(program, ctx);
  registerBackup(program, ctx);
  // Every subcommand: usage errors as exit code 2, output to the context.
  const configure = (cmd: Command) => {
    cmd
      .exitOverride()
      .configureOutput({ writeOut: ctx.out, writeErr: ctx.note })
      .showHelpAfterError('(add --help for usage)');
    for (const sub of cmd.commands) configure(sub);
  };
  for (const sub of program.commands) configure(sub);
  return program;
}

/** Runs one command line; resolves with the exit code (never throws). */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT.ok;
      // commander has printed its message (naming the option or argument) already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      ctx.note(`${ctx.name}: ${error.message}\n`);
      return error.exitCode;
    }
    ctx.note(`${ctx.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
}

/** The process entry. */
export async function main(name: string, argv: readonly string[]): Promise<void> {
  const code = await runCli(argv, processContext(name));
  // Exit once both streams are flushed: a driver's idle socket or timer must not keep a finished
  // command alive.
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
