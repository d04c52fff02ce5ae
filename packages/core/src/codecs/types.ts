export type EncodingMode = 'plain' | 'base64' | 'rsa';

/** How an app encodes values: the setting shared by client options and server config. */
export type EncodingOptions =
  | { mode: 'plain' }
  | { mode: 'base64'; alphabet: string }
  | { mode: 'rsa'; publicKey: string; privateKey?: string };

/** What a client does with values and bodies in one encoding mode. */
export interface ClientCodec {
  readonly mode: EncodingMode;
  /** Encodes one request value. RSA output is randomised: encode once, sign what you send. */
  encodeValue(value: string): string;
  /** Turns a response body into JSON text. */
  decodeResponse(body: string): string;
}

/** The server's side of the same mode. */
export interface ServerCodec {
  readonly mode: EncodingMode;
  decodeValue(value: string): string;
  encodeResponse(json: string): string;
  /**
   * The longest encoded form of a value of at most `bytes` UTF-8 bytes, so a server can refuse
   * an oversized field by its length alone, before decoding it.
   */
  maxEncodedLength(bytes: number): number;
}
