/**
 * MD5 of the UTF-8 bytes of `input`, as 32 lowercase hex characters.
 *
 * Core never ships a hash: the Node wrapper injects `node:crypto`, the browser wrapper
 * its own small MD5 (WebCrypto has none), and the server uses `node:crypto`.
 */
export type Md5 = (input: string) => string;
