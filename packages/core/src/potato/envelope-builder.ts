import type { PotatoEnvelope } from './envelope';

/** The envelope a potatocloud server answers with; `status` follows the code. */
export function potatoEnvelope<T>(code: number, message: string, data: T): PotatoEnvelope<T> {
  return { code: String(code), message, status: code === 200, data, pc: null, time: null, sign: null };
}
