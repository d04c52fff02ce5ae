// The declarative server configuration. Its single definition is the schema in src/schema/config.ts;
// this module names what the rest of the server imports.
export {
  type ResolvedServerSection,
  resolveServerSection,
  SERVER_DEFAULTS,
  type ServerConfig,
  type ServerSection,
  type ThrottleConfig,
} from '../schema/config';
