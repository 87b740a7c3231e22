/** Why a chain observer could not answer; stable codes a service can log, alert on or map to a status. */
export type ChainObserverErrorCode =
  /** A file the files observer reads is unreadable or too large. */
  | 'UNREADABLE'
  /** The `cardano-cli` binary is not where the settings say, or cannot be executed. */
  | 'BINARY_NOT_FOUND'
  /** The node socket does not exist (the node is not running, or `socketPath` is wrong). */
  | 'SOCKET_MISSING'
  /** The node, or Ogmios, does not accept connections. */
  | 'NODE_UNREACHABLE'
  /** The node is still syncing: what it would answer is not the network's present. */
  | 'NODE_NOT_SYNCED'
  /** The node is in an era whose command forms or answers this observer does not know. */
  | 'UNKNOWN_ERA'
  /** The node is in an era without stake (Byron): it is still far behind. */
  | 'ERA_WITHOUT_STAKE'
  /** No answer within the configured time. */
  | 'TIMEOUT'
  /** An answer above the size limit. */
  | 'OUTPUT_TOO_LARGE'
  /** The command or request failed for another reason (its message is kept). */
  | 'QUERY_FAILED'
  /** An answer that is not what the command or method returns. */
  | 'INVALID_OUTPUT';

export class ChainObserverError extends Error {
  constructor(
    message: string,
    readonly code: ChainObserverErrorCode = 'UNREADABLE',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ChainObserverError';
  }
}
