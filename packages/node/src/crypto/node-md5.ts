import * as nodeCrypto from 'node:crypto';
import { createNodeMd5, type Md5 } from '@kami-verify/core';

/** MD5 of the UTF-8 bytes of `input`, 32 lowercase hex: the hash the protocol signs with. */
export const nodeMd5: Md5 = createNodeMd5(nodeCrypto);
