// @kami-verify/node — core's protocol with Node's pieces plugged in: undici, node:crypto, a
// machine code from the OS, and a managed heartbeat. Everything core exports is re-exported;
// `createVerify` below takes precedence over core's (explicit exports shadow `export *`).
export * from '@kami-verify/core';
export { createVerify, type NodeVerifyClient, type NodeVerifyOptions } from './create-verify';
export { nodeMd5 } from './crypto/node-md5';
// The heartbeat loop, its policy, emitter and events come from core (above); these add Node's
// hooks and `relogin`.
export {
  Heartbeat,
  type HeartbeatClient,
  type HeartbeatOptions,
  type HeartbeatSession,
  startHeartbeat,
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
