import { createHash } from 'node:crypto';
import type { Md5 } from '@kami-verify/core';

/** The protocol's md5 for the whole server (core never ships a hash; the server uses node:crypto). */
export const md5: Md5 = (input) => createHash('md5').update(input, 'utf8').digest('hex');
