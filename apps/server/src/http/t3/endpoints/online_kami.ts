import type { T3Handler } from './types';

export const onlineKami: T3Handler = async ({ service, app, reply }) => {
  // t3sdk reads the count as int(msg).
  reply.ok({ msg: String(await service.onlineCards({ app })) });
};
