/** How the runtime names a signed entity type in logs and errors, and reads an open message's protocol message back. */
import { ProtocolMessage, type SignedEntityType } from '@mithril-ts/protocol';
import type { OpenMessageRecord } from '../store/index.js';

export function describeType(type: SignedEntityType): string {
  return type.kind === 'CardanoDatabase'
    ? `CardanoDatabase(epoch ${type.epoch}, immutable ${type.immutableFileNumber})`
    : `MithrilStakeDistribution(epoch ${type.epoch})`;
}

export function protocolMessageOf(message: OpenMessageRecord): ProtocolMessage {
  return new ProtocolMessage(JSON.parse(message.protocolMessage) as Record<string, string>);
}
