/** `certificate list | verify`: certificates and their chain back to genesis. */
import type { Certificate } from '@mithril-ts/protocol';
import { signedEntityTypeToJson } from '@mithril-ts/protocol';
import { CliError } from '../errors.js';
import { table } from '../output.js';
import { verifyCertificateChain } from '../verify.js';
import type { CommandContext } from './context.js';
import { certificateData, certificateLines, chainData, chainLine, describeSignedEntity } from './describe.js';

/** How far back `latest` looks for a certificate of a kind this client can verify. */
const LATEST_SEARCH = 50;

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
    items.map((item) => ({
      ...item,
      signedEntityType:
        item.signedEntityType.kind === 'unknown'
          ? { unknownKind: item.signedEntityType.name, epoch: item.signedEntityType.epoch ?? null }
          : signedEntityTypeToJson(item.signedEntityType),
    })),
    human,
  );
}

/** `latest`, `genesis` or a hash. */
async function resolveCertificateHash(context: CommandContext, reference: string): Promise<string> {
  const client = await context.aggregator();
  if (reference === 'latest') {
    // The newest certificate this client can verify: one of a kind it does not know at all cannot
    // have its hash recomputed (see UnknownSignedEntityType), so it is passed over, and said so.
    const items = await client.listCertificates(LATEST_SEARCH);
    if (items.length === 0) throw new CliError('not-found', `the aggregator at ${client.endpoint} has no certificate yet`, { reason: 'CERTIFICATE_NOT_FOUND' });
    const latest = items.find((item) => item.signedEntityType.kind !== 'unknown');
    if (latest === undefined)
      throw new CliError(
        'not-found',
        `the ${items.length} latest certificates at ${client.endpoint} are all of kinds this client does not know: give a certificate hash`,
        {
          reason: 'CERTIFICATE_NOT_FOUND',
        },
      );
    const skipped = items.indexOf(latest);
    if (skipped > 0)
      context.output.step(
        'skip-unknown-kinds',
        `passing over ${skipped} newer certificate${skipped === 1 ? '' : 's'} of a kind this client does not know (${describeSignedEntity(items[0]!.signedEntityType)})`,
      );
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
