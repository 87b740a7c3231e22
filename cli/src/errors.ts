/**
 * One error type for the client, carrying the exit code a script or a wallet can act on. Every
 * failure ends up here: protocol rule violations, transport trouble, bad usage, missing
 * artifacts and local disk problems each have their own exit code.
 */

/** Exit codes of `mithril-client` (documented in README.md). */
export const EXIT_CODES = {
  ok: 0,
  /** Something did not verify: certificate chain, multi-signature, Merkle root, file digest, archive. */
  verification: 1,
  /** Bad arguments or options, missing genesis key, target directory in the way. */
  usage: 2,
  /** The aggregator or a download location could not be reached, refused, or answered garbage. */
  network: 3,
  /** The snapshot, certificate or stake distribution asked for does not exist. */
  notFound: 4,
  /** The local file system failed (permissions, disk full). */
  localIo: 5,
  /** `snapshot verify`: certified files are missing from the database directory (none modified). */
  dbFilesMissing: 6,
  /** `snapshot verify`: the directory holds files the snapshot does not list (none missing or modified). */
  dbFilesExtra: 7,
  /** A bug in the client itself. */
  internal: 10,
  /** Stopped by the user (SIGINT/SIGTERM); partial downloads are kept for the next run. */
  interrupted: 130,
} as const;

export type CliErrorKind = 'verification' | 'usage' | 'network' | 'not-found' | 'local-io' | 'internal' | 'interrupted';

const EXIT_CODE_OF: Record<CliErrorKind, number> = {
  verification: EXIT_CODES.verification,
  usage: EXIT_CODES.usage,
  network: EXIT_CODES.network,
  'not-found': EXIT_CODES.notFound,
  'local-io': EXIT_CODES.localIo,
  internal: EXIT_CODES.internal,
  interrupted: EXIT_CODES.interrupted,
};

/** The `code` of a JSON error event, one per kind. */
const EVENT_CODE_OF: Record<CliErrorKind, string> = {
  verification: 'VERIFICATION_FAILED',
  usage: 'USAGE_ERROR',
  network: 'NETWORK_ERROR',
  'not-found': 'NOT_FOUND',
  'local-io': 'LOCAL_IO_ERROR',
  internal: 'INTERNAL_ERROR',
  interrupted: 'INTERRUPTED',
};

export class CliError extends Error {
  /** A finer, stable reason, e.g. a ProtocolError code or DIGEST_MISMATCH. */
  readonly reason: string | undefined;

  constructor(
    readonly kind: CliErrorKind,
    message: string,
    options: { reason?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'CliError';
    this.reason = options.reason;
  }

  get exitCode(): number {
    return EXIT_CODE_OF[this.kind];
  }

  get eventCode(): string {
    return EVENT_CODE_OF[this.kind];
  }
}

export function verificationFailed(reason: string, message: string, cause?: unknown): CliError {
  return new CliError('verification', message, { reason, cause });
}

const LOCAL_IO_CODES = new Set(['EACCES', 'EPERM', 'ENOSPC', 'EROFS', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOENT', 'EMFILE', 'EXDEV', 'EBUSY', 'ENOTEMPTY']);

function isProtocolError(error: unknown): error is Error & { readonly code: string } {
  return error instanceof Error && error.name === 'ProtocolError' && typeof (error as { code?: unknown }).code === 'string';
}

/** Any thrown value as a CliError; what is not recognised is reported as an internal error, never guessed. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  // By name rather than instanceof: importing libs/protocol here would load it (and the curves
  // under it) for every start of the bin, --help included.
  if (isProtocolError(error)) {
    if (error.code === 'INVALID_GENESIS_KEY') return new CliError('usage', error.message, { reason: error.code, cause: error });
    return new CliError('verification', error.message, { reason: error.code, cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && LOCAL_IO_CODES.has(code)) {
    return new CliError('local-io', (error as Error).message, { reason: code, cause: error });
  }
  return new CliError('internal', `unexpected failure: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
