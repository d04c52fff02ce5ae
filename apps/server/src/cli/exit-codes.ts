// The exit codes of `kami` (and `kami-server <command>`), documented in docs/operations.md.
// Scripts branch on them, so a code's meaning never changes.

export const EXIT = {
  ok: 0,
  /** Anything else that went wrong (a server error, a failed verification, an I/O error). */
  failure: 1,
  /** A flag, argument or input field is wrong; the message names it. */
  usage: 2,
  /** No admin token, or the server refused it (unknown, revoked, or lacking the scope). */
  auth: 3,
  /** The app, card, session or token named does not exist. */
  notFound: 4,
  /** No server answered at the URL (connection refused, DNS, timeout). */
  unreachable: 5,
  /** The embedded store's data directory is held by a running server. */
  storeInUse: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr and turns into its exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
