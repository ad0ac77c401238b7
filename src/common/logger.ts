import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * One asynchronous stdout destination for every logger of the process: lines of different
 * components keep the order they were logged in, and `flushLogs` can wait for all of them.
 */
let destination: (pino.DestinationStream & { flush(cb?: (err?: Error) => void): void }) | undefined;

function sharedDestination() {
  destination ??= pino.destination({ dest: 1, sync: false });
  return destination;
}

/**
 * Structured JSON logs (pino). PARALOOM_LOG_LEVEL sets the level (default info; tests: silent
 * unless set). One logger per component, named by module.
 */
export function createLogger(component: string, level?: string): Logger {
  const fallback = process.env.VITEST ? 'silent' : 'info';
  return pino(
    { name: component, level: level ?? process.env.PARALOOM_LOG_LEVEL ?? fallback },
    sharedDestination(),
  );
}

/**
 * Waits until every line logged so far is written. Call before `process.exit`: exiting with writes
 * in flight can lose lines, or put the last ones before earlier ones.
 */
export function flushLogs(): Promise<void> {
  const d = destination;
  if (!d) return Promise.resolve();
  return new Promise((resolve) => d.flush(() => resolve()));
}
