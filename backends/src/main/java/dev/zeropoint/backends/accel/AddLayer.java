package dev.zeropoint.backends.accel;

import dev.zeropoint.backends.QuantizedOperands;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code add} of two quint8 tensors of one shape in {@code pytorch-qnnpack}: QNNPACK's fixed-point
 * add ({@link PyTorchQnnpack#add}), {@code acc = zpp + a*am + b*bm}, shifted right by {@code s}
 * rounding half away from zero, plus the output zero point, clamped. Needs MUL (the multipliers reach
 * 2^22) and shifts up to 31.
 *
 * <p>Each chunk of both tensors is loaded into the accumulators (LOAD ACC_8BIT gives {@code a - 128}:
 * the 128 is folded into {@code zpp}, wrapping as the int32 arithmetic does). Then, lane by lane:
 * {@code acc = (a - 128) am + (b - 128) bm + zpp'}; {@code sign = 2 (acc >> 31) + 1}; {@code |acc| =
 * acc * sign} (exact: {@code |acc| <= 255 (am + bm) < 2^31}, so acc is never INT_MIN); {@code q =
 * ((|acc| >> 1) + 2^(s-2)) >> (s-1)}, which is {@code floor((|acc| + 2^(s-1)) / 2^s)} without
 * overflow ({@code s >= 14} always); {@code y = q * sign + zp}, clamped, minus 128 for the store.
 */
final class AddLayer extends NodeLayer {
  private final TiledTensor layout;
  private final TargetDescription target;
  private final PyTorchQnnpack.AddParams params;

  AddLayer(Node node, TargetDescription target, Numerics numerics) throws Unsupported {
    super(node, ClampLayer.layout(node.operand(0), target), ClampLayer.layout(node.result(), target));
    this.target = target;
    if (target.blockIn() != target.blockOut() || target.batch() != 1) {
      throw new Unsupported("the lowering needs blockIn == blockOut and batch 1");
    }
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
    if (!in.equals(ClampLayer.layout(b, target)) || !in.equals(out)) {
      throw new Unsupported("the operands' layouts differ");
    }
    this.layout = in;
  }

  /** The constant registers: am, bm, zpp' = zpp + 128 (am + bm) (wrapping), and 2^(s-2). */
  private int[] constants() {
    int zpp = params.zeroPointProduct() + 128 * params.aMultiplier() + 128 * params.bMultiplier();
    return new int[] {params.aMultiplier(), params.bMultiplier(), zpp, 1 << (params.shift() - 2)};
  }

  @Override
  public void emit(ProgramBuilder b, List<ProgramBuilder.Ref> inputs, ProgramBuilder.Ref output) {
    int block = layout.block();
    long elements = layout.bytes() / block;
    int constants = 4;
    int chunk = (int) Math.min((target.accDepth() - constants) / 3, target.maxIter());
    int cbase = 3 * chunk;
    int[] c = constants();
    int[] lanes = new int[constants * block];
    for (int k = 0; k < constants; k++) {
      for (int j = 0; j < block; j++) {
        lanes[k * block + j] = c[k];
      }
    }
    ProgramBuilder.Ref constRef = b.addConstants(lanes);
    String name = "%" + node.result().name();
    b.startLayer(1, false);
    ConvLayer.UopTable uops = new ConvLayer.UopTable();
    int uopLoad = -1;
    for (long e0 = 0; e0 < elements; e0 += chunk) {
      int n = (int) Math.min(chunk, elements - e0);
      String where = name + " elements " + e0 + ".." + (e0 + n - 1);
      b.startTile();
      b.note(where + ": micro-ops and constants");
      if (e0 == 0) {
        uopLoad = b.computeIndex(new Insn.Load(Insn.Deps.NONE, MemType.UOP, 0, 0, 1, 0, 0, 0, 0, 0, 0), null);
        b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC, cbase, 0, 1, constants, constants, 0, 0, 0, 0), constRef);
      }
      for (int i = 0; i < 2; i++) {
        b.note("%" + node.operand(i).name() + " elements " + e0 + ".." + (e0 + n - 1));
        b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC_8BIT, i * chunk, 0, 1, n, n, 0, 0, 0, 0),
            inputs.get(i).plus(e0 * block));
      }
      b.note(where + ": QNNPACK's fixed-point add");
      int a = 0;
      int bb = chunk;
      int t = 2 * chunk;
      List<int[]> steps = new ArrayList<>(); // op, dst, src (-1: immediate), imm, src is a constant
      steps.add(new int[] {AluOp.MUL.code(), a, cbase, 0, 1});
      steps.add(new int[] {AluOp.MUL.code(), bb, cbase + 1, 0, 1});
      steps.add(new int[] {AluOp.ADD.code(), a, bb, 0, 0});
      steps.add(new int[] {AluOp.ADD.code(), a, cbase + 2, 0, 1});
      steps.add(new int[] {AluOp.MUL.code(), t, -1, 0, 0});
      steps.add(new int[] {AluOp.ADD.code(), t, a, 0, 0});
      steps.add(new int[] {AluOp.SHR.code(), t, -1, 31, 0});
      steps.add(new int[] {AluOp.ADD.code(), t, t, 0, 0});
      steps.add(new int[] {AluOp.ADD.code(), t, -1, 1, 0});
      steps.add(new int[] {AluOp.MUL.code(), a, t, 0, 0});
      steps.add(new int[] {AluOp.SHR.code(), a, -1, 1, 0});
      steps.add(new int[] {AluOp.ADD.code(), a, cbase + 3, 0, 1});
      steps.add(new int[] {AluOp.SHR.code(), a, -1, params.shift() - 1, 0});
      steps.add(new int[] {AluOp.MUL.code(), a, t, 0, 0});
      steps.add(new int[] {AluOp.ADD.code(), a, -1, params.outputZeroPoint(), 0});
      steps.add(new int[] {AluOp.MAX.code(), a, -1, params.outputMin(), 0});
      steps.add(new int[] {AluOp.MIN.code(), a, -1, params.outputMax(), 0});
      steps.add(new int[] {AluOp.ADD.code(), a, -1, -128, 0});
      for (int[] s : steps) {
        boolean imm = s[2] < 0;
        int u = uops.range(List.of(new Insn.Uop(s[1], imm ? 0 : s[2], 0)));
        b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + 1, 1, n, 0, 1, 0, imm || s[4] == 1 ? 0 : 1,
            AluOp.ofCode(s[0]), imm, imm ? s[3] : 0));
      }
      b.stores(List.of(new Insn.Store(Insn.Deps.NONE, a, 0, 1, n, n)), List.of(output.plus(e0 * block)),
          List.of(name + " elements " + e0 + ".." + (e0 + n - 1)));
    }
    ProgramBuilder.Ref uopRef = b.addUops(uops.list());
    b.patch(uopLoad, new Insn.Load(Insn.Deps.NONE, MemType.UOP, 0, 0, 1, uops.size(), uops.size(), 0, 0, 0, 0),
        uopRef);
  }
}
