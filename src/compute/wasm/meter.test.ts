import { describe, expect, it } from 'vitest';
import { runModule } from '../sandbox/run-module.js';
import { MEAN_WAT, u64Vector } from '../testing/index.js';
import { prepareModule } from './prepare.js';
import { watToWasm } from './wat.js';

// Control flow of every kind the validator allows: typed blocks with valued branches, br_table,
// if/else with results, select, early return, a nested loop, a call with a result.
const CONTROL_WAT = `(module
  (memory (export "memory") 1 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func $classify (param $x i32) (result i32)
    (block $c
      (block $b
        (block $a
          (br_table $a $b $c (i32.rem_u (local.get $x) (i32.const 3))))
        (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30))
  (func $sum_to (param $n i32) (result i64)
    (local $acc i64) (local $i i32) (local $j i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.le_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "run") (param $ptr i32) (param $len i32) (result i32)
    (local $x i32)
    (local.set $x (i32.load8_u (local.get $ptr)))
    (i32.store (local.get $ptr) (call $classify (local.get $x)))
    (i32.store offset=4 (local.get $ptr)
      (if (result i32) (i32.and (local.get $x) (i32.const 1))
        (then (select (i32.const 7) (i32.const 8) (i32.gt_u (local.get $x) (i32.const 100))))
        (else (i32.const 9))))
    (i64.store offset=8 (local.get $ptr) (call $sum_to (local.get $x)))
    (i32.store offset=16 (local.get $ptr)
      (block $v (result i32)
        (drop (br_if $v (i32.const 5) (i32.eqz (local.get $x))))
        (i32.const 6)))
    (i32.const 20)))`;

function both(wat: string, input: Uint8Array, fuelLimit = 100_000_000n) {
  const plain = runModule({ id: 0, wasm: watToWasm(wat), input, fuelLimit, outputCap: 64 });
  const metered = runModule({
    id: 0,
    wasm: prepareModule(watToWasm(wat), { fuelLimit, memoryPages: 16 }),
    input,
    fuelLimit,
    outputCap: 64,
  });
  return { plain, metered };
}

describe('metering', () => {
  it('does not change what a module computes', () => {
    for (const x of [0, 1, 2, 3, 50, 101, 200]) {
      const { plain, metered } = both(CONTROL_WAT, Uint8Array.of(x));
      expect(metered.status).toBe('ok');
      expect(Buffer.from(metered.output).toString('hex')).toBe(Buffer.from(plain.output).toString('hex'));
    }
    const { plain, metered } = both(MEAN_WAT, u64Vector([1n, 2n, 3n]));
    expect(Buffer.from(metered.output).equals(Buffer.from(plain.output))).toBe(true);
  });

  it('charges more for more work, and the same for the same work', () => {
    const fuel = (x: number) => both(CONTROL_WAT, Uint8Array.of(x)).metered.fuelUsed;
    expect(fuel(10)).toBeLessThan(fuel(20));
    expect(fuel(20)).toBeLessThan(fuel(200));
    expect(fuel(123)).toBe(fuel(123));
    const mean = (n: number) =>
      both(MEAN_WAT, u64Vector(Array.from({ length: n }, () => 5n))).metered.fuelUsed;
    // Linear in the input: each further element costs the same.
    expect(mean(20) - mean(10)).toBe(mean(30) - mean(20));
  });

  it('traps at the limit wherever the run is when fuel runs out', () => {
    const full = both(CONTROL_WAT, Uint8Array.of(200)).metered.fuelUsed;
    for (const limit of [1n, 50n, full / 2n, full - 1n]) {
      const r = both(CONTROL_WAT, Uint8Array.of(200), limit).metered;
      expect([r.status, r.fuelUsed]).toEqual(['out_of_fuel', limit]);
    }
    expect(both(CONTROL_WAT, Uint8Array.of(200), full).metered.status).toBe('ok');
  });
});
