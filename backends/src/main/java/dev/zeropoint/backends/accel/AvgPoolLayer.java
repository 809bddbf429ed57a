package dev.zeropoint.backends.accel;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.PoolRescale;
import dev.zeropoint.ir.numerics.PyTorchQnnpackPooling;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.ir.op.Attrs;
import java.util.ArrayList;
import java.util.List;

/**
 * QNNPACK's quantized average pooling ({@code avg_pool2d} on quint8 without ceil_mode, {@code
 * adaptive_avg_pool2d} where PyTorch hands it to QNNPACK, and their lowered {@code avg_pool2d_int}
 * with {@code qnnpack} rounding): {@code acc = sum(q - zp_in)} over the window's taps inside the input
 * (padding taps count 0; {@code count_include_pad} and {@code divisor_override} play no part), then
 * {@link PyTorchQnnpackPooling#qnnpackAverage}: {@code finishRequantization(RNE(f32(f32(acc) * m)),
 * zp_out, 0, 255)} with {@code m = }{@link PyTorchQnnpackPooling#qnnpackScale}{@code (s_in, s_out, kH
 * kW)}, the conv requantization.
 *
 * <p>Per tile ({@link PoolLayer}): the loaded input ({@code q - 128}) gets {@code 128 - zp_in} (one ALU
 * ADD over the tile), the output tile starts at 0 (GEMM reset), each tap is an ALU ADD, so the output
 * holds {@code acc} exactly (int32 cannot wrap: {@code 255 kH kW < 2^31} is checked); then the rescale
 * as a lane program ({@link #rescale}) leaves {@code output - 128} for STORE.
 *
 * <p>ATen's paths (ceil_mode, qint8, adaptive windows QNNPACK does not take) round with the zero point
 * and a multiplier per counted window size; they stay on the host.
 */
final class AvgPoolLayer extends PoolLayer {
  private final LaneProgram program;
  private final List<LaneProgram.Constant> constants;
  /** What the input tile gets so that it holds {@code q - zp_in}. */
  private final int inputAdd;
  /** The index of the constant holding {@link #inputAdd} when no immediate can, else -1. */
  private final int inputAddConstant;

  /** The window and the rescale of a QNNPACK average pool. */
  private record Qnnpack(int kh, int kw, int sy, int sx, int pt, int pl, int inputZeroPoint, IntegerOnlyRequant m,
      int outputZeroPoint) {}

  AvgPoolLayer(Node node, TargetDescription target, Numerics numerics) throws Unsupported {
    this(node, target, qnnpack(node, numerics));
  }

  private AvgPoolLayer(Node node, TargetDescription target, Qnnpack q) throws Unsupported {
    super(node, target, q.kh(), q.kw(), q.sy(), q.sx(), q.pt(), q.pl());
    if (!target.has(AluOp.ADD)) {
      throw new Unsupported("the target has no ALU ADD");
    }
    if (255L * kh * kw >= 1L << 31) {
      throw new Unsupported("a window of " + kh + "x" + kw + " could wrap the int32 sums");
    }
    this.program = rescale(q.m(), q.outputZeroPoint(), kh * kw, target);
    this.inputAdd = -in.offset() - q.inputZeroPoint();
    List<LaneProgram.Constant> cs = new ArrayList<>(program.constants());
    boolean imm = inputAdd >= target.minImm() && inputAdd <= target.maxImm();
    this.inputAddConstant = imm || inputAdd == 0 ? -1 : cs.size();
    if (inputAddConstant >= 0) {
      cs.add(new LaneProgram.Constant(new int[] {inputAdd}, "128 - input zero point"));
    }
    this.constants = List.copyOf(cs);
    ElementwiseLayer.requireSteps(program, target);
    this.tileRows = fitRows();
  }

  /** The pool's window and rescale as QNNPACK computes it, or why it is not QNNPACK's. */
  private static Qnnpack qnnpack(Node n, Numerics numerics) throws Unsupported {
    String aten = "ATen's average pooling (ceil_mode, qint8, or adaptive windows QNNPACK does not take) rounds with "
        + "a multiplier per counted window and the zero point's layout-dependent rule; not on the accelerator yet";
    if (n.op() == dev.zeropoint.ir.op.Op.AVG_POOL2D_INT) {
      Attrs.AvgPool2dInt a = (Attrs.AvgPool2dInt) n.attrs();
      PoolRescale r = a.rescale();
      if (r.kind() != PoolRescale.Kind.QNNPACK || r.multipliers().length() != 1) {
        throw new Unsupported(aten);
      }
      return window(a.window(), a.inputZeroPoint(), new IntegerOnlyRequant(r.multipliers().get(0), r.shifts().get(0)),
          r.outputZeroPoint());
    }
    if (n.op() == dev.zeropoint.ir.op.Op.ADAPTIVE_AVG_POOL2D_INT) {
      throw new Unsupported(aten); // the lowering writes QNNPACK's adaptive pools as avg_pool2d_int
    }
    if (numerics != Numerics.PYTORCH_QNNPACK) {
      throw new Unsupported("only pytorch-qnnpack's average pooling");
    }
    var in = n.operand(0).type();
    var out = n.result().type();
    Quantization.PerTensor qi = in.perTensor().orElse(null);
    Quantization.PerTensor qo = out.perTensor().orElse(null);
    if (!in.isQuantized() || qi == null || qo == null || in.elementType() != ElementType.U8 || in.rank() != 4) {
      throw new Unsupported(aten);
    }
    Attrs.AvgPool2d w;
    if (n.op() == dev.zeropoint.ir.op.Op.AVG_POOL2D) {
      w = (Attrs.AvgPool2d) n.attrs();
      if (!PyTorchQnnpackPooling.avgPoolUsesQnnpack(in.elementType(), w.ceilMode())) {
        throw new Unsupported(aten);
      }
    } else {
      int inH = in.shape().dim(2);
      int inW = in.shape().dim(3);
      int outH = out.shape().dim(2);
      int outW = out.shape().dim(3);
      if (!PyTorchQnnpackPooling.adaptiveUsesQnnpack(in.elementType(), inH, inW, outH, outW)) {
        throw new Unsupported(aten);
      }
      ImmutableIntArray k = ImmutableIntArray.of(inH / outH, inW / outW);
      w = new Attrs.AvgPool2d(k, k, ImmutableIntArray.of(0, 0, 0, 0), false, true, 0);
    }
    float m;
    try {
      m = PyTorchQnnpackPooling.qnnpackScale(qi.scale(), qo.scale(), w.kernel().get(0) * w.kernel().get(1));
    } catch (IllegalArgumentException e) {
      throw new Unsupported(e.getMessage());
    }
    return window(w, (int) qi.zeroPoint(), IntegerOnlyRequant.of(m), (int) qo.zeroPoint());
  }

  private static Qnnpack window(Attrs.AvgPool2d w, int zpIn, IntegerOnlyRequant m, int zpOut) throws Unsupported {
    if (zpOut < 0 || zpOut > 255) {
      throw new Unsupported("output zero point " + zpOut + " outside quint8");
    }
    return new Qnnpack(w.kernel().get(0), w.kernel().get(1), w.stride().get(0), w.stride().get(1),
        w.padding().get(0), w.padding().get(1), zpIn, m, zpOut);
  }

  /**
   * The rescale of a window sum {@code acc} (register 0) to {@code qnnpackAverage(acc) - 128}.
   *
   * <p>When {@code m} is a power of two {@code 2^e} (or at most 2^-32, every product rounding to 0)
   * and {@code |acc| <= 255 window < 2^24}, {@code f32(acc)} and {@code f32(acc * m)} are exact, so
   * the product is {@code RNE(acc / 2^k)}, {@code k = -e}, with ADD, MIN, MAX and SHR only (any
   * target): with {@code u = (acc + 2^(k-1) - 1) >> k} (rounding half down) and {@code d = (acc +
   * 2^(k-1)) >> k} (half up), which differ only at ties, where {@code d = u + 1}, {@code v = u + d}
   * is {@code 2u} or {@code 2u + 1} at a tie, and {@code RNE = ((v + 1) >> 2) + ((v + 2) >> 2)}:
   * for {@code v = 4j} it is {@code 2j = u}, for {@code 4j + 2} {@code 2j + 1 = u}, for a tie {@code
   * 4j + 1} ({@code u = 2j} even) {@code 2j}, for a tie {@code 4j + 3} ({@code u = 2j + 1} odd) {@code
   * 2j + 2} (all shifts floor, so negative sums too). For {@code k >= 26}, {@code |acc / 2^k| < 1/4}:
   * 0. For {@code e >= 0}, {@code e} doublings, exact while {@code 255 window 2^e < 2^31}. Then
   * {@code finishRequantization(y, zp, 0, 255) - 128 = clamp(y, -zp, 255 - zp) + zp - 128} ({@code y}
   * far inside int16). Other multipliers need MUL: the conv requantization's lane program ({@link
   * RequantizeLanes}, scheme mantissa, the same product).
   */
  static LaneProgram rescale(IntegerOnlyRequant m, int zp, int window, TargetDescription target)
      throws Unsupported {
    boolean pow2 = m.mantissa() == 0 || m.mantissa() == 1 << 23;
    int e = m.mantissa() == 0 ? -64 : m.exponent() + 23;
    boolean shiftOps = target.has(AluOp.ADD) && target.has(AluOp.MIN) && target.has(AluOp.MAX)
        && target.has(AluOp.SHR) && target.minShift() <= 1 && target.maxShift() >= 2;
    boolean exact = 255L * window < 1 << 24 && (e <= 0 || 255L * window << e < 1L << 31);
    if (pow2 && shiftOps && exact) {
      RequantizeLanes.Builder b = new RequantizeLanes.Builder(target);
      int k = -e;
      if (k >= 26) {
        b.op(AluOp.MIN, 0, b.scalar(Integer.MIN_VALUE, "INT_MIN"));
        b.op(AluOp.MAX, 0, b.scalar(0, "0"));
      } else if (k <= 0) {
        for (int i = 0; i < -k; i++) {
          b.op(AluOp.ADD, 0, b.reg(0));
        }
      } else {
        b.op(AluOp.ADD, 0, (1 << (k - 1)) - 1);
        int d = b.copyOf(0);
        b.op(AluOp.ADD, d, 1);
        b.shiftRight(0, k);
        b.shiftRight(d, k);
        b.op(AluOp.ADD, 0, b.reg(d)); // v
        b.copy(d, 0);
        b.op(AluOp.ADD, 0, 1);
        b.op(AluOp.ADD, d, 2);
        b.shiftRight(0, 2);
        b.shiftRight(d, 2);
        b.op(AluOp.ADD, 0, b.reg(d));
        b.free(d);
      }
      b.op(AluOp.MAX, 0, b.scalar(-zp, "-output zero point"));
      b.op(AluOp.MIN, 0, b.scalar(255 - zp, "255 - output zero point"));
      b.op(AluOp.ADD, 0, b.scalar(zp - 128, "output zero point - 128"));
      return b.build();
    }
    if (!target.multiplies()) {
      throw new Unsupported("the pool's rescale multiplier " + m.multiplier() + " is not a power of two"
          + (pow2 ? " within the exact range of shifts" : "") + " and target " + target.name() + " has no MUL");
    }
    Requantizer r = new Requantizer(Requantizer.Scheme.MANTISSA, ImmutableDoubleArray.of(),
        ImmutableIntArray.of(m.mantissa()), ImmutableIntArray.of(m.exponent()), zp, 0, 255, ElementType.U8);
    try {
      return RequantizeLanes.of(r, -128, target);
    } catch (RequantizeLanes.UnsupportedRequantizationException e2) {
      throw new Unsupported(e2.getMessage());
    }
  }

  @Override
  int registers() {
    return program.inputs() + program.temporaries();
  }

  @Override
  int constants() {
    return constants.size();
  }

  @Override
  AluOp tapOp() {
    return AluOp.ADD;
  }

  @Override
  String what() {
    return "sum over the window";
  }

  @Override
  void startLayer(ProgramBuilder b, int cbase) {
    if (!constants.isEmpty()) {
      ElementwiseLayer.loadConstants(b, "%" + node.result().name(), constants.size(), cbase,
          ElementwiseLayer.addConstants(b, constants, in.block()));
    }
  }

  @Override
  void startTile(ProgramBuilder b, int inElems, int outBase, int outElems, int cbase, String where) {
    if (inElems > 0 && inputAdd != 0) {
      b.note(where + ": input minus its zero point");
      boolean imm = inputAddConstant < 0;
      int u = b.uops(List.of(new Insn.Uop(0, imm ? 0 : cbase + inputAddConstant, 0)));
      b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + 1, 1, inElems, 0, 1, 0, 0, AluOp.ADD, imm,
          imm ? inputAdd : 0));
    }
    b.note(where + ": 0 everywhere");
    int u = b.uops(List.of(new Insn.Uop(outBase, 0, 0)));
    b.compute(new Insn.Gemm(Insn.Deps.NONE, true, u, u + 1, 1, outElems, 0, 1, 0, 0, 0, 0));
  }

  @Override
  void finishTile(ProgramBuilder b, int outBase, int chunk, int outElems, int cbase, String where) {
    b.note(where + ": QNNPACK's rescale");
    ElementwiseLayer.emitSteps(b, program, outBase, chunk, outElems, cbase);
  }
}
