import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * One synchronous stdout destination shared by every logger. pino's default gives each logger its
 * own asynchronous buffer, so lines of different components reached stdout out of order, and at
 * exit the synchronous flush could overtake a write still in flight: a node's last lines ("storage
 * stopped") appeared before earlier ones. Log lines are few (debug is off in service), so a write
 * per line costs little, and the output is in the order things happened.
 */
let stdoutDestination: pino.DestinationStream | undefined;

/**
 * Structured JSON logs (pino). PARALOOM_LOG_LEVEL sets the level (default info; tests: silent
 * unless set). One logger per component, named by module.
 */
export function createLogger(component: string, level?: string): Logger {
  const fallback = process.env.VITEST ? 'silent' : 'info';
  stdoutDestination ??= pino.destination({ dest: 1, sync: true });
  return pino(
    { name: component, level: level ?? process.env.PARALOOM_LOG_LEVEL ?? fallback },
    stdoutDestination,
  );
}
