export type EncodingMode = 'plain' | 'base64' | 'rsa';

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
}
