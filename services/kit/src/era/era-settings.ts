/**
 * The era settings every service that checks eras has, under the same names (the reference's
 * `era_reader_adapter_type` values): `eraReader` = bootstrap | file | cardano-chain, with
 * `eraMarkersFile` for file, and `eraMarkersAddress` + `eraMarkersVerificationKey` for
 * cardano-chain. A service spreads {@link eraSettings} into its zod object and refines it with
 * {@link requireEraSettings}.
 */
import { decodeEraMarkersVerificationKey } from '@mithril-ts/protocol';
import { z } from 'zod';
import { BootstrapEraReader, CardanoChainEraReader, FileEraReader, type EraReader, type InlineDatumSource } from './era-reader.js';

export const eraSettings = {
  eraReader: z.enum(['bootstrap', 'file', 'cardano-chain']).default('bootstrap'),
  eraMarkersFile: z.string().min(1).optional(),
  eraMarkersAddress: z.string().min(1).optional(),
  /** json-hex of the 32-byte Ed25519 key (the reference's era.vkey files) or plain hex. */
  eraMarkersVerificationKey: z.string().min(1).optional(),
};

export const ERA_SETTING_DESCRIPTIONS = {
  eraReader:
    "where the Mithril era markers come from: bootstrap (this binary's era since epoch 0), file (eraMarkersFile) or cardano-chain (datums at eraMarkersAddress)",
  eraMarkersFile: 'JSON list of era markers [{"name":"pythagoras","epoch":0}, …] (eraReader=file)',
  eraMarkersAddress: 'address whose inline datums carry the signed era markers (eraReader=cardano-chain)',
  eraMarkersVerificationKey: "the network's era-markers verification key, json-hex or hex (eraReader=cardano-chain)",
} as const;

export interface EraSettings {
  readonly eraReader: 'bootstrap' | 'file' | 'cardano-chain';
  readonly eraMarkersFile?: string | undefined;
  readonly eraMarkersAddress?: string | undefined;
  readonly eraMarkersVerificationKey?: string | undefined;
}

/** A zod refinement: the settings the chosen reader needs are set, and the key decodes. */
export function requireEraSettings(settings: EraSettings, context: z.RefinementCtx): void {
  const need = (key: keyof EraSettings) => {
    if (settings[key] === undefined) context.addIssue({ code: 'custom', path: [key], message: `${key} is required with eraReader=${settings.eraReader}` });
  };
  if (settings.eraReader === 'file') need('eraMarkersFile');
  if (settings.eraReader === 'cardano-chain') {
    need('eraMarkersAddress');
    need('eraMarkersVerificationKey');
    if (settings.eraMarkersVerificationKey !== undefined) {
      try {
        decodeEraMarkersVerificationKey(settings.eraMarkersVerificationKey);
      } catch (error) {
        context.addIssue({ code: 'custom', path: ['eraMarkersVerificationKey'], message: (error as Error).message });
      }
    }
  }
}

/** The reader the settings name; `datums` serves cardano-chain (the service's chain observer: files, cardano-cli or Ogmios). */
export function eraReaderFromSettings(settings: EraSettings, datums: InlineDatumSource): EraReader {
  switch (settings.eraReader) {
    case 'bootstrap':
      return new BootstrapEraReader();
    case 'file':
      return new FileEraReader(settings.eraMarkersFile!);
    case 'cardano-chain':
      return new CardanoChainEraReader(datums, settings.eraMarkersAddress!, decodeEraMarkersVerificationKey(settings.eraMarkersVerificationKey!));
  }
}
