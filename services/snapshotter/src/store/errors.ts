/** How the shared store plumbing's errors surface at the snapshotter's boundary. */
import { StoreSetupError } from '@mithril-ts/service-kit';
import { SnapshotterError } from '../errors.js';

/** A bad store location is a bad setting; a failed migration is a store failure. Anything else is left as is. */
export function fromStoreSetupError(error: unknown): unknown {
  if (!(error instanceof StoreSetupError)) return error;
  return new SnapshotterError(error.code === 'INVALID_URL' ? 'INVALID_ARGUMENT' : 'STORE_FAILED', error.message, { cause: error });
}
