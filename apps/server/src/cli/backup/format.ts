// The backup file: gzip over lines. A JSON header, then per table a JSON line naming it and its
// columns, its rows as PostgreSQL COPY text (one row per line, so `\.` can end the table: data
// never holds a bare `\.` line, backslashes being escaped), then a JSON trailer with each
// table's row count and checksum. Both engines write and read the same format, so a backup of
// the embedded store restores into PostgreSQL and back.
//
// The checksum of a table is order-independent: the sum (mod 2^256) of the SHA-256 of each
// row's COPY text. Rows need no ORDER BY (no sort, no collation differences between engines),
// and the restored table, copied out again, must give the same sum.
import { createHash } from 'node:crypto';

export const FORMAT = 'kami-verify-backup';
export const FORMAT_VERSION = 1;
export const END_OF_TABLE = '\\.';

export interface BackupHeader {
  format: typeof FORMAT;
  version: number;
  createdAt: string;
  /** The engine the backup was taken from ('pglite' | 'postgres'); informative only. */
  engine: string;
  /** Migration versions the source had applied. */
  migrations: number[];
}

export interface TableHeader {
  table: string;
  columns: string[];
}

export interface TableSummary {
  name: string;
  rows: number;
  checksum: string;
}

export interface BackupTrailer {
  end: true;
  tables: TableSummary[];
}

const MOD = 1n << 256n;

/** Row count and order-independent checksum of COPY text, fed as lines or as raw chunks. */
export class RowSum {
  rows = 0;
  private sum = 0n;
  private carry: Buffer = Buffer.alloc(0);

  line(text: string | Buffer): void {
    this.rows++;
    this.sum = (this.sum + BigInt(`0x${createHash('sha256').update(text).digest('hex')}`)) % MOD;
  }

  /** COPY output in arbitrary chunks: every complete line counts. */
  chunk(bytes: Buffer): void {
    let data = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      this.line(data.subarray(start, nl));
      start = nl + 1;
    }
    data = data.subarray(start);
    this.carry = Buffer.from(data);
  }

  summary(name: string): TableSummary {
    if (this.carry.length > 0) throw new Error(`COPY text of ${name} did not end with a newline`);
    return { name, rows: this.rows, checksum: this.sum.toString(16).padStart(64, '0') };
  }
}

export function parseHeader(line: string | undefined): BackupHeader {
  let value: unknown;
  try {
    value = JSON.parse(line ?? '');
  } catch {
    value = undefined;
  }
  const header = value as Partial<BackupHeader> | undefined;
  if (!header || header.format !== FORMAT)
    throw new Error('not a kami backup file (no kami-verify-backup header)');
  if (header.version !== FORMAT_VERSION)
    throw new Error(
      `backup format version ${header.version} is not supported (this kami reads ${FORMAT_VERSION})`,
    );
  if (!Array.isArray(header.migrations)) throw new Error('backup header has no migrations list');
  return header as BackupHeader;
}
