package dev.zeropoint.backends.accel;

import dev.zeropoint.backends.QuantizedOperands;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import java.util.List;

/**
 * {@code add} of two quint8 tensors of one shape in {@code pytorch-qnnpack}: QNNPACK's fixed-point
 * add ({@link PyTorchQnnpack#add}), {@code acc = zpp + a*am + b*bm}, shifted right by {@code s}
 * rounding half away from zero, plus the output zero point, clamped. Needs MUL (the multipliers reach
 * 2^22) and shifts up to 31.
 *
 * <p>Both inputs arrive as {@code a - 128} ({@link ElementwiseLayer}): the 128 is folded into {@code
 * zpp}, wrapping as the int32 arithmetic does. Then, lane by lane:
 * {@code acc = (a - 128) am + (b - 128) bm + zpp'}; {@code sign = 2 (acc >> 31) + 1}; {@code |acc| =
 * acc * sign} (exact: {@code |acc| <= 255 (am + bm) < 2^31}, so acc is never INT_MIN); {@code q =
 * ((|acc| >> 1) + 2^(s-2)) >> (s-1)}, which is {@code floor((|acc| + 2^(s-1)) / 2^s)} without
 * overflow ({@code s >= 14} always); {@code y = q * sign + zp}, clamped, minus 128 for the store.
 */
final class AddLayer extends ElementwiseLayer {
  private final PyTorchQnnpack.AddParams params;

  AddLayer(Node node, TargetDescription target, Numerics numerics) throws Unsupported {
    super(node, target);
    if (!target.multiplies() || target.minShift() > 1 || target.maxShift() < 31) {
      throw new Unsupported("QNNPACK's add needs MUL and shifts up to 31");
    }
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
  }

  /** Register 2 holds the sign. */
  @Override
  int temporaries() {
    return 1;
  }

  /** Registers 3..6: am, bm, zpp' = zpp + 128 (am + bm) (wrapping), and 2^(s-2). */
  @Override
  int[] constants() {
    int zpp = params.zeroPointProduct() + 128 * params.aMultiplier() + 128 * params.bMultiplier();
    return new int[] {params.aMultiplier(), params.bMultiplier(), zpp, 1 << (params.shift() - 2)};
  }

  @Override
  List<LaneProgram.Step> steps() {
    int a = 0;
    int b = 1;
    int sign = 2;
    return List.of(
        LaneProgram.Step.reg(AluOp.MUL, a, 3),
        LaneProgram.Step.reg(AluOp.MUL, b, 4),
        LaneProgram.Step.reg(AluOp.ADD, a, b),
        LaneProgram.Step.reg(AluOp.ADD, a, 5), // acc
        LaneProgram.Step.imm(AluOp.MUL, sign, 0),
        LaneProgram.Step.reg(AluOp.ADD, sign, a),
        LaneProgram.Step.imm(AluOp.SHR, sign, 31),
        LaneProgram.Step.reg(AluOp.ADD, sign, sign),
        LaneProgram.Step.imm(AluOp.ADD, sign, 1), // +1 or -1
        LaneProgram.Step.reg(AluOp.MUL, a, sign), // |acc|
        LaneProgram.Step.imm(AluOp.SHR, a, 1),
        LaneProgram.Step.reg(AluOp.ADD, a, 6),
        LaneProgram.Step.imm(AluOp.SHR, a, params.shift() - 1),
        LaneProgram.Step.reg(AluOp.MUL, a, sign),
        LaneProgram.Step.imm(AluOp.ADD, a, params.outputZeroPoint()),
        LaneProgram.Step.imm(AluOp.MAX, a, params.outputMin()),
        LaneProgram.Step.imm(AluOp.MIN, a, params.outputMax()),
        LaneProgram.Step.imm(AluOp.ADD, a, -128));
  }

  @Override
  String what() {
    return "QNNPACK's fixed-point add";
  }
}
