/**
 * Era markers on the devnet, published the way a network's era operator publishes them: a signed
 * payload in the inline datum of a UTxO at the markers address, which the services read through
 * the chain observer (`utxo-<address>.json` beside tip.json, what `cardano-cli query utxo
 * --address <address> --out-file` writes) and verify under the era-markers key. A fresh key
 * pair per launch: the services of this launch are given its verification key.
 */
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inlineDatumOfBytes, poolIdFromColdVerificationKey } from '@mithril-ts/cardano';
import { encodeBech32, stringifyJson } from '@mithril-ts/codec';
import { encodeEraMarkersPayload, encodeEraMarkersVerificationKey, eraMarkersVerificationKeyOf, type EraMarker } from '@mithril-ts/protocol';

/** What the aggregator's and the signers' settings need to read the markers. */
export interface DevnetEraSettings {
  readonly eraReader: 'cardano-chain';
  readonly eraMarkersAddress: string;
  readonly eraMarkersVerificationKey: string;
}

export async function publishEraMarkers(cardanoCliDirectory: string, markers: readonly EraMarker[]): Promise<DevnetEraSettings> {
  const secretKey = new Uint8Array(randomBytes(32));
  const verificationKey = eraMarkersVerificationKeyOf(secretKey);
  // An enterprise testnet address (header 0x60) paying to the era key's hash (Blake2b-224, as a pool id is computed).
  const keyHash = Buffer.from(poolIdFromColdVerificationKey(verificationKey).hex, 'hex');
  const address = encodeBech32('addr_test', new Uint8Array([0x60, ...keyHash]));
  const utxos = {
    [`${Buffer.from(randomBytes(32)).toString('hex')}#0`]: {
      address,
      datum: null,
      inlineDatum: inlineDatumOfBytes(encodeEraMarkersPayload(markers, secretKey)),
      referenceScript: null,
      value: { lovelace: 2_000_000 },
    },
  };
  const file = join(cardanoCliDirectory, `utxo-${address}.json`);
  await writeFile(`${file}.tmp`, stringifyJson(utxos));
  await rename(`${file}.tmp`, file);
  return { eraReader: 'cardano-chain', eraMarkersAddress: address, eraMarkersVerificationKey: encodeEraMarkersVerificationKey(verificationKey) };
}
