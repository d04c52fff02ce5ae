import { createHash } from 'node:crypto';
import type { Md5 } from '@kami-verify/core';

/** The protocol's md5 (core never ships a hash; the server injects node:crypto's). */
export const md5: Md5 = (input) => createHash('md5').update(input, 'utf8').digest('hex');
