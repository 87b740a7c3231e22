/**
 * Certificate-chain verification: from a certificate back to genesis, link by link, the rules
 * that make a chain trustworthy without trusting whoever served it. Every broken rule is a
 * ProtocolError with its own code.
 *
 * Standard certificate: hash ≠ previous hash, recomputed hash, signed message = hash of the
 * protocol message, multi-signature over the signed message with the certificate's own AVK and
 * parameters, current_epoch part = epoch, previous certificate's epoch within one, previous hash
 * links, AVK continuity (same epoch: same AVK; next epoch: the previous certificate's announced
 * next AVK) and parameters continuity (likewise with the announced next parameters).
 * Genesis certificate: recomputed hash, signed message, Ed25519 signature by the genesis key,
 * current_epoch part; the walk stops there.
 */
import { AggregateSignature, type AggregateVerificationKey } from '@mithril-ts/stm';
import { avkJsonHex, computeCertificateHash, type Certificate } from './certificate.js';
import { ProtocolError } from './errors.js';
import { verifyGenesisSignature } from './genesis.js';
import { protocolParametersHash, sameProtocolParameters } from './protocol-parameters.js';
import { signedMessageBytes, type ProtocolMessagePartKey } from './protocol-message.js';
import { sameSignedEntityType, signedEntityTypeToJson, type CertifiedEntityType } from './signed-entity-type.js';

/** Where certificates come from (an aggregator over REST or gRPC, a store, a test fixture). */
export interface CertificateSource {
  getCertificate(hash: string): Promise<Certificate | undefined>;
}

/** Hashes of certificates already verified back to genesis (under the same genesis key). */
export interface VerifiedCertificateCache {
  has(hash: string): boolean;
  add(hash: string): void;
}

/** An in-memory cache bounded by count, oldest entries evicted first. */
export class MemoryVerifiedCertificateCache implements VerifiedCertificateCache {
  private readonly hashes = new Set<string>();
  constructor(private readonly capacity = 10_000) {}

  has(hash: string): boolean {
    return this.hashes.has(hash);
  }

  add(hash: string): void {
    this.hashes.add(hash);
    if (this.hashes.size > this.capacity) this.hashes.delete(this.hashes.values().next().value as string);
  }
}

export interface ChainVerificationOptions {
  /** Verify all multi-signatures of the walk in one batched pairing check (default true). */
  readonly batch?: boolean;
  readonly cache?: VerifiedCertificateCache;
  /** Upper bound on the certificates walked (default 100,000): a served chain cannot loop us forever. */
  readonly maxLength?: number;
}

export interface ChainVerificationResult {
  /** Certificates verified in this walk, newest first. */
  readonly verified: readonly Certificate[];
  /** Where the walk ended: the genesis certificate, or a certificate already in the cache. */
  readonly endedAt: { readonly kind: 'genesis' | 'cached'; readonly hash: string };
}

function fail(code: ConstructorParameters<typeof ProtocolError>[0], certificate: Certificate, detail: string): never {
  throw new ProtocolError(code, `certificate ${certificate.hash.slice(0, 16)}… (epoch ${certificate.epoch}): ${detail}`);
}

function sameAvk(a: AggregateVerificationKey, b: AggregateVerificationKey): boolean {
  return avkJsonHex(a) === avkJsonHex(b);
}

export class CertificateChainVerifier {
  constructor(private readonly genesisVerificationKey: Uint8Array) {}

  /** The checks of one certificate on its own (everything but the links to its predecessor). */
  verifyCertificateAlone(certificate: Certificate, options: { skipMultiSignature?: boolean } = {}): void {
    if (certificate.hash === certificate.previousHash) fail('CERTIFICATE_CHAIN_INFINITE_LOOP', certificate, 'it links to itself');
    if (computeCertificateHash(certificate) !== certificate.hash) fail('CERTIFICATE_HASH_MISMATCH', certificate, 'its hash does not match its content');
    if (certificate.protocolMessage.signedMessage() !== certificate.signedMessage) {
      fail('CERTIFICATE_PROTOCOL_MESSAGE_MISMATCH', certificate, 'the signed message is not the hash of the protocol message');
    }
    if (certificate.protocolMessage.get('current_epoch') !== certificate.epoch.toString()) {
      fail('CERTIFICATE_EPOCH_MISMATCH', certificate, 'the protocol message names another epoch');
    }
    const message = signedMessageBytes(certificate.signedMessage);
    if (certificate.signature.kind === 'genesis') {
      if (certificate.previousHash !== '') fail('INVALID_CERTIFICATE', certificate, 'a genesis certificate has no previous certificate');
      if (!verifyGenesisSignature(this.genesisVerificationKey, message, certificate.signature.genesisSignature)) {
        fail('INVALID_GENESIS_SIGNATURE', certificate, 'the genesis signature does not verify under the genesis verification key');
      }
    } else if (!options.skipMultiSignature) {
      try {
        certificate.signature.multiSignature.verify(message, certificate.aggregateVerificationKey, certificate.metadata.parameters);
      } catch (cause) {
        fail('CERTIFICATE_MULTI_SIGNATURE_INVALID', certificate, `the multi-signature does not verify (${(cause as Error).message})`);
      }
    }
  }

  /** The rules linking a standard certificate to the certificate its previous hash names. */
  verifyLink(certificate: Certificate, previous: Certificate): void {
    const gap = certificate.epoch - previous.epoch;
    if (gap < 0n || gap > 1n) {
      fail('CERTIFICATE_CHAIN_MISSING_EPOCH', certificate, `the previous certificate is of epoch ${previous.epoch}: epochs are missing`);
    }
    if (previous.hash !== certificate.previousHash) fail('CERTIFICATE_CHAIN_PREVIOUS_HASH_MISMATCH', certificate, 'the previous certificate has another hash');
    if (gap === 0n) {
      if (!sameAvk(certificate.aggregateVerificationKey, previous.aggregateVerificationKey)) {
        fail('CERTIFICATE_CHAIN_AVK_MISMATCH', certificate, 'its AVK differs from the previous certificate of the same epoch');
      }
      if (!sameProtocolParameters(certificate.metadata.parameters, previous.metadata.parameters)) {
        fail('CERTIFICATE_CHAIN_PROTOCOL_PARAMETERS_MISMATCH', certificate, 'its parameters differ from the previous certificate of the same epoch');
      }
    } else {
      if (previous.protocolMessage.get('next_aggregate_verification_key') !== avkJsonHex(certificate.aggregateVerificationKey)) {
        fail('CERTIFICATE_CHAIN_AVK_MISMATCH', certificate, 'its AVK was not announced by the previous epoch');
      }
      if (previous.protocolMessage.get('next_protocol_parameters') !== protocolParametersHash(certificate.metadata.parameters)) {
        fail('CERTIFICATE_CHAIN_PROTOCOL_PARAMETERS_MISMATCH', certificate, 'its parameters were not announced by the previous epoch');
      }
    }
  }

  /**
   * That a (verified) certificate certifies what the caller asked for: the signed entity of the
   * artifact being downloaded, and optionally protocol message parts such as its digest. A valid
   * but older certificate served for a newer artifact is a replay.
   */
  assertCertifies(
    certificate: Certificate,
    expected: { signedEntityType: CertifiedEntityType; parts?: Partial<Record<ProtocolMessagePartKey, string>> },
  ): void {
    if (!sameSignedEntityType(certificate.signedEntityType, expected.signedEntityType)) {
      fail(
        'CERTIFICATE_REPLAYED',
        certificate,
        `it certifies ${JSON.stringify(signedEntityTypeToJson(certificate.signedEntityType), (_, v) => (typeof v === 'bigint' ? Number(v) : v))}, not the expected entity`,
      );
    }
    for (const [key, value] of Object.entries(expected.parts ?? {})) {
      if (certificate.protocolMessage.get(key as ProtocolMessagePartKey) !== value) {
        fail('CERTIFICATE_REPLAYED', certificate, `its protocol message part ${key} differs from the expected one`);
      }
    }
  }

  /** Walks from `hash` back to genesis (or to a cached certificate), verifying every rule. */
  async verifyChain(hash: string, source: CertificateSource, options: ChainVerificationOptions = {}): Promise<ChainVerificationResult> {
    const batch = options.batch ?? true;
    const maxLength = options.maxLength ?? 100_000;
    const verified: Certificate[] = [];
    const seen = new Set<string>();
    let current = await this.fetch(source, hash);
    if (current.hash !== hash)
      throw new ProtocolError('CERTIFICATE_HASH_MISMATCH', `the source answered certificate ${current.hash.slice(0, 16)}… for ${hash.slice(0, 16)}…`);
    let endedAt: ChainVerificationResult['endedAt'] | undefined;
    while (endedAt === undefined) {
      if (seen.has(current.hash)) fail('CERTIFICATE_CHAIN_INFINITE_LOOP', current, 'this certificate appears twice in the chain');
      seen.add(current.hash);
      if (verified.length >= maxLength) fail('CERTIFICATE_CHAIN_TOO_LONG', current, `the chain is longer than ${maxLength} certificates`);
      if (options.cache?.has(current.hash)) {
        endedAt = { kind: 'cached', hash: current.hash };
        break;
      }
      this.verifyCertificateAlone(current, { skipMultiSignature: batch });
      verified.push(current);
      if (current.signature.kind === 'genesis') {
        endedAt = { kind: 'genesis', hash: current.hash };
        break;
      }
      const previous = await this.fetch(source, current.previousHash);
      this.verifyLink(current, previous);
      current = previous;
    }
    if (batch) this.verifyMultiSignaturesTogether(verified);
    if (options.cache) for (const certificate of verified) options.cache.add(certificate.hash);
    return { verified, endedAt };
  }

  private verifyMultiSignaturesTogether(certificates: readonly Certificate[]): void {
    const standard = certificates.filter((c): c is Certificate & { signature: { kind: 'multi-signature' } } => c.signature.kind === 'multi-signature');
    const results = AggregateSignature.batchVerify(
      standard.map((certificate) => ({
        signature: certificate.signature.multiSignature,
        msg: signedMessageBytes(certificate.signedMessage),
        avk: certificate.aggregateVerificationKey,
        params: certificate.metadata.parameters,
      })),
    );
    results.forEach((error, i) => {
      if (error !== null) fail('CERTIFICATE_MULTI_SIGNATURE_INVALID', standard[i]!, `the multi-signature does not verify (${error.message})`);
    });
  }

  private async fetch(source: CertificateSource, hash: string): Promise<Certificate> {
    const certificate = await source.getCertificate(hash);
    if (certificate === undefined) throw new ProtocolError('CERTIFICATE_NOT_FOUND', `certificate ${hash.slice(0, 16)}… is not available`);
    return certificate;
  }
}
