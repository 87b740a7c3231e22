import { StoreError, storeErrors, type StoreErrorCode } from '@mithril-ts/service-kit';

/** The one error class of the signer store: every failure it reports carries one of service-kit's common store codes. */
export type SignerStoreErrorCode = StoreErrorCode;

export class SignerStoreError extends StoreError<SignerStoreErrorCode> {
  override readonly name = 'SignerStoreError';
}

/** Every failure of the store as a SignerStoreError: the shared plumbing's codes are ours too, any other failure is 'DATABASE'. */
export const signerStoreErrors = storeErrors(SignerStoreError);
