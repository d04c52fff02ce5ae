import { createServerCodec, type ServerCodec } from '@kami-verify/core/server';
import type { AppRecord } from '../../domain/types';

// Building an RSA codec parses the private key; do it once per app record (records are cached
// by the service and replaced, not mutated, when an app changes).
const codecs = new WeakMap<AppRecord, ServerCodec>();

export function codecFor(app: AppRecord): ServerCodec {
  let codec = codecs.get(app);
  if (!codec) {
    codec = createServerCodec(app.settings.encoding);
    codecs.set(app, codec);
  }
  return codec;
}
