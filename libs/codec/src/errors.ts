/** Why a decode or encode failed; stable strings that callers can map to their own statuses. */
export type CodecErrorCode =
  | 'INVALID_HEX'
  | 'INVALID_JSON'
  | 'INVALID_JSON_HEX'
  | 'INVALID_UTF8'
  | 'INVALID_BECH32'
  | 'WRONG_PREFIX'
  | 'INVALID_CBOR'
  | 'INVALID_ENVELOPE'
  | 'TOO_LARGE'
  | 'WRONG_TYPE'
  | 'WRONG_LENGTH'
  | 'NO_MATCHING_ENCODING';

export class CodecError extends Error {
  constructor(
    readonly code: CodecErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CodecError';
  }
}

/** Message of any thrown value, for wrapping third-party errors into CodecError messages. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
