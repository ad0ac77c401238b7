import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  defineErrorClass,
  isParaloomError,
  type ModuleError,
  type NoContext,
  ParaloomError,
} from './errors.js';

// A module's declaration, the way src/<module>/errors.ts writes it.
interface SampleErrorContexts {
  /** A message ends before a field it announces. */
  TRUNCATED: { field: string; needed: number; remaining: number };
  /** A value out of its range; `max` only when the range has an upper end. */
  OUT_OF_RANGE: { value: string; max?: string };
  /** The component is not started. */
  NOT_STARTED: NoContext;
}
const SampleError = defineErrorClass<SampleErrorContexts>('SampleError');
type SampleError<C extends keyof SampleErrorContexts = keyof SampleErrorContexts> = ModuleError<
  SampleErrorContexts,
  C
>;

const OtherError = defineErrorClass<{ TRUNCATED: { at: number } }>('OtherError');

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('ParaloomError with a context per code', () => {
  it('keeps name, code, message, a frozen copy of the context and the cause', () => {
    const cause = new Error('socket closed');
    const context = { field: 'body', needed: 8, remaining: 3 };
    const e = new SampleError('TRUNCATED', 'message truncated in body', context, { cause });
    context.needed = 99;
    expect(e).toBeInstanceOf(SampleError);
    expect(e).toBeInstanceOf(ParaloomError);
    expect(e).toBeInstanceOf(Error);
    expect(isParaloomError(e)).toBe(true);
    expect(e.name).toBe('SampleError');
    expect(String(e.stack)).toMatch(/^SampleError: message truncated in body/);
    expect(e.code).toBe('TRUNCATED');
    expect(e.context).toEqual({ field: 'body', needed: 8, remaining: 3 });
    expect(Object.isFrozen(e.context)).toBe(true);
    expect(e.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: 'SampleError',
      code: 'TRUNCATED',
      message: 'message truncated in body',
      context: { field: 'body', needed: 8, remaining: 3 },
    });
  });

  it('gives a code without context an empty frozen one', () => {
    const e = new SampleError('NOT_STARTED', 'not started');
    expect(e.context).toEqual({});
    expect(Object.isFrozen(e.context)).toBe(true);
    expect(new SampleError('NOT_STARTED', 'not started', {}, { cause: 1 }).cause).toBe(1);
  });

  it('keeps two modules apart at run time', () => {
    const other = new OtherError('TRUNCATED', 'short', { at: 3 });
    expect(other).not.toBeInstanceOf(SampleError);
    expect(new SampleError('NOT_STARTED', 'x')).not.toBeInstanceOf(OtherError);
    expect(isParaloomError(other)).toBe(true);
    expect(isParaloomError(new Error('plain'))).toBe(false);
  });

  it('narrows the context by the code after instanceof', () => {
    const e = thrown(() => {
      throw new SampleError('OUT_OF_RANGE', 'too big', { value: '7', max: '5' });
    });
    if (!(e instanceof SampleError)) throw new Error('not a SampleError');
    expectTypeOf(e).toEqualTypeOf<SampleError>();
    if (e.code === 'OUT_OF_RANGE') {
      expectTypeOf(e.context.value).toEqualTypeOf<string>();
      expectTypeOf(e.context.max).toEqualTypeOf<string | undefined>();
      expect(e.context.max).toBe('5');
    } else {
      expectTypeOf(e.code).toEqualTypeOf<'TRUNCATED' | 'NOT_STARTED'>();
      throw new Error('wrong code');
    }
  });

  it('types what the constructor returns by its code', () => {
    const e = new SampleError('TRUNCATED', 'message truncated', { field: 'f', needed: 2, remaining: 1 });
    expectTypeOf(e.code).toEqualTypeOf<'TRUNCATED'>();
    expectTypeOf(e.context.needed).toEqualTypeOf<number>();
    expectTypeOf(e).toMatchTypeOf<ParaloomError>();
  });

  it('refuses a context that does not fit the code (checked by tsc)', () => {
    const wrong = [
      // @ts-expect-error `needed` must be a number
      () => new SampleError('TRUNCATED', 'm', { field: 'f', needed: '2', remaining: 1 }),
      // @ts-expect-error `remaining` is missing
      () => new SampleError('TRUNCATED', 'm', { field: 'f', needed: 2 }),
      // @ts-expect-error TRUNCATED carries a context: it cannot be left out
      () => new SampleError('TRUNCATED', 'm'),
      // @ts-expect-error a field the code does not declare
      () => new SampleError('OUT_OF_RANGE', 'm', { value: '1', min: '0' }),
      // @ts-expect-error a code without context takes none
      () => new SampleError('NOT_STARTED', 'm', { state: 'stopped' }),
      // @ts-expect-error not a code of this module
      () => new SampleError('TIMEOUT', 'm'),
    ];
    // At run time the constructor does not check: the guarantee is the compiler's.
    for (const make of wrong) expect(make()).toBeInstanceOf(SampleError);
    const e = new SampleError('OUT_OF_RANGE', 'm', { value: '1' });
    if (e.code === 'OUT_OF_RANGE') {
      // @ts-expect-error a field no OUT_OF_RANGE context has
      expect(e.context.needed).toBeUndefined();
    }
    const any = e as SampleError;
    // @ts-expect-error before narrowing, `needed` is not on every code's context
    expect(any.context.needed).toBeUndefined();
  });
});
