;; Facet's SIMD distance kernels (WebAssembly text). `npm run build:wasm` compiles this file into
;; kernels-wasm.ts, which the JavaScript kernels (kernels.ts) instantiate in every thread; a test
;; checks that the two agree. The module imports one shared memory. A matrix allocated by
;; allocMatrix lives in such a memory with scratch slots beside it, and the kernels read its rows in
;; place; any other matrix is copied in by chunks into a memory the thread owns. Rows and centres are
;; row-major f32 with a stride of d floats.
(module
  (import "env" "mem" (memory 1 65536 shared))

  ;; For each of `rows` rows at $xp: the nearest of k centres at $cp and the runner-up. Writes per row:
  ;; nearest index (i32 at $outLab), runner-up index (i32 at $outRun, -1 when k = 1), and their distances
  ;; scaled by $up and $lo (f32 at $outD1 and $outD2; +inf when k = 1), so that a caller can widen them into
  ;; bounds (or pass 1 and 1 for the plain distances). With $gap set, $outD2 holds the bound gap instead:
  ;; lo x runner-up distance - up x nearest distance.
  ;; Rows are taken two at a time (an odd last row pairs with itself) and centres two at a time, so each
  ;; centre vector is loaded once for both rows, each row vector once for both centres, and the two rows'
  ;; choices are independent work for the processor to overlap. The nearest and runner-up are kept without
  ;; branches: a distance (non-negative, so its f32 bits order like it) and its centre index are packed
  ;; into one i64 key, and keys are merged with compare-and-select, so the choice of centre costs no
  ;; mispredicted branch whatever the data.
  (func (export "nearest")
    (param $xp i32) (param $rows i32) (param $d i32) (param $cp i32) (param $k i32)
    (param $outLab i32) (param $outRun i32) (param $outD1 i32) (param $outD2 i32) (param $up f32) (param $lo f32) (param $gap i32)
    (local $i i32) (local $i2 i32) (local $xq i32) (local $j i32) (local $j2 i32) (local $t i32) (local $tb i32)
    (local $c i32) (local $c2 i32) (local $rowBytes i32) (local $d4 i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $x v128) (local $v v128)
    (local $ha v128) (local $hb v128) (local $cv0 v128) (local $cv1 v128)
    (local $s0 f32) (local $s1 f32) (local $r0 f32) (local $r1 f32) (local $xs f32) (local $e0 f32) (local $e1 f32)
    (local $kbA i64) (local $ksA i64) (local $kbB i64) (local $ksB i64) (local $key i64) (local $lose i64) (local $lt i32)
    (local $bi i32) (local $o i32) (local $best f32) (local $second f32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $d4 (i32.and (local.get $d) (i32.const -4)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
        ;; row A at $xp (index $i) and row B at $xq (index $i2)
        (local.set $i2 (i32.add (local.get $i) (i32.const 1)))
        (local.set $xq (i32.add (local.get $xp) (local.get $rowBytes)))
        (if (i32.ge_u (local.get $i2) (local.get $rows))
          (then (local.set $i2 (local.get $i)) (local.set $xq (local.get $xp))))
        ;; +inf with index -1: what remains when there is no (runner-up) centre
        (local.set $kbA (i64.const 0x7f800000ffffffff))
        (local.set $ksA (i64.const 0x7f800000ffffffff))
        (local.set $kbB (i64.const 0x7f800000ffffffff))
        (local.set $ksB (i64.const 0x7f800000ffffffff))
        (local.set $j (i32.const 0))
        (local.set $c (local.get $cp))
        (block $centresDone
          (loop $centreLoop
            (br_if $centresDone (i32.ge_u (local.get $j) (local.get $k)))
            ;; the pair's second centre; the last centre of an odd k pairs with itself
            (local.set $j2 (i32.add (local.get $j) (i32.const 1)))
            (local.set $c2 (i32.add (local.get $c) (local.get $rowBytes)))
            (if (i32.ge_u (local.get $j2) (local.get $k)) (then (local.set $c2 (local.get $c))))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $a1 (v128.const f32x4 0 0 0 0))
            (local.set $b0 (v128.const f32x4 0 0 0 0))
            (local.set $b1 (v128.const f32x4 0 0 0 0))
            (local.set $t (i32.const 0))
            (block $vecDone
              (loop $vecLoop
                (br_if $vecDone (i32.ge_u (local.get $t) (local.get $d4)))
                (local.set $tb (i32.shl (local.get $t) (i32.const 2)))
                (local.set $cv0 (v128.load (i32.add (local.get $c) (local.get $tb))))
                (local.set $cv1 (v128.load (i32.add (local.get $c2) (local.get $tb))))
                (local.set $x (v128.load (i32.add (local.get $xp) (local.get $tb))))
                (local.set $v (f32x4.sub (local.get $x) (local.get $cv0)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (local.get $v))))
                (local.set $v (f32x4.sub (local.get $x) (local.get $cv1)))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v) (local.get $v))))
                (local.set $x (v128.load (i32.add (local.get $xq) (local.get $tb))))
                (local.set $v (f32x4.sub (local.get $x) (local.get $cv0)))
                (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $v) (local.get $v))))
                (local.set $v (f32x4.sub (local.get $x) (local.get $cv1)))
                (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $v) (local.get $v))))
                (local.set $t (i32.add (local.get $t) (i32.const 4)))
                (br $vecLoop)))
            ;; horizontal sums, two accumulators at once: [a0.0+a0.2, a0.1+a0.3, a1.0+a1.2, a1.1+a1.3], then pairwise
            (local.set $ha (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
            (local.set $ha (f32x4.add (local.get $ha)
              (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $ha) (local.get $ha))))
            (local.set $hb (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $b0) (local.get $b1))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $b0) (local.get $b1))))
            (local.set $hb (f32x4.add (local.get $hb)
              (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $hb) (local.get $hb))))
            (local.set $s0 (f32x4.extract_lane 0 (local.get $ha)))
            (local.set $s1 (f32x4.extract_lane 2 (local.get $ha)))
            (local.set $r0 (f32x4.extract_lane 0 (local.get $hb)))
            (local.set $r1 (f32x4.extract_lane 2 (local.get $hb)))
            ;; the last d mod 4 features, one at a time
            (block $tailDone
              (loop $tailLoop
                (br_if $tailDone (i32.ge_u (local.get $t) (local.get $d)))
                (local.set $tb (i32.shl (local.get $t) (i32.const 2)))
                (local.set $xs (f32.load (i32.add (local.get $xp) (local.get $tb))))
                (local.set $e0 (f32.sub (local.get $xs) (f32.load (i32.add (local.get $c) (local.get $tb)))))
                (local.set $e1 (f32.sub (local.get $xs) (f32.load (i32.add (local.get $c2) (local.get $tb)))))
                (local.set $s0 (f32.add (local.get $s0) (f32.mul (local.get $e0) (local.get $e0))))
                (local.set $s1 (f32.add (local.get $s1) (f32.mul (local.get $e1) (local.get $e1))))
                (local.set $xs (f32.load (i32.add (local.get $xq) (local.get $tb))))
                (local.set $e0 (f32.sub (local.get $xs) (f32.load (i32.add (local.get $c) (local.get $tb)))))
                (local.set $e1 (f32.sub (local.get $xs) (f32.load (i32.add (local.get $c2) (local.get $tb)))))
                (local.set $r0 (f32.add (local.get $r0) (f32.mul (local.get $e0) (local.get $e0))))
                (local.set $r1 (f32.add (local.get $r1) (f32.mul (local.get $e1) (local.get $e1))))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $tailLoop)))
            ;; merge each distance into its row's keys: the loser of (key, nearest) competes for runner-up
            (local.set $key (i64.or (i64.shl (i64.extend_i32_u (i32.reinterpret_f32 (local.get $s0))) (i64.const 32))
              (i64.extend_i32_u (local.get $j))))
            (local.set $lt (i64.lt_u (local.get $key) (local.get $kbA)))
            (local.set $lose (select (local.get $kbA) (local.get $key) (local.get $lt)))
            (local.set $kbA (select (local.get $key) (local.get $kbA) (local.get $lt)))
            (local.set $ksA (select (local.get $lose) (local.get $ksA) (i64.lt_u (local.get $lose) (local.get $ksA))))
            (local.set $key (i64.or (i64.shl (i64.extend_i32_u (i32.reinterpret_f32 (local.get $r0))) (i64.const 32))
              (i64.extend_i32_u (local.get $j))))
            (local.set $lt (i64.lt_u (local.get $key) (local.get $kbB)))
            (local.set $lose (select (local.get $kbB) (local.get $key) (local.get $lt)))
            (local.set $kbB (select (local.get $key) (local.get $kbB) (local.get $lt)))
            (local.set $ksB (select (local.get $lose) (local.get $ksB) (i64.lt_u (local.get $lose) (local.get $ksB))))
            (if (i32.lt_u (local.get $j2) (local.get $k))
              (then
                (local.set $key (i64.or (i64.shl (i64.extend_i32_u (i32.reinterpret_f32 (local.get $s1))) (i64.const 32))
                  (i64.extend_i32_u (local.get $j2))))
                (local.set $lt (i64.lt_u (local.get $key) (local.get $kbA)))
                (local.set $lose (select (local.get $kbA) (local.get $key) (local.get $lt)))
                (local.set $kbA (select (local.get $key) (local.get $kbA) (local.get $lt)))
                (local.set $ksA (select (local.get $lose) (local.get $ksA) (i64.lt_u (local.get $lose) (local.get $ksA))))
                (local.set $key (i64.or (i64.shl (i64.extend_i32_u (i32.reinterpret_f32 (local.get $r1))) (i64.const 32))
                  (i64.extend_i32_u (local.get $j2))))
                (local.set $lt (i64.lt_u (local.get $key) (local.get $kbB)))
                (local.set $lose (select (local.get $kbB) (local.get $key) (local.get $lt)))
                (local.set $kbB (select (local.get $key) (local.get $kbB) (local.get $lt)))
                (local.set $ksB (select (local.get $lose) (local.get $ksB) (i64.lt_u (local.get $lose) (local.get $ksB))))))
            (local.set $c (i32.add (local.get $c2) (local.get $rowBytes)))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $centreLoop)))
        ;; row A's result; every distance infinite (overflow) or NaN: the first centre
        (local.set $bi (i32.wrap_i64 (local.get $kbA)))
        (local.set $best (f32.reinterpret_i32 (i32.wrap_i64 (i64.shr_u (local.get $kbA) (i64.const 32)))))
        (local.set $second (f32.reinterpret_i32 (i32.wrap_i64 (i64.shr_u (local.get $ksA) (i64.const 32)))))
        (if (i32.lt_s (local.get $bi) (i32.const 0)) (then (local.set $bi (i32.const 0)) (local.set $best (f32.const inf))))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (i32.store (i32.add (local.get $outLab) (local.get $o)) (local.get $bi))
        (i32.store (i32.add (local.get $outRun) (local.get $o)) (i32.wrap_i64 (local.get $ksA)))
        (local.set $best (f32.mul (f32.sqrt (local.get $best)) (local.get $up)))
        (local.set $second (f32.mul (f32.sqrt (local.get $second)) (local.get $lo)))
        (if (local.get $gap) (then (local.set $second (f32.sub (local.get $second) (local.get $best)))))
        (f32.store (i32.add (local.get $outD1) (local.get $o)) (local.get $best))
        (f32.store (i32.add (local.get $outD2) (local.get $o)) (local.get $second))
        ;; row B's result; every distance infinite (overflow) or NaN: the first centre
        (local.set $bi (i32.wrap_i64 (local.get $kbB)))
        (local.set $best (f32.reinterpret_i32 (i32.wrap_i64 (i64.shr_u (local.get $kbB) (i64.const 32)))))
        (local.set $second (f32.reinterpret_i32 (i32.wrap_i64 (i64.shr_u (local.get $ksB) (i64.const 32)))))
        (if (i32.lt_s (local.get $bi) (i32.const 0)) (then (local.set $bi (i32.const 0)) (local.set $best (f32.const inf))))
        (local.set $o (i32.shl (local.get $i2) (i32.const 2)))
        (i32.store (i32.add (local.get $outLab) (local.get $o)) (local.get $bi))
        (i32.store (i32.add (local.get $outRun) (local.get $o)) (i32.wrap_i64 (local.get $ksB)))
        (local.set $best (f32.mul (f32.sqrt (local.get $best)) (local.get $up)))
        (local.set $second (f32.mul (f32.sqrt (local.get $second)) (local.get $lo)))
        (if (local.get $gap) (then (local.set $second (f32.sub (local.get $second) (local.get $best)))))
        (f32.store (i32.add (local.get $outD1) (local.get $o)) (local.get $best))
        (f32.store (i32.add (local.get $outD2) (local.get $o)) (local.get $second))
        (local.set $xp (i32.add (local.get $xq) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i2) (i32.const 1)))
        (br $rowLoop))))

  ;; Adds each of `rows` rows at $xp (f32) into the f64 sum of its centre, sums[lab * d + t] += x[t],
  ;; and counts it, counts[lab] += 1; labels (i32) at $labp, k x d sums at $sp, k counts (f64) at $cp.
  ;; Four features per step: the f32x4 is widened into two f64x2 halves.
  (func (export "addRows")
    (param $xp i32) (param $rows i32) (param $d i32) (param $labp i32) (param $sp i32) (param $cp i32)
    (local $i i32) (local $t i32) (local $lab i32) (local $so i32) (local $a i32) (local $xa i32)
    (local $rowBytes i32) (local $d4 i32) (local $v v128)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $d4 (i32.and (local.get $d) (i32.const -4)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $lab (i32.load (i32.add (local.get $labp) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $a (i32.add (local.get $cp) (i32.shl (local.get $lab) (i32.const 3))))
        (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.const 1)))
        (local.set $so (i32.add (local.get $sp) (i32.shl (i32.mul (local.get $lab) (local.get $d)) (i32.const 3))))
        (local.set $t (i32.const 0))
        (block $vecDone
          (loop $vecLoop
            (br_if $vecDone (i32.ge_u (local.get $t) (local.get $d4)))
            (local.set $v (v128.load (i32.add (local.get $xp) (i32.shl (local.get $t) (i32.const 2)))))
            (local.set $a (i32.add (local.get $so) (i32.shl (local.get $t) (i32.const 3))))
            (v128.store (local.get $a)
              (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $v))))
            (v128.store offset=16 (local.get $a)
              (f64x2.add (v128.load offset=16 (local.get $a))
                (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (br $vecLoop)))
        (block $tailDone
          (loop $tailLoop
            (br_if $tailDone (i32.ge_u (local.get $t) (local.get $d)))
            (local.set $a (i32.add (local.get $so) (i32.shl (local.get $t) (i32.const 3))))
            (local.set $xa (i32.add (local.get $xp) (i32.shl (local.get $t) (i32.const 2))))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (f32.load (local.get $xa)))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $tailLoop)))
        (local.set $xp (i32.add (local.get $xp) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rowLoop))))
)
