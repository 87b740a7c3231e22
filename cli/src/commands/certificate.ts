/** `certificate list | verify`: certificates and their chain back to genesis. */
import type { Certificate } from '@mithril-ts/protocol';
import { signedEntityTypeToJson } from '@mithril-ts/protocol';
import { CliError } from '../errors.js';
import { table } from '../output.js';
import { verifyCertificateChain } from '../verify.js';
import type { CommandContext } from './context.js';
import { certificateData, certificateLines, chainData, chainLine, describeSignedEntity } from './describe.js';

export async function certificateList(context: CommandContext, limit: number): Promise<void> {
  const items = await (await context.aggregator()).listCertificates(limit);
  const human =
    items.length === 0
      ? 'No certificate yet.'
      : table(
          ['Epoch', 'Hash', 'Signed entity', 'Signers', 'Sealed at'],
          items.map((item) => [item.epoch.toString(), item.hash, describeSignedEntity(item.signedEntityType), item.totalSigners.toString(), item.sealedAt]),
        );
  context.output.result(
    'certificate list',
    items.map((item) => ({ ...item, signedEntityType: signedEntityTypeToJson(item.signedEntityType) })),
    human,
  );
}

/** `latest`, `genesis` or a hash. */
async function resolveCertificateHash(context: CommandContext, reference: string): Promise<string> {
  const client = await context.aggregator();
  if (reference === 'latest') {
    const [latest] = await client.listCertificates(1);
    if (latest === undefined)
      throw new CliError('not-found', `the aggregator at ${client.endpoint} has no certificate yet`, { reason: 'CERTIFICATE_NOT_FOUND' });
    return latest.hash;
  }
  if (reference === 'genesis') {
    const genesis = await client.getGenesisCertificate();
    if (genesis === undefined)
      throw new CliError('not-found', `the aggregator at ${client.endpoint} has no genesis certificate`, { reason: 'CERTIFICATE_NOT_FOUND' });
    return genesis.hash;
  }
  return reference;
}

export async function certificateVerify(context: CommandContext, reference: string): Promise<void> {
  const genesisKey = await context.genesisKey();
  const client = await context.aggregator();
  const hash = await resolveCertificateHash(context, reference);
  // Tell "no such certificate" (exit 4) apart from a chain that breaks further back (exit 1).
  const first: Certificate | undefined = await client.getCertificate(hash);
  if (first === undefined)
    throw new CliError('not-found', `the aggregator at ${client.endpoint} has no certificate ${hash}`, { reason: 'CERTIFICATE_NOT_FOUND' });
  context.output.step('verify-certificate', `verifying certificate ${hash.slice(0, 16)}… back to genesis`);
  const { certificate, chain } = await verifyCertificateChain(client, genesisKey, hash);
  const lines = [...certificateLines(certificate), chainLine(chain)];
  for (const link of chain.verified)
    lines.push(`  ${link.hash}  epoch ${link.epoch}  ${describeSignedEntity(link.signedEntityType)}${link.signature.kind === 'genesis' ? '  (genesis)' : ''}`);
  context.output.result('certificate verify', { certificate: certificateData(certificate), verification: chainData(chain) }, lines.join('\n'));
}
