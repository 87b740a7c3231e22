/** The protocol parameter schedule as configuration writes it: `[{ fromEpoch, k, m, phiF }, …]`. */
import { ProtocolParametersSchedule } from '@mithril-ts/protocol';
import { z } from 'zod';

export const scheduleEntrySchema = z.object({
  fromEpoch: z.coerce.bigint().nonnegative(),
  k: z.coerce.bigint().positive(),
  m: z.coerce.bigint().positive(),
  phiF: z.coerce.number().gt(0).lte(1),
});

/** Accepts the entries or their JSON text (environment variables and options are strings). */
export const scheduleSchema = z.preprocess((value) => (typeof value === 'string' ? JSON.parse(value) : value), z.array(scheduleEntrySchema).min(1));

export type ScheduleEntry = z.infer<typeof scheduleEntrySchema>;

export function parametersSchedule(entries: readonly ScheduleEntry[]): ProtocolParametersSchedule {
  return new ProtocolParametersSchedule(entries.map(({ fromEpoch, k, m, phiF }) => ({ fromEpoch, parameters: { k, m, phiF } })));
}
