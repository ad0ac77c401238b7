import { afterAll, describe, expect, it } from 'vitest';
import { ComputeError } from '../errors.js';
import {
  INDIRECT_RECURSION_WAT,
  INFINITE_LOOP_WAT,
  MEAN_WAT,
  RECURSION_WAT,
  u64Vector,
} from '../testing/index.js';
import { prepareModule } from '../wasm/prepare.js';
import { watToWasm } from '../wasm/wat.js';
import { runModule } from './run-module.js';
import { Sandbox } from './sandbox.js';

const input = u64Vector([3n, 5n, 7n, 1000n, 2n ** 40n]);
const fuelLimit = 1_000_000n;
const mean = prepareModule(watToWasm(MEAN_WAT), { fuelLimit, memoryPages: 16 });

describe('sandbox', () => {
  const a = new Sandbox();
  const b = new Sandbox();
  afterAll(async () => {
    await a.stop();
    await b.stop();
  });

  it('gives byte-identical output and fuel in-process, on repeat, and in separate workers', async () => {
    const request = { wasm: mean, input, fuelLimit, outputCap: 64 };
    const local = runModule({ ...request, id: 0 });
    const runs = [await a.run(request), await a.run(request), await b.run(request)];
    expect(local.status).toBe('ok');
    const view = new DataView(local.output.buffer, local.output.byteOffset);
    expect(view.getBigUint64(0, true)).toBe(3n + 5n + 7n + 1000n + 2n ** 40n);
    expect(view.getBigUint64(8, true)).toBe(5n);
    for (const r of runs) {
      expect(r.status).toBe('ok');
      expect(Buffer.from(r.output).equals(Buffer.from(local.output))).toBe(true);
      expect(r.fuelUsed).toBe(local.fuelUsed);
    }
  });

  it('stops an infinite loop at exactly its fuel limit', async () => {
    const loop = prepareModule(watToWasm(INFINITE_LOOP_WAT), { fuelLimit: 5000n, memoryPages: 1 });
    const r = await a.run({ wasm: loop, input, fuelLimit: 5000n, outputCap: 64 });
    expect(r.status).toBe('out_of_fuel');
    expect(r.fuelUsed).toBe(5000n);
    expect(r.output.length).toBe(0);
  });

  it('stops unbounded recursion at the counted call depth, not the engine stack', async () => {
    const rec = prepareModule(watToWasm(RECURSION_WAT), { fuelLimit: 10_000_000n, memoryPages: 1 });
    const r1 = await a.run({ wasm: rec, input, fuelLimit: 10_000_000n, outputCap: 64 });
    const r2 = await b.run({ wasm: rec, input, fuelLimit: 10_000_000n, outputCap: 64 });
    expect(r1.status).toBe('trap');
    expect(r1.fuelUsed).toBe(r2.fuelUsed);
  });

  it('counts call depth through tables too', () => {
    const fuel = 10_000_000n;
    const wasm = prepareModule(watToWasm(INDIRECT_RECURSION_WAT), { fuelLimit: fuel, memoryPages: 1 });
    const ok = runModule({ id: 0, wasm, input: new Uint8Array(0), fuelLimit: fuel, outputCap: 8 });
    expect(ok.status).toBe('ok');
    expect(new DataView(ok.output.buffer).getInt32(0, true)).toBe(41);
    const deep = runModule({ id: 0, wasm, input: Uint8Array.of(1), fuelLimit: fuel, outputCap: 8 });
    // A trap from the counted depth ('unreachable'), not V8's own stack overflow.
    expect([deep.status, deep.detail]).toEqual(['trap', 'unreachable']);
  });

  it('kills a job that overruns its wall clock and recovers for the next job', async () => {
    const huge = 10_000_000_000n;
    const loop = prepareModule(watToWasm(INFINITE_LOOP_WAT), { fuelLimit: huge, memoryPages: 1 });
    const quick = new Sandbox({ wallClockMs: 300 });
    try {
      const started = Date.now();
      const err = await quick
        .run({ wasm: loop, input, fuelLimit: huge, outputCap: 64 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ComputeError);
      expect((err as ComputeError).code).toBe('SANDBOX_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5000);
      const next = await quick.run({ wasm: mean, input, fuelLimit, outputCap: 64 });
      expect(next.status).toBe('ok');
    } finally {
      await quick.stop();
    }
  });
});
