/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_KAMI_URL: string;
  readonly VITE_KAMI_APPKEY: string;
  readonly VITE_KAMI_LOGIN_CODE: string;
  readonly VITE_KAMI_HEARTBEAT_CODE: string;
  /** The app's statecode validity on the server, seconds (default 600, the server's default). */
  readonly VITE_KAMI_VALIDITY_SECONDS?: string;
  /** Beat period, ms (default: half the validity). */
  readonly VITE_KAMI_HEARTBEAT_MS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
