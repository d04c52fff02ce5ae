import type { T3Handler } from './types';

export const version: T3Handler = async ({ app, reply }) => {
  reply.ok({ ver: app.settings.version, msg: app.settings.version });
};
