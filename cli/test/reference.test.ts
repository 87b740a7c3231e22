/**
 * The client against an aggregator shaped like the reference's: it certifies kinds this client
 * does not handle (Cardano transactions, Cardano stake distributions) and kinds nobody here knows
 * (a newer version's), and its Mithril stake distribution hash is the reference's. Lists show
 * the other kinds and go on; `certificate verify latest` passes over the unknown ones; a chain
 * whose epoch links are certificates of another kind verifies; a stake distribution with the
 * reference's hash (and one with this implementation's former hash) is accepted.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeJsonHex, stringifyJson } from '@mithril-ts/codec';
import {
  ProtocolParametersSchedule,
  certificateToMessage,
  encodeGenesisVerificationKey,
  formatTimestamp,
  legacyMithrilStakeDistributionHash,
  mithrilStakeDistribution,
  mithrilStakeDistributionHash,
  type Certificate,
  type Epoch,
  type SignerRecord,
} from '@mithril-ts/protocol';
import { verificationKeyPoPBytesToJson } from '@mithril-ts/stm';
import { certifiedChain } from '@mithril-ts/testkit';
import { run } from './support/run.js';

const schedule = new ProtocolParametersSchedule([{ fromEpoch: 0n, parameters: { k: 5n, m: 30n, phiF: 0.65 } }]);
const POOLS = ['pool-a', 'pool-b', 'pool-c'];
const base = 1_700_000_000_000_000_000n;

const chain = certifiedChain({
  network: 'devnet',
  partyIds: POOLS,
  schedule,
  stakeAt: (epoch: Epoch, pool: number) => 1_000_000n + BigInt(pool) * 250_000n + epoch,
  keyLabel: (pool, epoch) => `reference test ${pool} ${epoch}`,
  genesisKeyLabel: 'reference test genesis',
  genesisEpoch: 2n,
  genesisTimestamp: base,
  lastEpoch: 4n,
});
// Each epoch's first certificate (the one the next epoch's certificates link to) is of a kind
// this implementation does not certify, as on a reference aggregator that certifies transactions.
const transactions3 = chain.certify(
  3n,
  { kind: 'CardanoTransactions', epoch: 3n, blockNumber: 1234n },
  { cardano_transactions_merkle_root: 'ab'.repeat(32), latest_block_number: '1234' },
  base + 10n ** 12n,
);
const msd3 = chain.certify(3n, mithrilStakeDistribution(3n), {}, base + 2n * 10n ** 12n);
const csd4 = chain.certify(
  4n,
  { kind: 'CardanoStakeDistribution', epoch: 3n },
  { cardano_stake_distribution_epoch: '3', cardano_stake_distribution_merkle_root: 'cd'.repeat(32) },
  base + 3n * 10n ** 12n,
);
const transactions4 = chain.certify(
  4n,
  { kind: 'CardanoTransactions', epoch: 4n, blockNumber: 2345n },
  { cardano_transactions_merkle_root: 'ef'.repeat(32), latest_block_number: '2345' },
  base + 4n * 10n ** 12n,
);
const genesisKey = encodeGenesisVerificationKey(chain.genesisSigner.verificationKey());

/** The reference's certificate list item for a certificate (its own JSON, without the signature). */
function listItem(certificate: Certificate): Record<string, unknown> {
  const message = certificateToMessage(certificate) as Record<string, unknown> & { metadata: Record<string, unknown> };
  return {
    hash: message.hash,
    previous_hash: message.previous_hash,
    epoch: message.epoch,
    signed_entity_type: message.signed_entity_type,
    metadata: { ...message.metadata, total_signers: certificate.metadata.signers.length },
    protocol_message: message.protocol_message,
    signed_message: message.signed_message,
    aggregate_verification_key: message.aggregate_verification_key,
  };
}

/** A newer aggregator's kind: its certificate is listed, its hash cannot be recomputed here. */
const FUTURE_HASH = '99'.repeat(32);
const futureItem = {
  ...listItem(transactions4),
  hash: FUTURE_HASH,
  signed_entity_type: { CardanoBlocksTransactions: [4, 3456, 15] },
};

/** The reference's MithrilStakeDistributionMessage: signers in its order, keys as json-hex. */
function stakeDistributionMessage(hash: string, signers: readonly SignerRecord[], withKes: boolean): Record<string, unknown> {
  return {
    epoch: 3,
    hash,
    certificate_hash: msd3.hash,
    signers: signers.map((signer) => ({
      party_id: signer.partyId,
      verification_key: encodeJsonHex(verificationKeyPoPBytesToJson(signer.verificationKey)),
      ...(withKes ? { verification_key_signature: encodeJsonHex({ sigma: [1, 2, 3] }), operational_certificate: encodeJsonHex([[1], 2]), kes_period: 4 } : {}),
      stake: Number(signer.stake),
    })),
    created_at: formatTimestamp(msd3.metadata.sealedAt),
    protocol_parameters: { k: 5, m: 30, phi_f: 0.65 },
  };
}

/**
 * The reference's hash, written out independently of libs/protocol from the reference's
 * description (mithril-common MithrilStakeDistribution::compute_hash, SignerWithStake::compute_hash).
 */
function referenceHash(message: Record<string, unknown>): string {
  const u64 = (value: number) => {
    const out = Buffer.alloc(8);
    out.writeBigUInt64BE(BigInt(value));
    return out;
  };
  const outer = createHash('sha256').update(u64(message.epoch as number));
  for (const signer of message.signers as Record<string, string | number>[]) {
    const inner = createHash('sha256').update(String(signer.party_id)).update(String(signer.verification_key));
    if (signer.verification_key_signature !== undefined) inner.update(String(signer.verification_key_signature));
    if (signer.operational_certificate !== undefined) inner.update(String(signer.operational_certificate));
    outer.update(inner.update(u64(signer.stake as number)).digest('hex'));
  }
  return outer.digest('hex');
}

const signers3 = chain.recordings.get(3n)!.records;
// The reference serves signers in its own order: not sorted by party id here.
const referenceOrder = [signers3[2]!, signers3[0]!, signers3[1]!];
const referenceMessage = stakeDistributionMessage('', referenceOrder, true);
const referenceMsdHash = referenceHash(referenceMessage);
const legacyMsdHash = legacyMithrilStakeDistributionHash(3n, signers3, schedule.at(4n));

let server: Server;
let url: string;
let listed: unknown[];

beforeAll(async () => {
  const byHash = new Map(chain.certificates.map((certificate) => [certificate.hash, certificate]));
  server = createServer((request, response) => {
    const path = (request.url ?? '').replace(/^\/aggregator/, '');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'mithril-api-version': '0.1.68' });
      response.end(stringifyJson(body));
    };
    let match: RegExpExecArray | null;
    if (path === '/certificates') return send(200, listed);
    if (path === '/certificate/genesis') return send(200, certificateToMessage(chain.genesis));
    if ((match = /^\/certificate\/([0-9a-f]{64})$/.exec(path))) {
      if (match[1] === FUTURE_HASH)
        return send(200, { ...certificateToMessage(transactions4), hash: FUTURE_HASH, signed_entity_type: futureItem.signed_entity_type });
      const certificate = byHash.get(match[1]!);
      return certificate === undefined ? send(404, { label: 'not_found', message: 'no such certificate' }) : send(200, certificateToMessage(certificate));
    }
    if (path === '/artifact/mithril-stake-distributions')
      return send(200, [
        { epoch: 3, hash: referenceMsdHash, certificate_hash: msd3.hash, created_at: referenceMessage.created_at },
        { epoch: 3, hash: legacyMsdHash, certificate_hash: msd3.hash, created_at: referenceMessage.created_at },
      ]);
    if (path === `/artifact/mithril-stake-distribution/${referenceMsdHash}`) return send(200, { ...referenceMessage, hash: referenceMsdHash });
    if (path === `/artifact/mithril-stake-distribution/${legacyMsdHash}`) return send(200, stakeDistributionMessage(legacyMsdHash, signers3, false));
    send(404, { label: 'not_found', message: 'no route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aggregator`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const env = () => ({ MITHRIL_AGGREGATOR_ENDPOINT: url, MITHRIL_GENESIS_VERIFICATION_KEY: genesisKey });

beforeEach(() => {
  listed = [futureItem, ...[...chain.certificates].reverse().map(listItem)];
});

describe('an aggregator that certifies other kinds (reference-shaped JSON)', () => {
  it('lists every certificate, those of other kinds and of an unknown kind included', async () => {
    const result = await run(['certificate', 'list', '--json'], { env: env() });
    expect(result.code).toBe(0);
    const items = result.events.at(-1)!.data as { hash: string; signedEntityType: Record<string, unknown> }[];
    expect(items.map((item) => item.hash)).toEqual([FUTURE_HASH, ...[...chain.certificates].reverse().map((c) => c.hash)]);
    expect(items[0]!.signedEntityType).toEqual({ unknownKind: 'CardanoBlocksTransactions', epoch: 4 });
    expect(items[1]!.signedEntityType).toEqual({ CardanoTransactions: [4, 2345] });
    expect(items[2]!.signedEntityType).toEqual({ CardanoStakeDistribution: 3 });
    const human = await run(['certificate', 'list'], { env: env() });
    expect(human.stdout).toContain('CardanoBlocksTransactions(epoch 4) [unknown kind]');
    expect(human.stdout).toContain('CardanoTransactions(epoch 4, block 2345) [kind not handled by this client]');
  });

  it('still fails a list whose entry is not a signed entity type at all', async () => {
    listed = [{ ...futureItem, signed_entity_type: 'CardanoTransactions' }];
    const result = await run(['certificate', 'list', '--json'], { env: env() });
    expect(result.code).toBe(3);
  });

  it('verifies "latest" by passing over the unknown kind, through a chain whose epoch links are of other kinds', async () => {
    const result = await run(['certificate', 'verify', 'latest', '--json'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.events.some((event) => event.type === 'step' && event.phase === 'skip-unknown-kinds')).toBe(true);
    const data = result.events.at(-1)!.data as { certificate: { hash: string }; verification: { chain: { hash: string }[] } };
    expect(data.certificate.hash).toBe(transactions4.hash);
    // Each link is its epoch's first certificate: a CardanoStakeDistribution one for epoch 4, a CardanoTransactions one for epoch 3.
    expect(data.verification.chain.map((link) => link.hash)).toEqual([transactions4.hash, csd4.hash, transactions3.hash, chain.genesis.hash]);
  });

  it('refuses a tampered certificate of another kind on the way (its hash covers its beacon)', async () => {
    listed = [listItem(transactions4)];
    const tampered = { ...certificateToMessage(transactions3), signed_entity_type: { CardanoTransactions: [3, 9999] } };
    const original = server.listeners('request')[0] as (...args: unknown[]) => void;
    server.removeAllListeners('request');
    server.on('request', (request, response) => {
      if (request.url === `/aggregator/certificate/${transactions3.hash}`) {
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end(stringifyJson(tampered));
      }
      original(request, response);
    });
    try {
      const result = await run(['certificate', 'verify', transactions4.hash, '--json'], { env: env() });
      expect(result.code).toBe(1);
    } finally {
      server.removeAllListeners('request');
      server.on('request', original);
    }
  });

  it('says plainly that a certificate of an unknown kind cannot be verified', async () => {
    const result = await run(['certificate', 'verify', FUTURE_HASH, '--json'], { env: env() });
    expect(result.code).toBe(1);
    expect(result.events.at(-1)!.message).toMatch(/certifies a kind this client does not know \("CardanoBlocksTransactions"\)/);
  });
});

describe('the Mithril stake distribution hash', () => {
  it("is the reference's: signers in the served order, KES evidence included when served, no parameters", async () => {
    expect(referenceMsdHash).not.toBe(legacyMsdHash);
    const result = await run(['stake-distribution', 'show', referenceMsdHash, '--json'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.events.at(-1)!.type).toBe('result');
  });

  it('is what libs/protocol computes for the signers as this aggregator serves them', () => {
    const message = stakeDistributionMessage('', signers3, false);
    expect(
      mithrilStakeDistributionHash(
        3n,
        signers3.map((signer) => ({
          partyId: signer.partyId,
          verificationKey: encodeJsonHex(verificationKeyPoPBytesToJson(signer.verificationKey)),
          stake: signer.stake,
        })),
      ),
    ).toBe(referenceHash(message));
  });

  it('also accepts the former hash of this implementation, and refuses any other', async () => {
    const legacy = await run(['stake-distribution', 'show', legacyMsdHash, '--json'], { env: env() });
    expect(legacy.code).toBe(0);
    const message = { ...referenceMessage, hash: 'ab'.repeat(32) };
    const original = server.listeners('request')[0] as (...args: unknown[]) => void;
    server.removeAllListeners('request');
    server.on('request', (request, response) => {
      if (request.url === `/aggregator/artifact/mithril-stake-distribution/${'ab'.repeat(32)}`) {
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end(stringifyJson(message));
      }
      original(request, response);
    });
    try {
      const wrong = await run(['stake-distribution', 'show', 'ab'.repeat(32), '--json'], { env: env() });
      expect(wrong.code).toBe(1);
      expect(wrong.events.at(-1)!.reason).toBe('STAKE_DISTRIBUTION_HASH_MISMATCH');
    } finally {
      server.removeAllListeners('request');
      server.on('request', original);
    }
  });
});
