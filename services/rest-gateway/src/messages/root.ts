/** `GET /`: the reference's AggregatorFeaturesMessage (API version and signing capabilities). */
import type { SignedEntityKind } from '@mithril-ts/protocol';

export const DOCUMENTATION_URL = 'https://mithril.network';

export function rootMessage(openApiVersion: string, signedEntityTypes: readonly SignedEntityKind[]): Record<string, unknown> {
  return {
    open_api_version: openApiVersion,
    documentation_url: DOCUMENTATION_URL,
    capabilities: {
      signed_entity_types: [...signedEntityTypes],
      // STM multi-signatures are concatenations of single signatures (the reference's only type outside its SNARK era).
      aggregate_signature_type: 'Concatenation',
    },
  };
}
