import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { isLatestVersion, versionField } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const checkUpdate: T3Handler = async ({ app, values, reply }) => {
  const fields = versionField(values);
  if ('error' in fields) return reply.fail(fields.error);
  const update = app.settings.update;
  // 201 is the documented "already latest" answer, distinct from the error replies' msg texts.
  if (isLatestVersion(app, fields.ver)) return reply.other(201, { msg: T3_SUCCESS_MESSAGES.ALREADY_LATEST });
  reply.ok({
    ver: update.ver ?? update.version,
    version: update.version,
    uplog: update.uplog,
    upurl: update.upurl,
  });
};
