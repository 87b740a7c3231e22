/**
 * What `--help` and argument parsing need, without the transports: the environment variable
 * names, the global options' type and the argument checks. Kept apart from context.ts so that
 * the bin loads the aggregator clients only when a command runs.
 */
import { CliError } from '../errors.js';

export const AGGREGATOR_ENV = 'MITHRIL_AGGREGATOR_ENDPOINT';
export const GENESIS_KEY_ENV = 'MITHRIL_GENESIS_VERIFICATION_KEY';
export const CA_FILE_ENV = 'MITHRIL_CA_FILE';
export const ANCILLARY_KEY_ENV = 'MITHRIL_ANCILLARY_VERIFICATION_KEY';
const HASH = /^[0-9a-f]{64}$/;

export interface GlobalOptions {
  readonly aggregator?: string;
  readonly genesisVerificationKey?: string;
  readonly genesisVerificationKeyFile?: string;
  readonly caFile?: string;
  readonly json?: boolean;
  readonly timeout?: string;
}

/** `latest` or a 64-hex hash. */
export function hashOrLatest(value: string, what: string): string {
  if (value === 'latest' || HASH.test(value)) return value;
  throw new CliError('usage', `${what} must be "latest" or a 64-character lowercase hex hash, got ${JSON.stringify(value.slice(0, 80))}`, {
    reason: 'INVALID_ARGUMENT',
  });
}

export function positiveInteger(value: string, option: string, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max)
    throw new CliError('usage', `${option} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`, { reason: 'INVALID_ARGUMENT' });
  return number;
}
