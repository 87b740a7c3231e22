/** The one error type of the devnet: a code to branch on and a message naming what was wrong. */
export type DevnetErrorCode = 'INVALID_PARAMETERS' | 'INVALID_ARGUMENT' | 'BEFORE_GENESIS' | 'CONFLICTING_DEVNET' | 'STOPPED';

export class DevnetError extends Error {
  constructor(
    readonly code: DevnetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DevnetError';
  }
}
