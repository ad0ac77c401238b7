import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface IngressErrorContexts {
  /** start() called twice. */
  ALREADY_STARTED: NoContext;
  /** The HTTP server cannot bind its port. */
  LISTEN_FAILED: { port?: number };
}

export type IngressErrorCode = keyof IngressErrorContexts;

export const IngressError = defineErrorClass<IngressErrorContexts>('IngressError');
export type IngressError<C extends IngressErrorCode = IngressErrorCode> = ModuleError<
  IngressErrorContexts,
  C
>;

/** An HTTP answer with a stable code: what clients branch on. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
