/**
 * The port through which the aggregator and the signer read their own node's immutable database
 * for the `CardanoDatabase` signed entity. One interface for both (they must compute the same
 * digest); the adapter that reads the disk is service-kit's `ImmutableDbDigester`.
 */
export interface ImmutableDigester {
  /** The latest final immutable file number (its trio complete, a later chunk started); undefined when there is none yet. */
  latestImmutableFileNumber(): Promise<bigint | undefined>;
  /** The `cardano_database_merkle_root` (hex) of the immutable files up to `upTo` (see `immutableFilesUpTo`). */
  cardanoDatabaseMerkleRoot(upTo: bigint): Promise<string>;
}
