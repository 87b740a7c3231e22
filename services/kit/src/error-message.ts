/**
 * The message of any thrown value. Read by shape, not `instanceof Error`: errors thrown by a
 * native module (better-sqlite3) may belong to another realm (as under jest's VM contexts), and
 * would otherwise be described as `SqliteError: …` in one run and `…` in the next.
 */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}
