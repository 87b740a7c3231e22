import { StoreError, storeErrors, type StoreErrorCode } from '@mithril-ts/service-kit';

/** The one error class of the certifier store: every failure it reports carries one of service-kit's common store codes. */
export type CertifierStoreErrorCode = StoreErrorCode;

export class CertifierStoreError extends StoreError<CertifierStoreErrorCode> {
  override readonly name = 'CertifierStoreError';
}

/** Every failure of the store as a CertifierStoreError: the shared plumbing's codes are ours too, any other failure is 'DATABASE'. */
export const certifierStoreErrors = storeErrors(CertifierStoreError);
