// WAT sources for compute tests: the example job plus small hostile modules.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MEAN_WAT = readFileSync(
  fileURLToPath(new URL('../../examples/compute/mean/job.wat', import.meta.url)),
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
