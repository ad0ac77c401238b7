// WAT sources for compute tests: the example job plus small hostile modules.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MEAN_WAT = readFileSync(
  fileURLToPath(new URL('../../../examples/compute/mean/job.wat', import.meta.url)),
  'utf8',
);

const entry = `
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))`;

export const INFINITE_LOOP_WAT = `(module
  (memory (export "memory") 1 1)${entry}
  (func (export "run") (param i32 i32) (result i32)
    (loop $forever (br $forever))
    (i32.const 0)))`;

export const RECURSION_WAT = `(module
  (memory (export "memory") 1 1)${entry}
  (func $down (param i32) (result i32) (call $down (i32.add (local.get 0) (i32.const 1))))
  (func (export "run") (param i32 i32) (result i32) (call $down (i32.const 0))))`;

/** Asks for 65536 pages (4 GiB) of memory. */
export const MEMORY_BOMB_WAT = `(module
  (memory (export "memory") 1 65536)${entry}
  (func (export "run") (param i32 i32) (result i32)
    (drop (memory.grow (i32.const 65535))) (i32.const 0)))`;

export const NO_MAX_MEMORY_WAT = `(module
  (memory (export "memory") 1)${entry}
  (func (export "run") (param i32 i32) (result i32) (i32.const 0)))`;

export const FORBIDDEN_IMPORT_WAT = `(module
  (import "env" "now" (func $now (result i64)))
  (memory (export "memory") 1 1)${entry}
  (func (export "run") (param i32 i32) (result i32) (i32.wrap_i64 (call $now))))`;

export const FLOAT_WAT = `(module
  (memory (export "memory") 1 1)${entry}
  (func (export "run") (param i32 i32) (result i32)
    (i32.trunc_f64_s (f64.div (f64.const 0) (f64.const 0)))))`;

export const SIMD_WAT = `(module
  (memory (export "memory") 1 1)${entry}
  (func (export "run") (param i32 i32) (result i32)
    (i32x4.extract_lane 0 (i32x4.splat (i32.const 7)))))`;

/** Integer-only, but slow enough in wall-clock terms to need the kill (fuel limit set huge). */
export const SLOW_WAT = INFINITE_LOOP_WAT;

/** u64 values packed little-endian, the example job's input. */
export function u64Vector(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setBigUint64(i * 8, v, true);
  });
  return out;
}

/** Recursion through a table: the depth wrappers must cover indirect calls too. */
export const INDIRECT_RECURSION_WAT = `(module
  (type $t (func (param i32) (result i32)))
  (memory (export "memory") 1 1)
  (table 2 funcref)
  (elem (i32.const 0) $down $id)
  (func $id (param i32) (result i32) (local.get 0))
  (func $down (param i32) (result i32)
    (call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 0)))${entry}
  (func (export "run") (param $ptr i32) (param $len i32) (result i32)
    (i32.store (local.get $ptr) (call_indirect (type $t) (i32.const 41) (i32.const 1)))
    ;; A non-empty input recurses without end through the table.
    (if (local.get $len) (then (drop (call_indirect (type $t) (i32.const 0) (i32.const 0)))))
    (i32.const 4)))`;

/**
 * A valid module whose `run` body is `depth` nested empty blocks, built as bytes (the text parser
 * would recurse as deeply as the module does).
 */
export function nestedBlocksModule(depth: number): Uint8Array {
  const leb = (n: number) => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
  const name = (s: string) => [...leb(s.length), ...Buffer.from(s)];
  const body = [
    0x00,
    ...Array(depth).fill([0x02, 0x40]).flat(),
    ...Array(depth).fill(0x0b),
    0x41,
    0x00,
    0x0b,
  ];
  const alloc = [0x00, 0x41, 0x00, 0x0b];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [2, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 2, 0x7f, 0x7f, 1, 0x7f]), // (i32)->i32, (i32 i32)->i32
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 1, 1, 1]), // memory 1 1
    ...section(7, [3, ...name('memory'), 2, 0, ...name('alloc'), 0, 0, ...name('run'), 0, 1]),
    ...section(10, [2, ...leb(alloc.length), ...alloc, ...leb(body.length), ...body]),
  ]);
}
