/**
 * The `protocolMagicId` file a cardano-node expects in the database directory of any network but
 * mainnet: the network magic, in decimal. A restored database without it makes the node refuse
 * to open it ("wrong network magic"). The network comes from the verified certificate.
 */

/** Magic of the public test networks (cardano-node's configurations), and of a local devnet (42, the usual choice). */
const KNOWN_MAGICS: Readonly<Record<string, number>> = { preprod: 1, preview: 2, sanchonet: 4, devnet: 42 };

/** 'mainnet' for mainnet (no file), the magic of a known network, or undefined when neither. */
export function networkMagicOf(network: string, override: number | undefined): number | 'mainnet' | undefined {
  if (override !== undefined) return override;
  if (network === 'mainnet') return 'mainnet';
  return Object.hasOwn(KNOWN_MAGICS, network) ? KNOWN_MAGICS[network] : undefined;
}

export const PROTOCOL_MAGIC_ID_FILE = 'protocolMagicId';
