/** Which store to open: embedded in memory, embedded in a directory, or a PostgreSQL server. */
export type DatabaseSpec =
  | { kind: 'memory' }
  | { kind: 'file'; path: string }
  | { kind: 'postgres'; url: string };
