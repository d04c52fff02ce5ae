// @kami-verify/node — core's protocol with Node's pieces plugged in: undici, node:crypto, a
// machine code from the OS, and a managed heartbeat. Everything core exports is re-exported;
// `createVerify` below takes precedence over core's (explicit exports shadow `export *`).
export * from '@kami-verify/core';
export { createVerify, type NodeVerifyClient, type NodeVerifyOptions } from './create-verify';
export { nodeMd5 } from './crypto/node-md5';
export {
  type BeatInfo,
  DEFINITIVE_HEARTBEAT_CODES,
  HEARTBEAT_DEFAULTS,
  Heartbeat,
  type HeartbeatClient,
  type HeartbeatEnd,
  type HeartbeatEvents,
  type HeartbeatOptions,
  type HeartbeatSession,
  type HeartbeatState,
  isDefinitiveHeartbeatError,
  type LostInfo,
  startHeartbeat,
  type TransientErrorInfo,
} from './heartbeat';
export {
  DEFAULT_MACHINE_CODE_SALT,
  getMachineCode,
  MACHINE_CODE_ENV,
  type MachineCodeDetails,
  type MachineCodeOptions,
  type MachineCodeReaders,
  type MachineIdSource,
  resolveMachineCode,
} from './machine-code';
export {
  createUndiciTransport,
  UNDICI_TRANSPORT_DEFAULTS,
  type UndiciTransport,
  type UndiciTransportOptions,
} from './net/undici-transport';
export type { Session } from './session';
