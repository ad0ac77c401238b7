import { createLogger, type Logger } from '../common/index.js';

/** Default logger of the storage module when the node does not pass its own. */
export function defaultStorageLogger(): Logger {
  return createLogger('storage');
}

export type { Logger };
