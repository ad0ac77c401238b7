;; Private statistic: sum, count and mean of a vector of u64 values.
;; Input: n little-endian u64 values (8n bytes). Output (24 bytes): sum u64 LE | count u64 LE |
;; mean u64 LE (floor; 0 for an empty vector). Integer-only: floats are refused by the validator.
;; Entry convention (docs/protocol.md §Compute jobs): alloc(size) -> ptr, run(ptr, len) -> out_len,
;; output read back from ptr. An input that is not a whole number of u64s aborts with code 1.
(module
  (import "paraloom" "abort" (func $abort (param i32)))
  (memory (export "memory") 2 16)
  (global $heap (mut i32) (i32.const 1024))

  ;; Bump allocator: grows memory when needed; memory.grow fails (-1) past the declared maximum.
  (func (export "alloc") (param $size i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.lt_s
              (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16))
                                    (memory.size)))
              (i32.const 0))
          (then (unreachable)))))
    (global.set $heap (i32.and (i32.add (local.get $end) (i32.const 7)) (i32.const -8)))
    (local.get $ptr))

  (func (export "run") (param $ptr i32) (param $len i32) (result i32)
    (local $i i32) (local $n i32) (local $sum i64)
    (if (i32.and (local.get $len) (i32.const 7)) (then (call $abort (i32.const 1))))
    (local.set $n (i32.shr_u (local.get $len) (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i64.add (local.get $sum)
                   (i64.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i64.store (local.get $ptr) (local.get $sum))
    (i64.store offset=8 (local.get $ptr) (i64.extend_i32_u (local.get $n)))
    (i64.store offset=16 (local.get $ptr)
      (if (result i64) (local.get $n)
        (then (i64.div_u (local.get $sum) (i64.extend_i32_u (local.get $n))))
        (else (i64.const 0))))
    (i32.const 24))
)
