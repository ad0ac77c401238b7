import { type Logger, pino } from 'pino';

/** Default logger of the storage module when the node does not pass its own. */
export function defaultStorageLogger(): Logger {
  return pino({ name: 'storage', level: process.env.PARALOOM_LOG_LEVEL ?? 'info' });
}

export type { Logger };
