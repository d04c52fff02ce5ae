import * as nodeCrypto from 'node:crypto';
import { createNodeMd5 } from '@kami-verify/core';

/** The protocol's md5 for the whole server: core's node:crypto md5, bound once. */
export const md5 = createNodeMd5(nodeCrypto);
