// What every command gets: where output goes and the environment it reads. Tests run the real
// binary; this indirection only keeps the commands free of process globals.
export interface CliContext {
  /** The program name in messages: `kami` or `kami-server`. */
  name: string;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  /** Notes for people (what was written where); never data. */
  note(text: string): void;
  /** Whether long work may draw a progress bar (stderr is a terminal). */
  tty: boolean;
}

export function processContext(name: string): CliContext {
  return {
    name,
    env: process.env,
    out: (text) => process.stdout.write(text),
    note: (text) => process.stderr.write(text),
    tty: process.stderr.isTTY === true,
  };
}
