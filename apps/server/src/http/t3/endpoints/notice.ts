import type { T3Handler } from './types';

export const notice: T3Handler = async ({ app, reply }) => {
  reply.ok({ msg: app.settings.notice });
};
