// The command groups, known to kami-server without loading them: `kami-server <group> …` runs
// the operator CLI, anything else (flags, nothing) serves as before.
export const COMMAND_GROUPS = ['apps', 'cards', 'sessions', 'tokens', 'backup', 'restore', 'help'] as const;

export const isCommandGroup = (arg: string | undefined): boolean =>
  arg !== undefined && (COMMAND_GROUPS as readonly string[]).includes(arg);
