import { defineErrorClass, type ModuleError } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface HealthErrorContexts {
  /** The health server cannot bind its host and port (in use, not permitted, no such address). */
  LISTEN_FAILED: { host: string; port: number; errno?: string };
  /** Two readiness checks registered under one name. */
  CHECK_DUPLICATE: { name: string };
}

export type HealthErrorCode = keyof HealthErrorContexts;

export const HealthError = defineErrorClass<HealthErrorContexts>('HealthError');
export type HealthError<C extends HealthErrorCode = HealthErrorCode> = ModuleError<HealthErrorContexts, C>;
