/**
 * Base of every module's error class. Each module defines exactly one subclass with a closed
 * union of stable string codes; callers branch on `code`, never on `message`.
 */
export class ParaloomError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: Code,
    message: string,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = Object.freeze({ ...context });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, context: this.context };
  }
}

export function isParaloomError(value: unknown): value is ParaloomError {
  return value instanceof ParaloomError;
}
