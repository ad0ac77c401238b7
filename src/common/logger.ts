import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs (pino). PARALOOM_LOG_LEVEL sets the level (default info; tests: silent
 * unless set). One logger per component, named by module.
 */
export function createLogger(component: string, level?: string): Logger {
  const fallback = process.env.VITEST ? 'silent' : 'info';
  return pino({ name: component, level: level ?? process.env.PARALOOM_LOG_LEVEL ?? fallback });
}
