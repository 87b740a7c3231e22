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
  /** The active era (one of the supported eras). */
  readonly current: string;
  /** Epoch the active era started at. */
  readonly since: Epoch;
  /** The next era and its activation epoch, when one is scheduled. */
  readonly next?: { readonly name: string; readonly epoch: Epoch; readonly supported: boolean };
}

/**
 * The era active at `current` and the next scheduled one. `supported` is what this binary runs:
 * SUPPORTED_ERAS, or a wider list where a test needs two eras to switch between.
 */
export function resolveEra(markers: readonly EraMarker[], current: Epoch, supported: readonly string[] = SUPPORTED_ERAS): EraState {
  const isSupported = (name: string) => supported.includes(name);
  const scheduled = markers.filter((m): m is EraMarker & { epoch: Epoch } => m.epoch !== undefined);
  const active = scheduled.filter((m) => m.epoch <= current).sort((a, b) => (a.epoch < b.epoch ? 1 : -1))[0];
  if (active === undefined)
    throw new ProtocolError('UNSUPPORTED_ERA', `no Mithril era is active at epoch ${current} (the era markers schedule none at or before it)`);
  if (!isSupported(active.name)) {
    throw new ProtocolError(
      'UNSUPPORTED_ERA',
      `Mithril era ${active.name} is active since epoch ${active.epoch} and this binary supports only ${supported.join(', ')}: upgrade it`,
    );
  }
  const upcoming = scheduled.filter((m) => m.epoch > current).sort((a, b) => (a.epoch < b.epoch ? -1 : 1))[0];
  return {
    current: active.name,
    since: active.epoch,
    ...(upcoming ? { next: { name: upcoming.name, epoch: upcoming.epoch, supported: isSupported(upcoming.name) } } : {}),
  };
}
