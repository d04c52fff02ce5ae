import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { autographField, matchAppSignature } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const appSign: T3Handler = async ({ app, values, reply, nowMs }) => {
  const fields = autographField(values);
  if ('error' in fields) return reply.fail(fields.error);
  const match = matchAppSignature(app, fields.autograph);
  if (match === undefined) return reply.fail('APP_SIGN_MISMATCH');
  reply.ok({ msg: T3_SUCCESS_MESSAGES.APP_SIGN_OK, autograph: match, time: Math.floor(nowMs / 1000) });
};
