/**
 * Base of every module's error class. Each module declares one map from its stable string codes to
 * the context each code carries, and makes its one class with `defineErrorClass`; callers branch on
 * `code`, never on `message`, and a branch on `code` narrows `context` to that code's shape.
 */
export class ParaloomError<
  Code extends string = string,
  Context extends object = Readonly<Record<string, unknown>>,
> extends Error {
  readonly code: Code;
  readonly context: Readonly<Context>;

  constructor(code: Code, message: string, context?: Context, options?: ErrorCauseOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = Object.freeze({ ...context }) as Readonly<Context>;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, context: this.context };
  }
}

export interface ErrorCauseOptions {
  readonly cause?: unknown;
}

/** The context of a code that carries none: an empty object, and nothing may be put in it. */
export type NoContext = Readonly<Record<string, never>>;

/** A module's map from each error code to the shape of its context (declared with object type literals). */
export type ErrorContextMap<M> = { readonly [Code in keyof M]: object };

/** One module's error, as a union over its codes, so that a test of `code` narrows `context`. */
export type ModuleError<
  M extends ErrorContextMap<M>,
  Code extends keyof M & string = keyof M & string,
> = Code extends unknown ? ParaloomError<Code, M[Code]> : never;

/** Codes whose context may be left out: no context, or only optional fields. */
type OptionalContextCode<M> = keyof M & string & OptionalKeys<M>;
type OptionalKeys<M> = { [Code in keyof M]: Record<never, never> extends M[Code] ? Code : never }[keyof M];

/**
 * A module's error class: `new X(code, message, context, { cause })` checks `context` against the
 * shape declared for `code`, and `instanceof X` narrows to the union of the module's errors.
 */
export interface ModuleErrorClass<M extends ErrorContextMap<M>> {
  new <Code extends OptionalContextCode<M>>(
    code: Code,
    message: string,
    context?: M[Code],
    options?: ErrorCauseOptions,
  ): ModuleError<M, Code>;
  new <Code extends keyof M & string>(
    code: Code,
    message: string,
    context: M[Code],
    options?: ErrorCauseOptions,
  ): ModuleError<M, Code>;
  readonly prototype: ModuleError<M>;
}

/**
 * Makes a module's error class. A plain subclass cannot give its instances a type that is a union
 * over codes, which is what lets `if (e.code === 'X') e.context.field` type-check without a cast.
 */
export function defineErrorClass<M extends ErrorContextMap<M>>(name: string): ModuleErrorClass<M> {
  const errorClass = class extends ParaloomError {};
  Object.defineProperty(errorClass, 'name', { value: name });
  return errorClass as unknown as ModuleErrorClass<M>;
}

export function isParaloomError(value: unknown): value is ParaloomError {
  return value instanceof ParaloomError;
}
