// online_user (获取在线用户数量): → the number of accounts with a live session, in `msg`.
import type { T3Handler } from './types';

export const onlineUser: T3Handler = async ({ service, app, reply }) => {
  reply.ok({ msg: String(await service.onlineUsers({ app })) });
};
