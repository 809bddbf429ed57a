package dev.zeropoint.backends.accel;

import dev.zeropoint.backends.QuantizedOperands;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;

/**
 * {@code add} of two quint8 tensors of one shape in {@code pytorch-qnnpack}: QNNPACK's fixed-point
 * add ({@link PyTorchQnnpack#add}), {@code acc = zpp + a am + b bm}, shifted right by {@code s}
 * rounding half away from zero, plus the output zero point, clamped. Runs on any target with ADD, MIN,
 * MAX and SHR by 1 ({@link #program}): with MUL the two products are two MULs, without it chains of
 * ADDs.
 */
final class AddLayer extends ElementwiseLayer {
  private final PyTorchQnnpack.AddParams params;
  private final LaneProgram program;

  AddLayer(Node node, TargetDescription target, Numerics numerics) throws Unsupported {
    super(node, target);
    Value a = node.operand(0);
    Value b = node.operand(1);
    if (numerics != Numerics.PYTORCH_QNNPACK || !a.type().shape().equals(b.type().shape())
        || !a.type().shape().equals(node.result().type().shape())) {
      throw new Unsupported("only same-shape adds in pytorch-qnnpack");
    }
    QuantizedOperands q = QuantizedOperands.of(a.type(), b.type(), node.result().type(), numerics)
        .orElseThrow(() -> new Unsupported("not a quantized add"));
    if (q.storage() != ElementType.U8) {
      throw new Unsupported("only quint8 adds");
    }
    try {
      this.params = PyTorchQnnpack.addParams(q.a().scale(), q.zpA(), q.b().scale(), q.zpB(), q.out().scale(),
          q.zpOut(), false);
    } catch (IllegalArgumentException e) {
      throw new Unsupported(e.getMessage());
    }
    this.program = program(params, target);
    requireRunnable(program);
  }

  /**
   * QNNPACK's add as a lane program of two inputs, {@code r0 = a - 128} and {@code r1 = b - 128} (as
   * {@link ElementwiseLayer} loads quint8 values), whose register 0 ends as {@code PyTorchQnnpack.add(a,
   * b, p) - 128}, the value STORE writes as the output byte. With {@code x = a - 128}, {@code y = b -
   * 128}:
   *
   * <ol>
   *   <li><b>Common factor.</b> With {@code t = min(trailing zeros of am | bm, s - 2)}: {@code am' = am
   *       / 2^t}, {@code bm' = bm / 2^t}, {@code s' = s - t}. Every
   *       term of {@code acc} is a multiple of 2^t ({@code zpp = -(am za + bm zb)}), {@code acc = 2^t
   *       acc'} with the sign of {@code acc'}, and step 3's formula for {@code (acc, s)} equals the one
   *       for {@code (acc', s')}: {@code floor((2^t acc' + 2^(s-1) + c) / 2^s) = floor((acc' + 2^(s'-1) +
   *       c / 2^t) / 2^s')}, and adding {@code c / 2^t} in {@code (-1, 0]} to an integer numerator
   *       floors like adding {@code c}.
   *   <li><b>{@code acc' = am' x + bm' y + zpp'}</b>, {@code zpp' = -(am' (za - 128) + bm' (zb - 128))}.
   *       With MUL: {@code MUL r0, am'; MUL r1, bm'; ADD r0, r1}. Without: Horner's scheme on both
   *       multipliers' bits at once, from the top: the accumulator r0 starts as {@code x}, {@code y}
   *       or {@code x + y} (the top bits), then per lower bit {@code ADD r0, r0} (doubling: no left
   *       shifts on vta) and {@code ADD} of {@code x} (a copy, as r0 is the accumulator), {@code y}
   *       (r1) or, where both bits are set and that saves steps, a temporary {@code x + y}. Copies are
   *       {@code MIN t, INT_MIN; MAX t, s}. <b>Bound:</b> after every ADD before the constant, r0
   *       holds {@code x u + y v} with {@code 0 <= u <= am'}, {@code 0 <= v <= bm'} (prefixes of the
   *       multipliers' bits, possibly doubled), so {@code |r0| <= 128 (am + bm) <= 2^30} as {@code
   *       |x|, |y| <= 128} and {@code am, bm <= 2^22} ({@link PyTorchQnnpack#addParams}); the
   *       temporaries hold {@code x} or {@code x + y} (or a copy's INT_MIN, which no ADD reads); {@code
   *       |zpp'| <= 128 (am + bm) <= 2^30}; and {@code acc' = am' (a - za) + bm' (b - zb)}, {@code
   *       |acc'| <= 255 (am + bm) <= 255 2^23 < 2^31 - 2^23}. No step wraps.
   *   <li><b>Rounding half away from zero without |acc|.</b> QNNPACK's {@code q = sign(acc)
   *       floor((|acc| + 2^(s-1)) / 2^s)} equals {@code floor((acc + 2^(s-1) + c) / 2^s)} with {@code c =
   *       -[acc < 0]}: for {@code acc >= 0} it is the same expression; for {@code acc < 0}, {@code
   *       -floor(m / 2^s) = floor((-m + 2^s - 1) / 2^s)} with {@code m = -acc + 2^(s-1)} gives {@code
   *       floor((acc + 2^(s-1) - 1) / 2^s)}. (Ties: s = 2, acc = -2 gives floor(-1/4) = -1, -0.5 away
   *       from zero; acc = 2 gives 1; acc = -6 gives floor(-5/4) = -2; acc = -1 gives 0.) {@code c} is
   *       {@code acc >> 31} where the target shifts by 31, else {@code MAX(MIN(acc, 0), -1)}, in a
   *       temporary copy; {@code acc + c} does not wrap ({@code acc > -2^31 + 2^23}). Adding {@code
   *       2^(s-1)} could wrap, so with {@code 1 <= k <= s - 1} (nested floors, {@link RequantizeLanes}
   *       identity 1): {@code q = (((acc + c) >> k) + 2^(s-k-1)) >> (s-k)}, where after the first shift
   *       {@code |.| <= 2^(31-k)} and the sum stays below {@code 2^(31-k) + 2^(30-k) < 2^31}. {@code k}
   *       is chosen for the fewest SHRs (each at most the target's largest amount; floor of floor is
   *       floor), then the smallest addend.
   *   <li><b>Tail.</b> {@code clamp(q + zp, min, max) - 128 = clamp(q, min - zp, max - zp) + (zp -
   *       128)}: MAX, MIN, ADD ({@code |q| < 2^18}, nothing wraps).
   * </ol>
   *
   * Every operand outside the target's immediate field is a constant register. On vta the program
   * has one doubling per bit of the larger multiplier below its top, an ADD for most set bits, and up
   * to 19 steps around them: 45 to 61 steps (mean 54) over 2,000 random scale ratios, 51 to 55 for
   * the adds of ResNet-18 and MobileNetV2, at most 2 temporaries. On vta-mul 14 steps, 1 temporary.
   *
   * @throws Unsupported if the target lacks ADD, MIN, MAX or SHR, or cannot shift by 1
   * @throws IllegalArgumentException if {@code p} lies outside QNNPACK's ranges (a multiplier outside
   *     [0, 2^22], a shift outside [2, 31], the output range outside [0, 255])
   */
  static LaneProgram program(PyTorchQnnpack.AddParams p, TargetDescription target) throws Unsupported {
    for (AluOp op : new AluOp[] {AluOp.ADD, AluOp.MIN, AluOp.MAX, AluOp.SHR}) {
      if (!target.has(op)) {
        throw new Unsupported("QNNPACK's add needs ALU " + op + ", which target " + target.name() + " lacks");
      }
    }
    if (target.minShift() > 1 || target.maxShift() < 1) {
      throw new Unsupported("QNNPACK's add needs shifts by 1, target " + target.name() + " has " + target.minShift()
          + ".." + target.maxShift());
    }
    int am = p.aMultiplier();
    int bm = p.bMultiplier();
    int s = p.shift();
    if (am < 0 || am > 1 << 22 || bm < 0 || bm > 1 << 22 || s < 2 || s > 31 || p.outputMin() < 0
        || p.outputMax() > 255 || p.outputMin() > p.outputMax()) {
      throw new IllegalArgumentException("not QNNPACK add parameters: " + p);
    }
    long zpp = (long) p.zeroPointProduct() + 128L * (am + bm); // -(am (za - 128) + bm (zb - 128))
    int t = Math.min(Integer.numberOfTrailingZeros(am | bm), s - 2);
    int zppT = (int) (zpp >> t); // exact: zpp is a multiple of 2^t
    LaneProgram plain = build(p, target, t, false, zppT);
    if (target.multiplies()) {
      return plain;
    }
    LaneProgram withSum = build(p, target, t, true, zppT);
    return withSum.steps().size() < plain.steps().size() ? withSum : plain;
  }

  /** The program with the common factor 2^t taken out and, without MUL, {@code x + y} kept or not. */
  private static LaneProgram build(PyTorchQnnpack.AddParams p, TargetDescription target, int t, boolean keepSum,
      int zpp) {
    RequantizeLanes.Builder b = new RequantizeLanes.Builder(target, 2);
    int am = p.aMultiplier() >> t;
    int bm = p.bMultiplier() >> t;
    int s = p.shift() - t;
    if (target.multiplies()) {
      b.op(AluOp.MUL, 0, b.scalar(am, "a multiplier"));
      b.op(AluOp.MUL, 1, b.scalar(bm, "b multiplier"));
      b.op(AluOp.ADD, 0, b.reg(1));
    } else {
      horner(b, am, bm, keepSum);
    }
    b.op(AluOp.ADD, 0, b.scalar(zpp, "zero point product"));
    int c = b.copyOf(0);
    if (target.maxShift() >= 31) {
      b.op(AluOp.SHR, c, 31);
    } else {
      b.op(AluOp.MIN, c, 0);
      b.op(AluOp.MAX, c, -1);
    }
    b.op(AluOp.ADD, 0, b.reg(c));
    b.free(c);
    int k = firstShift(s, target.maxShift(), target.maxImm());
    b.shiftRight(0, k);
    b.op(AluOp.ADD, 0, b.scalar(1 << (s - k - 1), "rounding 2^(s-k-1)"));
    b.shiftRight(0, s - k);
    int zp = p.outputZeroPoint();
    b.op(AluOp.MAX, 0, b.scalar(p.outputMin() - zp, "output min - zero point"));
    b.op(AluOp.MIN, 0, b.scalar(p.outputMax() - zp, "output max - zero point"));
    b.op(AluOp.ADD, 0, b.scalar(zp - 128, "zero point - 128"));
    return b.build();
  }

  /**
   * {@code r0 = am x + bm y} for {@code r0 = x}, {@code r1 = y}, by ADDs only (step 2 of {@link
   * #program}).
   */
  private static void horner(RequantizeLanes.Builder b, int am, int bm, boolean keepSum) {
    int top = 31 - Integer.numberOfLeadingZeros(am | bm);
    if (top < 0) {
      b.op(AluOp.MIN, 0, b.scalar(Integer.MIN_VALUE, "INT_MIN"));
      b.op(AluOp.MAX, 0, b.scalar(0, "0"));
      return;
    }
    boolean needX = false;
    boolean needSum = false;
    for (int i = top - 1; i >= 0; i--) {
      boolean both = bit(am, i) && bit(bm, i);
      needSum |= keepSum && both;
      needX |= bit(am, i) && !(keepSum && both);
    }
    int x = needX ? b.copyOf(0) : -1;
    int sum = -1;
    if (needSum) {
      sum = b.copyOf(0);
      b.op(AluOp.ADD, sum, b.reg(1));
    }
    if (!bit(am, top)) {
      b.copy(0, 1);
    } else if (bit(bm, top)) {
      b.op(AluOp.ADD, 0, b.reg(1));
    }
    for (int i = top - 1; i >= 0; i--) {
      b.op(AluOp.ADD, 0, b.reg(0));
      if (needSum && bit(am, i) && bit(bm, i)) {
        b.op(AluOp.ADD, 0, b.reg(sum));
        continue;
      }
      if (bit(am, i)) {
        b.op(AluOp.ADD, 0, b.reg(x));
      }
      if (bit(bm, i)) {
        b.op(AluOp.ADD, 0, b.reg(1));
      }
    }
    if (x >= 0) {
      b.free(x);
    }
    if (sum >= 0) {
      b.free(sum);
    }
  }

  private static boolean bit(int m, int i) {
    return (m >> i & 1) != 0;
  }

  /**
   * The first shift {@code k} in [1, s - 1] of the rounding: the fewest SHR steps for {@code k} and
   * {@code s - k}, then an addend {@code 2^(s-k-1)} that fits the immediate field, then the smallest.
   */
  private static int firstShift(int s, int maxShift, int maxImm) {
    int best = s - 1;
    long bestCost = Long.MAX_VALUE;
    for (int k = s - 1; k >= 1; k--) {
      long shrs = (k + maxShift - 1) / maxShift + (s - k + maxShift - 1) / maxShift;
      long cost = 2 * shrs + ((1L << (s - k - 1)) > maxImm ? 1 : 0);
      if (cost < bestCost) {
        best = k;
        bestCost = cost;
      }
    }
    return best;
  }

  @Override
  LaneProgram program() {
    return program;
  }

  @Override
  String what() {
    return "QNNPACK's fixed-point add";
  }
}
