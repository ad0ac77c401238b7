import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface CoordinatorErrorContexts {
  /** An anchor range that is empty, reversed, too long, or beyond this node's final blocks. */
  ANCHOR_RANGE_INVALID: { fromHeight?: string; height: string; tip?: string };
  /** More withdrawals in one anchor range (or one block) than an approval path can address (2^11). */
  ANCHOR_RANGE_TOO_MANY_WITHDRAWALS: { withdrawals: number };
  /** A signing request or answer that does not decode. */
  MESSAGE_MALFORMED: { length?: number; need?: number; at?: number; trailing?: number };
  /** A stored final block is missing below the tip. */
  BLOCK_MISSING: { height: string };
  /** A component used before start() or after stop(). */
  INVALID_STATE: NoContext;
}

export type CoordinatorErrorCode = keyof CoordinatorErrorContexts;

export const CoordinatorError = defineErrorClass<CoordinatorErrorContexts>('CoordinatorError');
export type CoordinatorError<C extends CoordinatorErrorCode = CoordinatorErrorCode> = ModuleError<
  CoordinatorErrorContexts,
  C
>;
