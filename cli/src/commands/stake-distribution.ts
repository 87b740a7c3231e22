/** `stake-distribution list | show`: Mithril stake distributions, verified against their certificate. */
import { CliError } from '../errors.js';
import { table } from '../output.js';
import { verifyStakeDistribution } from '../verify.js';
import type { CommandContext } from './context.js';
import { certificateData, certificateLines, chainData, chainLine, percent } from './describe.js';

export async function stakeDistributionList(context: CommandContext, limit: number): Promise<void> {
  const items = await (await context.aggregator()).listStakeDistributions(limit);
  const human =
    items.length === 0
      ? 'No stake distribution yet.'
      : table(
          ['Epoch', 'Hash', 'Certificate', 'Created'],
          items.map((item) => [item.epoch.toString(), item.hash, item.certificateHash.slice(0, 16), item.createdAt]),
        );
  context.output.result('stake-distribution list', items, human);
}

export async function stakeDistributionShow(context: CommandContext, reference: string): Promise<void> {
  const genesisKey = await context.genesisKey();
  const client = await context.aggregator();
  let hash = reference;
  if (reference === 'latest') {
    const [latest] = await client.listStakeDistributions(1);
    if (latest === undefined)
      throw new CliError('not-found', `the aggregator at ${client.endpoint} has no stake distribution yet`, { reason: 'STAKE_DISTRIBUTION_NOT_FOUND' });
    hash = latest.hash;
  }
  const distribution = await client.getStakeDistribution(hash);
  if (distribution === undefined)
    throw new CliError('not-found', `the aggregator at ${client.endpoint} has no stake distribution ${hash}`, { reason: 'STAKE_DISTRIBUTION_NOT_FOUND' });
  context.output.step('verify-certificate', 'verifying the stake distribution and its certificate chain back to genesis');
  const { certificate, chain } = await verifyStakeDistribution(client, genesisKey, distribution);
  const total = distribution.signers.reduce((sum, signer) => sum + signer.stake, 0n);
  const share = (stake: bigint) => (total > 0n ? Number((stake * 1_000_000_000n) / total) / 1e9 : 0);
  const signers = [...distribution.signers].sort((a, b) => (a.stake > b.stake ? -1 : a.stake < b.stake ? 1 : a.partyId.localeCompare(b.partyId)));
  const lines = [
    `Stake distribution ${distribution.hash}`,
    `  Epoch            ${distribution.epoch} (these signers sign from epoch ${distribution.epoch + 1n})`,
    `  Parameters       k=${distribution.parameters.k} m=${distribution.parameters.m} phi_f=${distribution.parameters.phiF}`,
    `  Signers          ${distribution.signers.length}, total stake ${total}`,
    table(
      ['Party', 'Stake', 'Share'],
      signers.map((signer) => [signer.partyId, signer.stake.toString(), percent(share(signer.stake))]),
    ),
    ...certificateLines(certificate),
    chainLine(chain),
  ];
  context.output.result(
    'stake-distribution show',
    {
      stakeDistribution: {
        epoch: distribution.epoch,
        hash: distribution.hash,
        certificateHash: distribution.certificateHash,
        createdAt: distribution.createdAt,
        parameters: { k: distribution.parameters.k, m: distribution.parameters.m, phi_f: distribution.parameters.phiF },
        totalStake: total,
        signers: signers.map((signer) => ({
          partyId: signer.partyId,
          stake: signer.stake,
          share: share(signer.stake),
          verificationKey: Buffer.from(signer.verificationKey).toString('hex'),
        })),
      },
      certificate: certificateData(certificate),
      verification: chainData(chain),
    },
    lines.join('\n'),
  );
}
