import type { ClientCodec, ServerCodec } from './types';

/** Values sent as they are; responses are plain JSON. */
export const plainCodec: ClientCodec & ServerCodec = {
  mode: 'plain',
  encodeValue: (value) => value,
  decodeResponse: (body) => body,
  decodeValue: (value) => value,
  encodeResponse: (json) => json,
  // A string of n UTF-8 bytes never has more than n UTF-16 code units.
  maxEncodedLength: (bytes) => bytes,
};
