export { DevnetError, type DevnetErrorCode } from './errors.js';
export { DEFAULT_DEVNET_PARAMETERS, devnetParameters, poolIndexes, type DevnetParameters } from './parameters.js';
export { chainPosition, positionAtSlot, slotAt, slotStartMs, type ChainPosition } from './position.js';
export {
  devnetPool,
  devnetPoolId,
  poolFiles,
  POOL_FILE_NAMES,
  SECRET_POOL_FILES,
  OPCERT_ISSUE_NUMBER,
  OPCERT_START_KES_PERIOD,
  type DevnetPool,
  type PoolFileName,
} from './pools.js';
export { poolStake, stakeDistribution, MIN_POOL_STAKE, MAX_POOL_STAKE } from './stake.js';
export { immutableTrio, trioFiles, chunkSlots, type ImmutableTrio } from './immutable-db.js';
export {
  buildBlock,
  assembleBlock,
  devnetTransaction,
  blockIssuer,
  DEFAULT_BLOCK_SHAPE,
  CONWAY_ERA_TAG,
  type BuiltBlock,
  type BlockShape,
  type LedgerTransaction,
  type PreviousBlock,
} from './blocks.js';
export { ledgerSnapshotFiles, LEDGER_SNAPSHOTS_KEPT, type LedgerSnapshotFiles } from './ledger-state.js';
export { tipJson, stakeSnapshotJson, kesPeriodInfoJson, ERA } from './cardano-cli.js';
export { prettyJson, type JsonValue } from './json.js';
export { devnetLayout, type DevnetLayout } from './layout.js';
export { writeFileAtomic } from './files.js';
export { Devnet, type DevnetOptions, type DevnetPoolInfo } from './devnet.js';
export {
  CHAIN_OBSERVER_KINDS,
  DEVNET_CARDANO_CLI,
  DEVNET_NETWORK_MAGIC,
  devnetChainAccess,
  startDevnetOgmios,
  type ChainObserverKind,
  type DevnetChainAccess,
} from './observers.js';
