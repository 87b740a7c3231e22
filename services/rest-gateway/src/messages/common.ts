/** Small pieces shared by the reference message shapes. */
import { WireError, timestampFromProto } from '@mithril-ts/proto';
import type * as proto from '@mithril-ts/proto';
import { formatTimestamp } from '@mithril-ts/protocol';

/** A field the reference requires, absent from an upstream answer: the answer cannot be served. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new WireError(`${what} is missing`);
  return value;
}

/** RFC 3339 with the nanoseconds kept (chrono's style, as the reference prints dates). */
export function dateText(timestamp: proto.Timestamp | undefined, what: string): string {
  return formatTimestamp(timestampFromProto(timestamp, what));
}

/** The reference's ProtocolParameters JSON. */
export function protocolParametersMessage(parameters: proto.ProtocolParameters | undefined, what: string): { k: bigint; m: bigint; phi_f: number } {
  const { k, m, phiF } = required(parameters, what);
  return { k, m, phi_f: phiF };
}
