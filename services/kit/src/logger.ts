/** The one logger of every service: structured JSON lines (pino), on stdout unless a file is given. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** `file`: append the JSON lines there instead (e.g. a launcher keeps stdout for its progress display). */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info', file?: string): Logger {
  const options = { name: service, level, base: { service } };
  return file === undefined ? pino(options) : pino(options, pino.destination({ dest: file, append: true, mkdir: true, sync: false }));
}
