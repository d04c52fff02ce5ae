/** The potatocloud response envelope, exactly as the service sends it. */
export interface PotatoEnvelope<T = unknown> {
  code: string | number;
  message: string;
  status: boolean;
  data: T;
  pc: unknown;
  time: unknown;
  sign: unknown;
}

/** A card as `createCardMy` / `getCardMyList` return it. */
export interface PotatoCard {
  /** Snowflake id, always a string (it exceeds 2^53). */
  id: string;
  createdDate: number;
  modifiedDate: number;
  /** 0 deleted, 1 in use. */
  status: 0 | 1;
  ip: string;
  appId: string;
  /** 32 uppercase hex characters. */
  cardStr: string;
  exportState: number;
  state: number;
  type: number;
}
