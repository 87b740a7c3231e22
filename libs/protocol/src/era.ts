/**
 * Eras: named protocol generations activated at an epoch, so every node switches together.
 * Markers say which era starts when; the active era is the one with the greatest activation epoch
 * not after the current one. A node that does not support the active era must stop.
 */
import type { Epoch } from './epoch.js';
import { ProtocolError } from './errors.js';

export const SUPPORTED_ERAS = ['pythagoras'] as const;
export type SupportedEra = (typeof SUPPORTED_ERAS)[number];

export interface EraMarker {
  readonly name: string;
  /** Activation epoch; absent for an era announced but not yet scheduled. */
  readonly epoch?: Epoch;
}

export interface EraState {
  readonly current: SupportedEra;
  /** The next era and its activation epoch, when one is scheduled. */
  readonly next?: { readonly name: string; readonly epoch: Epoch; readonly supported: boolean };
}

function isSupported(name: string): name is SupportedEra {
  return (SUPPORTED_ERAS as readonly string[]).includes(name);
}

export function resolveEra(markers: readonly EraMarker[], current: Epoch): EraState {
  const scheduled = markers.filter((m): m is EraMarker & { epoch: Epoch } => m.epoch !== undefined);
  const active = scheduled.filter((m) => m.epoch <= current).sort((a, b) => (a.epoch < b.epoch ? 1 : -1))[0];
  if (active === undefined) throw new ProtocolError('UNSUPPORTED_ERA', `no era is active at epoch ${current}`);
  if (!isSupported(active.name)) {
    throw new ProtocolError('UNSUPPORTED_ERA', `era ${active.name} is active since epoch ${active.epoch} and this node does not support it: upgrade`);
  }
  const upcoming = scheduled.filter((m) => m.epoch > current).sort((a, b) => (a.epoch < b.epoch ? -1 : 1))[0];
  return {
    current: active.name,
    ...(upcoming ? { next: { name: upcoming.name, epoch: upcoming.epoch, supported: isSupported(upcoming.name) } } : {}),
  };
}
