import { ParaloomError } from '../common/index.js';

export type IngressErrorCode = 'ALREADY_STARTED' | 'LISTEN_FAILED';

export class IngressError extends ParaloomError<IngressErrorCode> {}

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
