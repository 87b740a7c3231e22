/** Shared renderings of certificates for `show` and `verify` (human lines and JSON data). */
import { signedEntityTypeToJson, formatTimestamp, type Certificate, type CertifiedEntityType, type ChainVerificationResult } from '@mithril-ts/protocol';
import type { UnknownSignedEntityType } from '../aggregator/port.js';
import { certificateStrength, type CertificateStrength } from '../strength.js';

export function describeSignedEntity(type: CertifiedEntityType | UnknownSignedEntityType): string {
  switch (type.kind) {
    case 'CardanoDatabase':
      return `CardanoDatabase(epoch ${type.epoch}, immutable file ${type.immutableFileNumber})`;
    case 'MithrilStakeDistribution':
      return `MithrilStakeDistribution(epoch ${type.epoch})`;
    case 'CardanoStakeDistribution':
      return `CardanoStakeDistribution(epoch ${type.epoch}) [kind not handled by this client]`;
    case 'CardanoTransactions':
      return `CardanoTransactions(epoch ${type.epoch}, block ${type.blockNumber}) [kind not handled by this client]`;
    case 'unknown':
      return `${type.name}${type.epoch === undefined ? '' : `(epoch ${type.epoch})`} [unknown kind]`;
  }
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}

/** A forgery probability: as a power of two when small, as a plain number when it is not. */
function probability(level: { securityBits: number; forgeryProbability: number }): string {
  if (!Number.isFinite(level.securityBits)) return '0';
  return level.securityBits >= 10 ? `2^-${Math.floor(level.securityBits)}` : level.forgeryProbability.toPrecision(2);
}

export function certificateData(certificate: Certificate): Record<string, unknown> {
  const strength = certificate.signature.kind === 'genesis' ? undefined : certificateStrength(certificate);
  return {
    hash: certificate.hash,
    previousHash: certificate.previousHash,
    epoch: certificate.epoch,
    kind: certificate.signature.kind,
    signedEntityType: signedEntityTypeToJson(certificate.signedEntityType),
    network: certificate.metadata.network,
    protocolVersion: certificate.metadata.protocolVersion,
    sealedAt: formatTimestamp(certificate.metadata.sealedAt),
    protocolMessage: certificate.protocolMessage.toRecord(),
    signers: certificate.metadata.signers.map((signer) => ({ partyId: signer.partyId, stake: signer.stake })),
    strength: strength === undefined ? undefined : strengthData(strength),
  };
}

function strengthData(strength: CertificateStrength): Record<string, unknown> {
  return {
    signers: strength.signers,
    signedStake: strength.signedStake,
    totalStake: strength.totalStake,
    signedStakeShare: strength.signedStakeShare,
    parameters: { k: strength.parameters.k, m: strength.parameters.m, phi_f: strength.parameters.phiF },
    securityLevels: strength.securityLevels.map((level) => ({
      adversarialStakeShare: level.adversarialStakeShare,
      securityBits: Number.isFinite(level.securityBits) ? level.securityBits : null,
      forgeryProbability: level.forgeryProbability,
    })),
  };
}

/** Below this many bits of security the parameters are only fit for a test network, which the human output says. */
const WEAK_SECURITY_BITS = 40;

export function certificateLines(certificate: Certificate): string[] {
  const lines = [
    `Certificate        ${certificate.hash}`,
    `  Signed entity    ${describeSignedEntity(certificate.signedEntityType)}`,
    `  Epoch            ${certificate.epoch}`,
    `  Sealed at        ${formatTimestamp(certificate.metadata.sealedAt)}`,
  ];
  if (certificate.signature.kind === 'genesis') {
    lines.push('  Signature        genesis (Ed25519, by the genesis key)');
    return lines;
  }
  const strength = certificateStrength(certificate);
  const [first, ...others] = strength.securityLevels;
  lines.push(
    `  Signers          ${strength.signers}, holding ${strength.signedStake} of ${strength.totalStake} stake (${percent(strength.signedStakeShare)})`,
    `  Parameters       k=${strength.parameters.k} m=${strength.parameters.m} phi_f=${strength.parameters.phiF}`,
    `  Security level   forgery probability ${probability(first!)} against ${percent(first!.adversarialStakeShare)} adversarial stake${others.map((level) => `, ${probability(level)} against ${percent(level.adversarialStakeShare)}`).join('')}`,
  );
  if (strength.securityLevels.some((level) => level.securityBits < WEAK_SECURITY_BITS))
    lines.push(
      '                   (weak on purpose if this is a devnet or test network: few signers and small k, m for certificates in seconds;',
      '                   production parameters, e.g. mainnet k=2422 m=20973 phi_f=0.2, make forgery negligible)',
    );
  return lines;
}

export function chainData(chain: ChainVerificationResult): Record<string, unknown> {
  return {
    verified: true,
    chainLength: chain.verified.length,
    genesisCertificateHash: chain.endedAt.hash,
    chain: chain.verified.map((certificate) => ({
      hash: certificate.hash,
      epoch: certificate.epoch,
      signedEntityType: signedEntityTypeToJson(certificate.signedEntityType),
      kind: certificate.signature.kind,
    })),
  };
}

export function chainLine(chain: ChainVerificationResult): string {
  return `Verified: the certificate chain (${chain.verified.length} certificate${chain.verified.length === 1 ? '' : 's'}) leads back to genesis certificate ${chain.endedAt.hash} signed by the genesis key`;
}
