package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.Requantizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Requantization ({@link Requantizer#apply}) as a straight-line {@link LaneProgram} for the int32
 * vector ALU of the VTA family: ADD and MUL (wrapping), MIN, MAX (signed) and SHR (arithmetic; a
 * negative amount shifts left), each {@code dst = op(dst, src)}, with no compare, select, bitwise
 * operation or division. Per-channel parameters become constant registers whose lanes differ; a
 * parameter shared by every channel becomes an immediate when it fits. The program computes {@code
 * requantizer.apply(acc, c) + offset} exactly for every int32 {@code acc}.
 *
 * <h2>Identities used throughout (all values are integers, {@code >>} is the floor shift)</h2>
 *
 * <ol>
 *   <li><b>Nested floors.</b> {@code floor((a + 2^(n-1)) / 2^n) == floor(((a >> (n-m)) + 2^(m-1)) /
 *       2^m)} for {@code 1 <= m <= n}: write {@code a = q 2^(n-m) + r} with {@code 0 <= r < 2^(n-m)};
 *       the left side is {@code floor((q + 2^(m-1) + r / 2^(n-m)) / 2^m)}, and adding a fraction below
 *       1 to an integer numerator does not change the floor of its quotient by an integer.
 *   <li><b>Round half up by a difference.</b> {@code floor((g + 2^(e-1)) / 2^e) == (g >> (e-1)) - (g >>
 *       e)} for {@code e >= 1} ({@code g = q 2^e + r}: the first shift is {@code 2q + [r >= 2^(e-1)]}),
 *       and for {@code e = 0} the right side is {@code 2g - g = g} modulo 2^32. Wrapping ADD and MUL
 *       compute exact integers modulo 2^32, so any chain whose true final value fits int32 yields
 *       that value even if intermediate values wrapped.
 *   <li><b>Indicators.</b> For {@code x >= 0}, {@code MIN(x >> s, 1)} is {@code [x >= 2^s]} and {@code
 *       MIN(x, 1)} is {@code [x != 0]}; {@code x >> 31} is {@code -[x < 0]}; {@code x - 2 (x >> 1)} is
 *       {@code x}'s lowest bit; {@code x - ((x >> s) << s)} is {@code x mod 2^s}. A temporary is
 *       loaded as {@code MUL t, #0; ADD t, x} (or {@code MIN t, INT_MIN; MAX t, x} without MUL).
 *   <li><b>Clamp before the zero point.</b> For an int32 {@code y}, {@code clamp(sat(y + zp), min,
 *       max) == clamp(y, lo, hi) + zp} with {@code lo = max(min, INT_MIN + zp) - zp}, {@code hi =
 *       min(max, INT_MAX + zp) - zp} when {@code lo <= hi} (over int32 {@code y}, {@code y + zp} never
 *       leaves {@code [INT_MIN + zp, INT_MAX + zp]}, so clamping to that interval's intersection with
 *       {@code [min, max]} changes nothing; the storage saturation is implied by {@code [min, max]}
 *       lying inside the storage range); otherwise the result is the constant {@code min} or {@code
 *       max}. {@code lo}, {@code hi} and the sum fit int32, so nothing overflows.
 * </ol>
 *
 * <h2>Per scheme</h2>
 *
 * Each scheme's generator ({@code pow2}, {@code qnnpack}, {@code tflite}, {@code tosa} below) documents
 * its algorithm and why it is exact. POW2 needs only ADD, MIN, MAX and SHR by non-negative amounts (so
 * it runs on {@link TargetDescription#vta()}, shifts above 15 split into several SHRs); every other
 * scheme needs MUL and shift amounts -31..31 ({@link TargetDescription#vtaMul()}) and is refused
 * otherwise. Typical lengths: pow2 6 to 8 steps without temporaries (one temporary for shift 1 under a
 * clamp reaching 2^30); float / mantissa 196 steps, 7 temporaries (float_clamp 188); tflite_double
 * about 55 steps; tflite_single and tosa 37 to 51 (the short end when every channel's total shift is
 * at least 32), 4 or 5 temporaries; plus constant registers for per-channel values and for operands
 * outside the immediate field.
 */
public final class RequantizeLanes {
  private RequantizeLanes() {}

  /** The target cannot compute this requantization exactly; the message says why. */
  public static final class UnsupportedRequantizationException extends RuntimeException {
    public UnsupportedRequantizationException(String message) {
      super(message);
    }
  }

  private static final int INT_MIN = Integer.MIN_VALUE;
  private static final int INT_MAX = Integer.MAX_VALUE;

  /**
   * The program for this requantizer on this target: register 0 ends as {@code r.apply(acc, c) +
   * offset} (int32 wrapping addition) for every int32 {@code acc} and every channel {@code c} of
   * {@code r} (any {@code c} when {@code r} is per tensor).
   *
   * <p>Where {@link Requantizer#apply} throws for some accumulators (TOSA's REQUIRE on the value for
   * shifts up to 32), the program computes the low 32 bits of TOSA's formula {@code (value * M +
   * round) >> shift} followed by the tail, what the reference model's arithmetic gives without the
   * check.
   *
   * @param offset added at the very end (u8 outputs stored as value - 128 use -128)
   * @throws UnsupportedRequantizationException if {@code target} cannot do it exactly
   * @throws IllegalArgumentException if {@code r} is invalid ({@link Requantizer#problem()}) or is one
   *     {@link Requantizer#apply} rejects for every accumulator (qnnpack tail outside 0..255, TFLite
   *     shift outside -31..30, negative single-rounding multiplier)
   */
  public static LaneProgram of(Requantizer r, int offset, TargetDescription target) {
    r.problem().ifPresent(p -> {
      throw new IllegalArgumentException("invalid requantizer: " + p);
    });
    Builder b = new Builder(target);
    Tail tail;
    switch (r.scheme()) {
      case POW2 -> {
        tail = Tail.integer(r);
        pow2(b, r.shifts().toArray(), tail);
      }
      case FLOAT, MANTISSA -> {
        requireMultiplier(r, target);
        tail = Tail.qnnpack(r);
        qnnpack(b, r, true);
      }
      case FLOAT_CLAMP -> {
        requireMultiplier(r, target);
        tail = Tail.integer(r);
        if (tail.lo() <= -(1 << 23) || tail.hi() >= 1 << 23) {
          throw new UnsupportedRequantizationException("scheme float_clamp with clamp [" + r.min() + ", " + r.max()
              + "] and zero point " + r.outputZeroPoint() + ": the lane program needs the clamp within 2^23 of the"
              + " zero point (8- and 16-bit outputs)");
        }
        qnnpack(b, r, false);
      }
      case TFLITE_DOUBLE, TFLITE_SINGLE -> {
        requireMultiplier(r, target);
        tail = Tail.integer(r);
        tflite(b, r);
      }
      case TOSA_DOUBLE, TOSA_SINGLE -> {
        requireMultiplier(r, target);
        tail = Tail.integer(r);
        tosa(b, r);
      }
      default -> throw new AssertionError(r.scheme());
    }
    tail.emit(b, offset);
    return b.build();
  }

  // ------------------------------------------------------------------------------------------ target checks

  private static void requireMultiplier(Requantizer r, TargetDescription target) {
    String what = switch (r.scheme()) {
      case FLOAT, FLOAT_CLAMP -> "scale " + (float) r.scales().get(0) + (r.channels() > 1 ? " (channel 0 of "
          + r.channels() + ")" : "");
      default -> "multiplier " + r.multipliers().get(0) + " / shift " + r.shifts().get(0)
          + (r.channels() > 1 ? " (channel 0 of " + r.channels() + ")" : "");
    };
    if (!target.has(AluOp.MUL)) {
      String pow2 = r.scheme().usesFloat() && isPowerOfTwo(r.scales().get(0))
          ? " (even a power-of-two float scale rounds f32(acc) to 24 bits and then to nearest even)" : "";
      throw new UnsupportedRequantizationException("scheme " + r.scheme().word() + ", " + what
          + ": exact requantization needs a multiplier, and target " + target.name() + " has no MUL" + pow2);
    }
    for (AluOp op : AluOp.values()) {
      if (!target.has(op)) {
        throw new UnsupportedRequantizationException("scheme " + r.scheme().word() + ", " + what + ": target "
            + target.name() + " has no " + op);
      }
    }
    if (target.minShift() > -31 || target.maxShift() < 31) {
      throw new UnsupportedRequantizationException("scheme " + r.scheme().word() + ", " + what
          + ": the lane programs need shift amounts -31..31, target " + target.name() + " has "
          + target.minShift() + ".." + target.maxShift());
    }
  }

  private static boolean isPowerOfTwo(double s) {
    return s > 0 && Math.getExponent(s) >= Double.MIN_EXPONENT && s == Math.scalb(1.0, Math.getExponent(s));
  }

  // ------------------------------------------------------------------------------------------ pow2

  /**
   * POW2: {@code y = floor((acc + 2^(n-1)) / 2^n)} for {@code n = shift[c] >= 1}, {@code y = acc} for
   * {@code n = 0}, using ADD, MIN, MAX and SHR by non-negative amounts only:
   *
   * <pre>
   *   SHR r0, max(n-1, 0)      (split into several SHRs when above the target's largest amount)
   *   ADD r0, [n >= 1]
   *   SHR r0, [n >= 1]
   * </pre>
   *
   * which is identity 1 with {@code m = 1}: {@code ((acc >> (n-1)) + 1) >> 1}. For {@code n >= 2},
   * {@code acc >> (n-1) < 2^30}, so adding 1 cannot overflow. For {@code n = 1} it overflows only at
   * {@code acc = INT_MAX}; the program first does {@code MIN r0, INT_MAX - 1} in those lanes, which
   * gives {@code 2^30 - 1} instead of {@code 2^30} there (and is exact for {@code INT_MAX - 1}). That
   * is harmless unless the tail's clamp interval separates the two, {@code lo < 2^30 <= hi} (i32
   * storage only); then an indicator {@code [acc == INT_MAX] = MAX(acc, INT_MAX - 1) - (INT_MAX - 1)}
   * computed beforehand is added back. Shifts may differ per channel: the amounts are then constant
   * registers (a vector SHR), and lanes with {@code n = 0} shift by 0 and add 0.
   */
  private static void pow2(Builder b, int[] n, Tail tail) {
    TargetDescription target = b.target;
    for (AluOp op : new AluOp[] {AluOp.ADD, AluOp.MIN, AluOp.MAX, AluOp.SHR}) {
      if (!target.has(op)) {
        throw new UnsupportedRequantizationException("scheme pow2: target " + target.name() + " has no " + op);
      }
    }
    if (Arrays.stream(n).allMatch(k -> k == 0)) {
      return; // y = acc
    }
    if (target.minShift() > 0 || target.maxShift() < 1) {
      throw new UnsupportedRequantizationException("scheme pow2, shift " + Arrays.stream(n).max().getAsInt()
          + ": needs shift amounts 0 and 1, target " + target.name() + " has " + target.minShift() + ".."
          + target.maxShift());
    }
    int indicator = -1;
    if (Arrays.stream(n).anyMatch(k -> k == 1)) {
      int[] cap = map(n, k -> k == 1 ? INT_MAX - 1 : INT_MAX);
      if (tail.lo() <= (1 << 30) - 1 && tail.hi() >= 1 << 30) {
        indicator = b.temp();
        b.copy(indicator, 0);
        b.op(AluOp.MAX, indicator, b.lanes(cap, "INT_MAX - 1 where shift 1"));
        b.op(AluOp.ADD, indicator, b.lanes(map(cap, c -> -c), "-(INT_MAX - 1) where shift 1"));
      }
      b.op(AluOp.MIN, 0, b.lanes(cap, "INT_MAX - 1 where shift 1"));
    }
    int[] rest = map(n, k -> Math.max(k - 1, 0));
    while (Arrays.stream(rest).anyMatch(k -> k > 0)) {
      int[] chunk = map(rest, k -> Math.min(k, target.maxShift()));
      b.op(AluOp.SHR, 0, b.lanes(chunk, "shift - 1, part"));
      for (int i = 0; i < rest.length; i++) {
        rest[i] -= chunk[i];
      }
    }
    int[] rounds = map(n, k -> k >= 1 ? 1 : 0);
    b.op(AluOp.ADD, 0, b.lanes(rounds, "[shift >= 1]"));
    b.op(AluOp.SHR, 0, b.lanes(rounds, "[shift >= 1]"));
    if (indicator >= 0) {
      b.op(AluOp.ADD, 0, b.reg(indicator));
      b.free(indicator);
    }
  }

  // ------------------------------------------------------------------------------------------ float / mantissa

  /**
   * FLOAT and MANTISSA: {@code y = RNE(f32(f32(acc) * m))} as {@link IntegerOnlyRequant#apply} computes
   * it with integers, then PyTorch qnnpack's x86 tail. {@code m = M 2^e} with the 24-bit mantissa
   * {@code M} in [2^23, 2^24) and {@code e} per channel (for FLOAT, {@code IntegerOnlyRequant.of((float)
   * scale)}; a scale of at least 2^32, which {@code of} refuses, is replaced by {@code M = 2^23, e = 8},
   * i.e. 2^31: both make every nonzero accumulator's product at least 2^31 in magnitude, which the tail
   * turns into {@code min} (as it does -2^31 itself), and 0 stays 0). The lanes compute, with {@code
   * |.|} and the sign handled apart (every rounding here is symmetric):
   *
   * <ol>
   *   <li>{@code acc = MAX(acc, INT_MIN + 1)}: {@code f32(INT_MIN + 1) = f32(INT_MIN) = -2^31} (2^31 - 1
   *       rounds up at 24 bits), and the result depends on acc only through {@code f32(acc)}; now
   *       {@code mag = MAX(acc, -acc)} fits, in [0, 2^31), and {@code sigma = 2 (acc >> 31) + 1} is the
   *       sign.
   *   <li>The bit length {@code bl} of {@code mag} by binary search: for {@code s = 16, 8, 4, 2, 1},
   *       {@code u = s MIN((t >> s), 1)}, {@code t = t >> u} (a vector shift), {@code bl += u}; finally
   *       {@code bl += t}. (Before the step for {@code s}, {@code t < 2^(2s)}.)
   *   <li>{@code a = RNE(mag / 2^d)} with {@code d = bl - 24} in [-24, 7] ({@link Builder#rne}; for
   *       {@code d <= 0} an exact left shift to 24 bits): this is {@code f32(mag) = a 2^d}, {@code a}
   *       in [2^23, 2^24] (or 0 for acc = 0). If rounding reached 2^24 ({@code a >> 24 == 1}), {@code a
   *       >>= 1} and the exponent {@code E = d + 1}: now {@code a < 2^24}.
   *   <li>{@code P = a M < 2^48} from 12-bit limbs: {@code a = a1 2^12 + a0}, {@code M = m1 2^12 + m0}
   *       (m1, m0 constant registers), {@code lo = a0 m0}, {@code mid = a1 m0 + a0 m1 < 2^25}, {@code hi
   *       = a1 m1}, all exact. With {@code Z = mid + (lo >> 12)}, {@code Q = P >> 18 = 64 hi + (Z >> 6)
   *       < 2^30} and the sticky bit {@code st = [P mod 2^18 != 0] = MIN((Z mod 64) 2^12 + lo mod 2^12,
   *       1)}.
   *   <li>P lies in [2^46, 2^48) (or is 0); {@code top = Q >> 29 = [P >= 2^47]} and the float multiply rounds
   *       {@code P} RNE by {@code 23 + top} bits: {@code p = RNE(W / 2^(6 + top))} with {@code W = 2Q +
   *       st < 2^31}, which has the same quotient, half bit and "anything below the half" as {@code P /
   *       2^17} (the sticky bit sits below the half bit since {@code 6 + top >= 2}). Again {@code p = 2^24}
   *       renormalizes to 2^23. So {@code f32(f32(acc) m) = p 2^S} with {@code p} in [2^23, 2^24) and
   *       {@code S = E + 23 + top + e}.
   *   <li>The x86 tail turns a product outside int32 into INT_MIN, i.e. output {@code min}; {@code
   *       p 2^S >= 2^31} iff {@code S >= 8}, so {@code big = MIN(MAX(S - 7, 0), 1)} (a product of
   *       exactly -2^31 converts to INT_MIN too, the same output). Otherwise with {@code S >= 0} the
   *       magnitude is at least 2^23, far beyond the clamp bounds (within [-255, 255]), and
   *       {@code p} itself stands for it; with {@code S < 0}, {@code r = RNE(p / 2^min(-S, 25))} (for
   *       {@code -S >= 25}, {@code p / 2^-S <= 1/2} rounds to 0 either way, ties to even).
   *   <li>{@code y' = sigma r - 2^25 big}: equal to {@code y} when {@code |y| < 2^23}, beyond the same
   *       clamp bound otherwise, and below {@code -2^24} when the product left int32; then the tail
   *       {@code clamp(y' + zp, min, max)}, which is qnnpack's int16 / uint8 saturations for {@code 0 <=
   *       zp, min, max <= 255} ({@link Tail#qnnpack}).
   * </ol>
   *
   * Channels with mantissa 0 ({@code m <= 2^-32}: always 0) use {@code e = -64}, which keeps {@code S <
   * 8}; their product is 0 so {@code r = 0}.
   *
   * <p>FLOAT_CLAMP ({@code x86Overflow} false) is the same product with the generic tail: a product
   * outside int32 saturates to the bound of its sign instead of giving {@code min}, so step 6 computes
   * no {@code big} and step 7 is {@code y' = sigma r}, which is {@code y} when {@code |y| < 2^23} and
   * of {@code y}'s sign and at least 2^23 in magnitude otherwise (the 2^31 that stands for a scale of
   * 2^32 or more keeps every nonzero product there too). The tail {@code clamp(y' + zp, min, max)}
   * ({@link Tail#integer}) then gives {@code y}'s output as long as {@code min - zp} and {@code max -
   * zp} lie strictly within 2^23 of 0, which {@link #of} checks (any 8- or 16-bit output).
   */
  private static void qnnpack(Builder b, Requantizer r, boolean x86Overflow) {
    int ch = r.channels();
    int[] m1 = new int[ch];
    int[] m0 = new int[ch];
    int[] exponentTerm = new int[ch];
    for (int c = 0; c < ch; c++) {
      IntegerOnlyRequant q = decomposed(r, c);
      m1[c] = q.mantissa() >> 12;
      m0[c] = q.mantissa() & 0xFFF;
      exponentTerm[c] = 17 + (q.mantissa() == 0 ? -64 : q.exponent());
    }
    // 1. sign and magnitude
    b.op(AluOp.MAX, 0, b.scalar(INT_MIN + 1, "INT_MIN + 1"));
    int sigma = b.copyOf(0);
    b.op(AluOp.SHR, sigma, 31);
    b.op(AluOp.ADD, sigma, b.reg(sigma));
    b.op(AluOp.ADD, sigma, 1);
    int t = b.copyOf(0);
    b.op(AluOp.MUL, t, -1);
    b.op(AluOp.MAX, 0, b.reg(t));
    b.free(t);
    // 2. bit length, 3. f32(|acc|) = a 2^E
    int exp = b.bitLength(0);
    b.op(AluOp.ADD, exp, -24);
    b.rne(0, exp);
    b.renormalize24(0, exp);
    // 4. P = a M from 12-bit limbs
    int a1 = b.copyOf(0);
    b.op(AluOp.SHR, a1, 12);
    b.subShifted(0, a1, 12); // r0 = a0
    int lo = b.copyOf(0);
    b.op(AluOp.MUL, lo, b.lanes(m0, "mantissa mod 2^12"));
    int mid = b.copyOf(a1);
    b.op(AluOp.MUL, mid, b.lanes(m0, "mantissa mod 2^12"));
    b.op(AluOp.MUL, 0, b.lanes(m1, "mantissa >> 12"));
    b.op(AluOp.ADD, mid, b.reg(0));
    b.op(AluOp.MUL, a1, b.lanes(m1, "mantissa >> 12")); // a1 = hi
    b.copy(0, lo);
    b.op(AluOp.SHR, 0, 12);
    b.op(AluOp.ADD, mid, b.reg(0)); // mid = Z
    b.subShifted(lo, 0, 12); // lo = lo mod 2^12
    b.copy(0, mid);
    b.op(AluOp.SHR, 0, 6);
    b.op(AluOp.SHR, a1, -6);
    b.op(AluOp.ADD, a1, b.reg(0)); // a1 = Q
    b.subShifted(mid, 0, 6); // mid = Z mod 64
    b.op(AluOp.SHR, mid, -12);
    b.op(AluOp.ADD, mid, b.reg(lo));
    b.op(AluOp.MIN, mid, 1); // mid = sticky
    b.free(lo);
    // 5. p = RNE(W / 2^(6 + top)), W = 2Q + sticky
    int k = b.copyOf(a1);
    b.op(AluOp.SHR, k, 29);
    b.op(AluOp.ADD, k, 6);
    b.copy(0, a1);
    b.op(AluOp.ADD, 0, b.reg(a1));
    b.op(AluOp.ADD, 0, b.reg(mid));
    b.free(a1, mid);
    b.rne(0, k);
    b.op(AluOp.ADD, exp, b.reg(k)); // E + top + 6
    b.free(k);
    b.renormalize24(0, exp);
    b.op(AluOp.ADD, exp, b.lanes(exponentTerm, "17 + exponent")); // S
    // 6. big, and r = RNE(p / 2^clamp(-S, 0, 25))
    int big = -1;
    if (x86Overflow) {
      big = b.copyOf(exp);
      b.op(AluOp.ADD, big, -7);
      b.op(AluOp.MAX, big, 0);
      b.op(AluOp.MIN, big, 1);
    }
    b.op(AluOp.MUL, exp, -1);
    b.op(AluOp.MAX, exp, 0);
    b.op(AluOp.MIN, exp, 25);
    b.rne(0, exp);
    b.free(exp);
    // 7. y' = sigma r - 2^25 big (float_clamp: sigma r)
    b.op(AluOp.MUL, 0, b.reg(sigma));
    b.free(sigma);
    if (x86Overflow) {
      b.op(AluOp.MUL, big, -(1 << 15));
      b.op(AluOp.SHR, big, -10);
      b.op(AluOp.ADD, 0, b.reg(big));
      b.free(big);
    }
  }

  private static IntegerOnlyRequant decomposed(Requantizer r, int c) {
    if (r.scheme() == Requantizer.Scheme.MANTISSA) {
      return new IntegerOnlyRequant(r.multipliers().get(c), r.shifts().get(c));
    }
    float m = (float) r.scales().get(c);
    return m >= 0x1p32f ? new IntegerOnlyRequant(1 << 23, 8) : IntegerOnlyRequant.of(m);
  }

  // ------------------------------------------------------------------------------------------ tflite / tosa

  /**
   * TFLite. Single rounding: {@code (acc M + 2^(k-1)) >> k}, {@code k = 31 - shift} in [1, 62], the low
   * 32 bits ({@link Builder#mulRoundShift}). Double rounding: {@code x = acc << max(shift, 0)}
   * (wrapping, a left SHR), {@code h = SRDHM(x, M) = floor((x M + 2^30) / 2^31)} by the same product
   * with {@code k = 31}, then {@code RDBPOT(h, e)}, {@code e = max(-shift, 0)}.
   *
   * <p>SRDHM's one overflow, {@code x = M = INT_MIN} (true value 2^31, TFLite gives INT_MAX): in lanes
   * with {@code M = INT_MIN}, SRDHM is {@code floor((-x 2^31 + 2^30) / 2^31) = -x}, so {@code x =
   * MAX(x, INT_MIN + 1)} there makes it INT_MAX for {@code x = INT_MIN} and changes nothing else. The
   * product's true value then fits int32, and its low 32 bits are it. {@code h >= INT_MIN + 1} always
   * ({@code |x M| <= 2^62 - 2^31} unless both are INT_MIN).
   *
   * <p>RDBPOT rounds half away from zero: for {@code e >= 1} it is {@code floor((h + 2^(e-1) - [h <
   * 0]) / 2^e)} (gemmlowp's {@code remainder > (mask >> 1) + [h < 0]} is {@code remainder + 2^(e-1) -
   * [h < 0] >= 2^e}). So {@code g = h + (h >> 31) [e >= 1]} (no overflow, {@code h > INT_MIN}) and the
   * result is identity 2, {@code (g >> (e-1)) - (g >> e)}, exact for every int32 {@code g}; for {@code
   * e = 0} it returns {@code g = h}.
   */
  private static void tflite(Builder b, Requantizer r) {
    int ch = r.channels();
    int[] m = r.multipliers().toArray();
    int[] shift = r.shifts().toArray();
    for (int c = 0; c < ch; c++) {
      if (shift[c] < -31 || shift[c] > 30) {
        throw new IllegalArgumentException("TFLite shift " + shift[c] + " outside -31..30");
      }
      if (r.scheme() == Requantizer.Scheme.TFLITE_SINGLE && m[c] < 0) {
        throw new IllegalArgumentException("single rounding needs a non-negative multiplier, got " + m[c]);
      }
    }
    if (r.scheme() == Requantizer.Scheme.TFLITE_SINGLE) {
      int[] k = map(shift, s -> 31 - s);
      long[] round = new long[ch];
      for (int c = 0; c < ch; c++) {
        round[c] = 1L << (k[c] - 1);
      }
      b.mulRoundShift(m, round, new boolean[ch], k);
      return;
    }
    int[] left = map(shift, s -> Math.max(s, 0));
    int[] right = map(shift, s -> Math.max(-s, 0));
    b.op(AluOp.SHR, 0, b.lanes(map(left, s -> -s), "-left shift"));
    if (Arrays.stream(m).anyMatch(x -> x == INT_MIN)) {
      b.op(AluOp.MAX, 0, b.lanes(map(m, x -> x == INT_MIN ? INT_MIN + 1 : INT_MIN), "INT_MIN + 1 where M = INT_MIN"));
    }
    long[] round = new long[ch];
    Arrays.fill(round, 1L << 30);
    b.mulRoundShift(m, round, new boolean[ch], map(m, x -> 31));
    if (Arrays.stream(right).allMatch(e -> e == 0)) {
      return;
    }
    int s = b.copyOf(0);
    b.op(AluOp.SHR, s, 31);
    b.op(AluOp.MUL, s, b.lanes(map(right, e -> e >= 1 ? 1 : 0), "[right shift >= 1]"));
    b.op(AluOp.ADD, 0, b.reg(s));
    b.free(s);
    b.roundHalfUp(0, right);
  }

  /**
   * TOSA {@code apply_scale_32}: {@code (acc M + round) >> shift}, low 32 bits, with {@code round =
   * 2^(shift-1)}, plus for double rounding and {@code shift > 31} {@code +2^30} when {@code acc >= 0} and
   * {@code -2^30} otherwise, i.e. {@code 2^(shift-1) + 2^30 - 2^31 [acc < 0]}: the constant part goes
   * into the product's rounding constant and {@code -2^31 [acc < 0] = 2^31 (acc >> 31)} is added as a
   * digit ({@link Builder#mulRoundShift}).
   */
  private static void tosa(Builder b, Requantizer r) {
    int ch = r.channels();
    boolean doubleRound = r.scheme() == Requantizer.Scheme.TOSA_DOUBLE;
    int[] k = r.shifts().toArray();
    long[] round = new long[ch];
    boolean[] sign = new boolean[ch];
    for (int c = 0; c < ch; c++) {
      round[c] = 1L << (k[c] - 1);
      if (doubleRound && k[c] > 31) {
        round[c] += 1L << 30;
        sign[c] = true;
      }
    }
    b.mulRoundShift(r.multipliers().toArray(), round, sign, k);
  }

  // ------------------------------------------------------------------------------------------ tail

  /**
   * The final {@code y -> clamp(y, lo, hi) + add} (identity 4), as {@code MAX r0, lo; MIN r0, hi; ADD r0,
   * add + offset}, each step left out when it does nothing.
   */
  private record Tail(int lo, int hi, int add) {
    /** {@code clamp(sat(y + zp), min, max)} of the integer schemes, for every int32 y. */
    static Tail integer(Requantizer r) {
      return of(r.outputZeroPoint(), r.min(), r.max());
    }

    /**
     * qnnpack's x86 tail for an int32 {@code y}: {@code clamp(satU8(sat16(sat16(y) + zp)), min, max)}.
     * For {@code zp} in [0, 255]: when {@code y >= 32767} both sides give {@code max}, when {@code y
     * <= -32768} both give {@code min} ({@code -32768 + zp < 0 <= min}); in between no saturation
     * happens before the clamp to [0, 255] and then [min, max], which is {@code clamp(y + zp, min,
     * max)} as [min, max] lies in [0, 255].
     */
    static Tail qnnpack(Requantizer r) {
      int zp = r.outputZeroPoint();
      if (zp < 0 || zp > 255 || r.min() < 0 || r.max() > 255 || r.min() > r.max()) {
        throw new IllegalArgumentException("qnnpack u8 output needs 0 <= zero point <= 255 and 0 <= min <= max <= "
            + "255, got zp=" + zp + " min=" + r.min() + " max=" + r.max());
      }
      return of(zp, r.min(), r.max());
    }

    private static Tail of(long zp, long min, long max) {
      long a = Math.max(min, INT_MIN + zp);
      long bound = Math.min(max, INT_MAX + zp);
      if (a <= bound) {
        return new Tail((int) (a - zp), (int) (bound - zp), (int) zp);
      }
      int constant = (int) (max < INT_MIN + zp ? max : min);
      return new Tail(constant, constant, 0);
    }

    void emit(Builder b, int offset) {
      if (lo != INT_MIN) {
        b.op(AluOp.MAX, 0, b.scalar(lo, "clamp low - zero point"));
      }
      if (hi != INT_MAX) {
        b.op(AluOp.MIN, 0, b.scalar(hi, "clamp high - zero point"));
      }
      b.op(AluOp.ADD, 0, b.scalar(add + offset, "zero point + offset"));
    }
  }

  // ------------------------------------------------------------------------------------------ builder

  private static int[] map(int[] values, IntUnaryOperator f) {
    return Arrays.stream(values).map(f).toArray();
  }

  /**
   * Collects steps over symbolic sources (register, constant, immediate), allocates temporaries and
   * constant registers, and holds the multi-step building blocks. Registers {@code 0..inputs-1} are
   * the program's inputs ({@link LaneProgram}); temporaries are numbered after them.
   */
  static final class Builder {
    record Src(Kind kind, int value) {}

    enum Kind {
      REG,
      CONST,
      IMM
    }

    private record Pending(AluOp op, int dst, Src src) {}

    final TargetDescription target;
    private final int inputs;
    private final List<Pending> steps = new ArrayList<>();
    private final List<LaneProgram.Constant> constants = new ArrayList<>();
    private final BitSet inUse = new BitSet();
    private int temporaries;

    Builder(TargetDescription target) {
      this(target, 1);
    }

    Builder(TargetDescription target, int inputs) {
      this.target = target;
      this.inputs = inputs;
    }

    LaneProgram build() {
      if (!inUse.isEmpty()) {
        throw new IllegalStateException("temporaries still allocated: " + inUse);
      }
      List<LaneProgram.Step> out = new ArrayList<>();
      for (Pending p : steps) {
        out.add(switch (p.src().kind()) {
          case REG -> LaneProgram.Step.reg(p.op(), p.dst(), p.src().value());
          case CONST -> LaneProgram.Step.reg(p.op(), p.dst(), inputs + temporaries + p.src().value());
          case IMM -> LaneProgram.Step.imm(p.op(), p.dst(), p.src().value());
        });
      }
      return new LaneProgram(inputs, temporaries, constants, out);
    }

    int temp() {
      int t = inUse.nextClearBit(inputs);
      inUse.set(t);
      temporaries = Math.max(temporaries, t - inputs + 1);
      return t;
    }

    void free(int... ts) {
      for (int t : ts) {
        if (!inUse.get(t)) {
          throw new IllegalStateException("r" + t + " is not allocated");
        }
        inUse.clear(t);
      }
    }

    Src reg(int r) {
      return new Src(Kind.REG, r);
    }

    /** The same value in every lane: an immediate if it fits, else a constant register. */
    Src scalar(int v, String what) {
      if (v >= target.minImm() && v <= target.maxImm()) {
        return new Src(Kind.IMM, v);
      }
      return constant(new int[] {v}, what);
    }

    /** Per-channel values: a scalar when they agree, else a constant register. */
    Src lanes(int[] values, String what) {
      if (Arrays.stream(values).allMatch(v -> v == values[0])) {
        return scalar(values[0], what);
      }
      return constant(values, what);
    }

    private Src constant(int[] values, String what) {
      for (int k = 0; k < constants.size(); k++) {
        if (Arrays.equals(constants.get(k).perChannel(), values)) {
          return new Src(Kind.CONST, k);
        }
      }
      constants.add(new LaneProgram.Constant(values, what));
      return new Src(Kind.CONST, constants.size() - 1);
    }

    /**
     * {@code dst = op(dst, src)}, left out when it is the identity for every lane: ADD 0, SHR 0, MUL
     * 1, MIN INT_MAX, MAX INT_MIN.
     */
    void op(AluOp op, int dst, Src src) {
      if (src.kind() != Kind.REG) {
        int[] values = src.kind() == Kind.IMM ? new int[] {src.value()} : constants.get(src.value()).perChannel();
        int identity = switch (op) {
          case ADD, SHR -> 0;
          case MUL -> 1;
          case MIN -> INT_MAX;
          case MAX -> INT_MIN;
        };
        if (Arrays.stream(values).allMatch(v -> v == identity)) {
          return;
        }
      }
      steps.add(new Pending(op, dst, src));
    }

    void op(AluOp op, int dst, int value) {
      op(op, dst, scalar(value, op + " operand"));
    }

    /** {@code dst = src} (a reset, then the value: see {@link LaneProgram}). */
    void copy(int dst, int src) {
      if (target.has(AluOp.MUL)) {
        steps.add(new Pending(AluOp.MUL, dst, new Src(Kind.IMM, 0)));
        op(AluOp.ADD, dst, reg(src));
      } else {
        steps.add(new Pending(AluOp.MIN, dst, scalar(INT_MIN, "INT_MIN")));
        op(AluOp.MAX, dst, reg(src));
      }
    }

    /** {@code dst >>= n} ({@code n >= 0}) in SHRs of at most the target's largest amount. */
    void shiftRight(int dst, int n) {
      for (int left = n; left > 0; left -= target.maxShift()) {
        op(AluOp.SHR, dst, Math.min(left, target.maxShift()));
      }
    }

    int copyOf(int src) {
      int t = temp();
      copy(t, src);
      return t;
    }

    /** {@code dst -= src << s} (through a temporary, {@code MUL} by {@code -2^s}). */
    void subShifted(int dst, int src, int s) {
      int t = copyOf(src);
      op(AluOp.MUL, t, scalar(-(1 << s), "-2^" + s));
      op(AluOp.ADD, dst, reg(t));
      free(t);
    }

    /**
     * A new temporary holding the bit length of {@code x} (in [0, 2^31)): binary search with {@code u =
     * s MIN(t >> s, 1)}, {@code t >>= u}, {@code bl += u} for {@code s = 16, 8, 4, 2, 1}, then {@code bl
     * += t}. Invariant: {@code t = x >> bl} and, before step {@code s}, {@code t < 2^(2s)}, so after
     * {@code s = 1} {@code t} is 0 or 1, the top bit.
     */
    int bitLength(int x) {
      int t = copyOf(x);
      int bl = -1;
      for (int s = 16; s >= 1; s >>= 1) {
        int u = copyOf(t);
        op(AluOp.SHR, u, s);
        op(AluOp.MIN, u, 1);
        op(AluOp.MUL, u, s);
        op(AluOp.SHR, t, reg(u)); // amount 0 or s
        if (bl < 0) {
          bl = u;
        } else {
          op(AluOp.ADD, bl, reg(u));
          free(u);
        }
      }
      op(AluOp.ADD, bl, reg(t));
      free(t);
      return bl;
    }

    /**
     * {@code x = RNE(x / 2^k)} for {@code x >= 0} and a per-lane amount {@code k <= 30} in a register
     * (unchanged); for {@code k <= 0} the exact {@code x << -k}, which must not overflow. With {@code q
     * = x >> k}, {@code rem = x - (q << k)} in [0, 2^k), {@code b = q mod 2} and {@code h = (1 << k) >>
     * 1} (2^(k-1), or 0 for k <= 0):
     *
     * <pre>
     *   RNE = q + ((rem + MAX(h - 1 + b, 0)) >> k)
     * </pre>
     *
     * For {@code k >= 1}, {@code rem + h - 1 + b >= 2^k} iff {@code rem > h}, or {@code rem == h} and
     * {@code q} is odd (round up), and the sum stays below 2^(k+1), so the shift adds 0 or 1. For {@code k
     * <= 0}, {@code rem = 0} and the MAX makes the added term 0.
     */
    void rne(int x, int k) {
      int q = copyOf(x);
      op(AluOp.SHR, q, reg(k));
      int negK = copyOf(k);
      op(AluOp.MUL, negK, -1);
      int t = copyOf(q);
      op(AluOp.SHR, t, reg(negK)); // q << k
      op(AluOp.MUL, t, -1);
      op(AluOp.ADD, x, reg(t)); // x = rem
      copy(t, q);
      op(AluOp.SHR, t, 1);
      op(AluOp.MUL, t, -2);
      op(AluOp.ADD, t, reg(q)); // t = q mod 2
      int h = temp();
      steps.add(new Pending(AluOp.MUL, h, new Src(Kind.IMM, 0)));
      op(AluOp.ADD, h, 1);
      op(AluOp.SHR, h, reg(negK)); // 1 << k (0 for k < 0)
      op(AluOp.SHR, h, 1);
      op(AluOp.ADD, h, reg(t));
      op(AluOp.ADD, h, -1);
      op(AluOp.MAX, h, 0);
      op(AluOp.ADD, x, reg(h));
      op(AluOp.SHR, x, reg(k));
      op(AluOp.ADD, x, reg(q));
      free(q, negK, t, h);
    }

    /** {@code x} in [0, 2^24]: if it is 2^24, halve it and add 1 to {@code exp}. */
    void renormalize24(int x, int exp) {
      int u = copyOf(x);
      op(AluOp.SHR, u, 24);
      op(AluOp.SHR, x, reg(u));
      op(AluOp.ADD, exp, reg(u));
      free(u);
    }

    /**
     * {@code x = floor((x + 2^(e-1)) / 2^e)} for per-channel constants {@code e} in [0, 31]: identity
     * 2, {@code (x >> (e-1)) - (x >> e)}, exact for every int32 x.
     */
    void roundHalfUp(int x, int[] e) {
      int u = copyOf(x);
      op(AluOp.SHR, u, lanes(map(e, v -> v - 1), "right shift - 1"));
      op(AluOp.SHR, x, lanes(e, "right shift"));
      op(AluOp.MUL, x, -1);
      op(AluOp.ADD, x, reg(u));
      free(u);
    }

    /**
     * {@code r0 = floor(V / 2^k) mod 2^32} with {@code V = r0 M + R + 2^31 (r0 >> 31) [sign]}, per
     * channel {@code M} (any int32), {@code R >= 0}, {@code k} in [1, 62], and {@code |V| < 2^63}.
     *
     * <p>Digits: {@code a = r0 = ah 2^16 + al} with the signed low digit {@code al = (a << 16) >> 16} in
     * [-2^15, 2^15) and {@code ah = floor((a + 2^15) / 2^16) = ((a >> 15) + 1) >> 1} in [-2^15, 2^15]
     * (identity 1); likewise {@code M = bh 2^16 + bl} at compile time. The four partial products have
     * magnitude at most 2^30. Their middle sum {@code M1 = ah bl + al bh} lies in [-2^31, 2^31): each
     * term is at least -2^30; a term equals 2^30 only as {@code (-2^15)(-2^15)}, but {@code ah = -2^15}
     * forces {@code al >= 0} (a >= INT_MIN) and {@code bl = -2^15} forces {@code bh > -2^15}, so the
     * other term is then at most {@code 2^30 - 2^15}.
     *
     * <p>Carries in base 2^16 with floor shifts: {@code c0 = al bl + R0} gives {@code V0 = c0 mod 2^16}
     * and carry {@code c0 >> 16}; {@code M1} splits into {@code (M1 >> 16, M1 mod 2^16)}; {@code c1 =
     * M1 mod 2^16 + (c0 >> 16) + R1 - 2^15 [sign, a < 0]} (all small) gives {@code V1 = c1 mod 2^16};
     * {@code V2 = ah bh + (M1 >> 16) + (c1 >> 16) + R2}. Then {@code V = V2 2^32 + V1 2^16 + V0} with
     * {@code V0, V1} in [0, 2^16), so {@code V2 = floor(V / 2^32)}, which fits int32 as {@code |V| <
     * 2^63}; its wrapped partial sums are therefore exact.
     *
     * <p>Finally {@code floor(V / 2^k) mod 2^32 = (V2 SHR (k - 32)) + (V1 SHR min(k - 16, 16)) + (V0 SHR
     * min(k, 16))}: for {@code k <= 16} the terms are {@code V2 2^(32-k) + V1 2^(16-k) + floor(V0 /
     * 2^k)} (exact modulo 2^32); for {@code 16 <= k < 32}, {@code V0 < 2^16} cannot carry into
     * {@code floor(V1 / 2^(k-16))}; for {@code k >= 32}, {@code V1 2^16 + V0 < 2^32} and only {@code V2 >>
     * (k - 32)} remains. Terms that vanish in every lane are left out.
     */
    void mulRoundShift(int[] m, long[] round, boolean[] sign, int[] k) {
      int ch = m.length;
      int[] bl = map(m, x -> (x << 16) >> 16);
      int[] bh = new int[ch];
      int[] r0 = new int[ch];
      int[] r1 = new int[ch];
      int[] r2 = new int[ch];
      int[] signDigit = new int[ch];
      for (int c = 0; c < ch; c++) {
        bh[c] = (int) (((long) m[c] - bl[c]) >> 16);
        r0[c] = (int) (round[c] & 0xFFFF);
        r1[c] = (int) ((round[c] >> 16) & 0xFFFF);
        r2[c] = (int) (round[c] >> 32);
        signDigit[c] = sign[c] ? 1 << 15 : 0;
      }
      int s = -1;
      if (Arrays.stream(signDigit).anyMatch(v -> v != 0)) {
        s = copyOf(0);
        op(AluOp.SHR, s, 31);
        op(AluOp.MUL, s, lanes(signDigit, "2^15 where the rounding has a sign term")); // -2^15 [a < 0]
      }
      int al = copyOf(0);
      op(AluOp.SHR, al, -16);
      op(AluOp.SHR, al, 16);
      op(AluOp.SHR, 0, 15);
      op(AluOp.ADD, 0, 1);
      op(AluOp.SHR, 0, 1); // r0 = ah
      Src mLow = lanes(bl, "multiplier low digit (signed)");
      Src mHigh = lanes(bh, "multiplier high digit");
      int c0 = copyOf(al);
      op(AluOp.MUL, c0, mLow);
      op(AluOp.MUL, al, mHigh);
      int t = copyOf(0);
      op(AluOp.MUL, t, mLow);
      op(AluOp.ADD, al, reg(t)); // al = M1
      free(t);
      op(AluOp.MUL, 0, mHigh); // r0 = ah bh
      op(AluOp.ADD, c0, lanes(r0, "rounding constant mod 2^16"));
      int carry = copyOf(c0);
      op(AluOp.SHR, carry, 16);
      boolean needV0 = Arrays.stream(k).anyMatch(x -> x < 16);
      boolean needV1 = Arrays.stream(k).anyMatch(x -> x < 32);
      if (needV0) {
        subShifted(c0, carry, 16); // c0 = V0
      } else {
        free(c0);
      }
      int mh = copyOf(al);
      op(AluOp.SHR, mh, 16);
      subShifted(al, mh, 16);
      op(AluOp.ADD, al, reg(carry));
      op(AluOp.ADD, al, lanes(r1, "rounding constant >> 16 mod 2^16"));
      if (s >= 0) {
        op(AluOp.ADD, al, reg(s));
        free(s);
      }
      copy(carry, al);
      op(AluOp.SHR, carry, 16);
      if (needV1) {
        subShifted(al, carry, 16); // al = V1
      }
      op(AluOp.ADD, 0, reg(mh));
      op(AluOp.ADD, 0, reg(carry));
      op(AluOp.ADD, 0, lanes(r2, "rounding constant >> 32"));
      free(mh, carry);
      op(AluOp.SHR, 0, lanes(map(k, x -> x - 32), "shift - 32"));
      if (needV1) {
        op(AluOp.SHR, al, lanes(map(k, x -> Math.min(x - 16, 16)), "min(shift - 16, 16)"));
        op(AluOp.ADD, 0, reg(al));
      }
      free(al);
      if (needV0) {
        op(AluOp.SHR, c0, lanes(map(k, x -> Math.min(x, 16)), "min(shift, 16)"));
        op(AluOp.ADD, 0, reg(c0));
        free(c0);
      }
    }
  }
}
