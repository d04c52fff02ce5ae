import type { T3Handler } from './types';

export const version: T3Handler = async ({ app, reply }) => {
  // `ver` is the display name, `msg` the version number (t3sdk reads msg).
  reply.ok({ ver: app.settings.ver ?? app.settings.version, msg: app.settings.version });
};
