// T3 reply bodies: `code` first (string or int per app), then the endpoint's fields, the whole
// JSON encoded with the app's server codec in base64 / RSA mode.

import type { ServerResponse } from 'node:http';
import { T3_MESSAGES, type T3MessageCode } from '@kami-verify/core';
import type { ServerCodec } from '@kami-verify/core/server';
import type { AppRecord } from '../../domain/types';
import type { RequestNotes } from '../request-log';

export class T3Reply {
  /** Set once an error reply was sent (the throttle counts failed logins). */
  failed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly notes: RequestNotes,
    private readonly app: AppRecord,
    private readonly codec: ServerCodec,
    private readonly errorCode: number,
  ) {}

  /** A code value in the app's code type (`"200"` or `200`). */
  code(value: number): string | number {
    return this.app.settings.codeType === 'int' ? value : String(value);
  }

  ok(fields: Record<string, unknown>): void {
    this.send({ code: this.code(this.app.settings.successCode), ...fields });
  }

  /** A non-success reply with another code than the error code (check_update's 201 已是最新版). */
  other(code: number, fields: Record<string, unknown>): void {
    this.send({ code: this.code(code), ...fields });
  }

  fail(error: T3MessageCode): void {
    this.failed = true;
    this.notes.result = T3_MESSAGES[error];
    this.send({ code: this.code(this.errorCode), msg: T3_MESSAGES[error] });
  }

  private send(body: Record<string, unknown>): void {
    const json = JSON.stringify(body);
    const plain = this.codec.mode === 'plain';
    const text = plain ? json : this.codec.encodeResponse(json);
    const res = this.res;
    res.statusCode = 200;
    res.setHeader('Content-Type', plain ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  }
}
