/**
 * A mainnet-size certificate in the reference's JSON, made once and kept in .tmp/bench/: 3000
 * parties with a Pareto stake distribution (a few large pools, many small ones), mainnet's
 * parameters (k=2422, m=20973, phi_f=0.2), real keys and a real multi-signature. Only the largest
 * parties sign, as many as it takes to win k distinct indices (the aggregate keeps about that many
 * signers anyway), so making it costs minutes once, not the hours of 3000 signers' lotteries.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  GenesisSigner,
  ProtocolMessage,
  avkJsonHex,
  certificateToJson,
  createStandardCertificate,
  encodeGenesisVerificationKey,
  protocolParametersHash,
  signedMessageBytes,
} from '@mithril-ts/protocol';
import { Clerk, KeyRegistration, Signer, SigningKey, type Parameters, type SingleSignature } from '@mithril-ts/stm';

export const MAINNET_PARAMETERS: Parameters = { k: 2422n, m: 20973n, phiF: 0.2 };

export interface MainnetCertificate {
  readonly json: string;
  /** Any genesis key will do for a standard certificate; one is given so that the verifier is built as a client builds it. */
  readonly genesisVerificationKey: string;
  readonly signers: number;
}

/** Deterministic stake: a Pareto tail, about 24e15 lovelace in all (the stm bench's distribution). */
function stakes(n: number): bigint[] {
  return Array.from({ length: n }, (_, i) => {
    const u = (i + 0.5) / n;
    return BigInt(Math.round((1 / Math.pow(1 - u * 0.999, 1 / 1.16)) * 2e12)) + BigInt(i);
  });
}

const seed = (label: string) => sha256(new TextEncoder().encode(`mithril-ts bench:browser ${label}`));

function generate(parties: number, log: (line: string) => void): MainnetCertificate {
  const params = MAINNET_PARAMETERS;
  const stakeOf = stakes(parties);
  log(`  making a mainnet-size certificate (once): ${parties} keys…`);
  const keys = stakeOf.map((_, i) => SigningKey.generate(seed(`party ${i}`)));
  const registration = new KeyRegistration();
  const { rejected } = registration.registerAll(keys.map((sk, i) => ({ stake: stakeOf[i]!, key: sk.verificationKeyPoP() })));
  if (rejected.length > 0) throw new Error('a generated key was rejected');
  const closed = registration.close();
  const avk = closed.aggregateVerificationKey();

  const epoch = 500n;
  const message = new ProtocolMessage({
    next_aggregate_verification_key: avkJsonHex(avk),
    next_protocol_parameters: protocolParametersHash(params),
    current_epoch: epoch.toString(),
  });
  const msg = signedMessageBytes(message.signedMessage());

  // Largest parties first, until k distinct indices are won (and a margin, as real rounds have).
  const order = stakeOf.map((stake, i) => ({ stake, i })).sort((a, b) => (b.stake > a.stake ? 1 : b.stake < a.stake ? -1 : 0));
  const signatures: SingleSignature[] = [];
  const won = new Set<number>();
  for (const { stake, i } of order) {
    const sk = keys[i]!;
    const signature = new Signer(closed.signerIndexOf(sk.verificationKey())!, params, stake, sk, avk).sign(msg);
    if (signature !== null) {
      signatures.push(signature);
      for (const index of signature.indexes) won.add(index);
    }
    if (signatures.length % 50 === 0) log(`  ${signatures.length} signers, ${won.size}/${params.k} distinct indices…`);
    if (won.size >= Number(params.k) * 1.1) break;
  }
  const multiSignature = new Clerk(closed, params).aggregate(signatures, msg);
  const certificate = createStandardCertificate({
    previousHash: Buffer.from(seed('previous')).toString('hex'),
    epoch,
    signedEntityType: { kind: 'MithrilStakeDistribution', epoch },
    metadata: {
      network: 'mainnet',
      protocolVersion: '0.1.0',
      parameters: params,
      initiatedAt: 1_765_000_000_000_000_000n,
      sealedAt: 1_765_000_030_000_000_000n,
      signers: multiSignature.signatures.map(({ party }) => ({
        partyId: `pool-${Buffer.from(party.vk.toBytes().subarray(0, 14)).toString('hex')}`,
        stake: party.stake,
      })),
    },
    protocolMessage: message,
    aggregateVerificationKey: avk,
    multiSignature,
  });
  const genesis = GenesisSigner.fromSecretKey(seed('genesis'));
  return {
    json: certificateToJson(certificate),
    genesisVerificationKey: encodeGenesisVerificationKey(genesis.verificationKey()),
    signers: multiSignature.signatures.length,
  };
}

/** The certificate of `parties` parties from `cacheFile`, made there first if missing. */
export function mainnetCertificate(cacheFile: string, parties: number, log: (line: string) => void): MainnetCertificate {
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as MainnetCertificate;
  const made = generate(parties, log);
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(`${cacheFile}.tmp`, JSON.stringify(made));
  renameSync(`${cacheFile}.tmp`, cacheFile);
  return made;
}
