package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.ClampBounds;
import java.util.List;

/**
 * A clamp of an 8-bit tensor ({@code relu}, {@code relu6}, {@code hardtanh}, {@code clamp} whose
 * bounds the flavour turns into integers, {@link dev.zeropoint.backends.lowering.Lowering#clampBounds}):
 * the tensor, whatever its rank, is a run of DRAM elements; each chunk is loaded into the
 * accumulators (LOAD ACC_8BIT), clamped with MAX and MIN against the offset bounds, and stored.
 * PyTorch's clamps that hand back channels-last data relabelled as NCHW stay on the host.
 */
final class ClampLayer extends NodeLayer {
  private final TargetDescription target;
  private final ClampBounds.Bounds bounds;

  ClampLayer(Node node, ClampBounds.Bounds bounds, TargetDescription target) throws Unsupported {
    super(node, layout(node.operand(0), target), layout(node.result(), target));
    this.bounds = bounds;
    this.target = target;
    if (target.blockIn() != target.blockOut() || target.batch() != 1) {
      throw new Unsupported("the lowering needs blockIn == blockOut and batch 1");
    }
    if (!target.has(AluOp.MAX) || !target.has(AluOp.MIN)) {
      throw new Unsupported("the target has no ALU MIN or MAX");
    }
    if (!in.equals(out)) {
      throw new Unsupported("the input and output layouts differ");
    }
  }

  static TiledTensor layout(Value v, TargetDescription target) throws Unsupported {
    return TiledTensor.of(v.type(), target.blockOut())
        .orElseThrow(() -> new Unsupported("%" + v.name() + " is not an 8-bit tensor of rank 2 to 4"));
  }

  @Override
  public void emit(ProgramBuilder b, List<ProgramBuilder.Ref> inputs, ProgramBuilder.Ref output) throws Unsupported {
    ProgramBuilder.Ref input = inputs.get(0);
    long elements = in.bytes() / in.block();
    int chunk = (int) Math.min(Math.min(target.accDepth(), target.maxIter()), (1 << TargetDescription.SIZE_BITS) - 1);
    int lo = bounds.min() + in.offset();
    int hi = bounds.max() + in.offset();
    String name = "%" + node.result().name();
    b.startLayer(1, false);
    ConvLayer.UopTable uops = new ConvLayer.UopTable();
    int u = uops.range(List.of(new Insn.Uop(0, 0, 0)));
    int uopLoad = -1;
    for (long e0 = 0; e0 < elements; e0 += chunk) {
      int n = (int) Math.min(chunk, elements - e0);
      b.startTile();
      b.note(name + " elements " + e0 + ".." + (e0 + n - 1) + ": micro-ops");
      if (e0 == 0) {
        uopLoad = b.computeIndex(new Insn.Load(Insn.Deps.NONE, MemType.UOP, 0, 0, 1, 0, 0, 0, 0, 0, 0), null);
      }
      b.note("%" + node.operand(0).name() + " elements " + e0 + ".." + (e0 + n - 1));
      b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC_8BIT, 0, 0, 1, n, n, 0, 0, 0, 0),
          input.plus(e0 * in.block()));
      b.note(name + " elements " + e0 + ".." + (e0 + n - 1) + ": clamp to [" + bounds.min() + ", " + bounds.max() + "]");
      b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + 1, 1, n, 0, 1, 0, 0, AluOp.MAX, true, lo));
      b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + 1, 1, n, 0, 1, 0, 0, AluOp.MIN, true, hi));
      b.stores(List.of(new Insn.Store(Insn.Deps.NONE, 0, 0, 1, n, n)), List.of(output.plus(e0 * in.block())),
          List.of(name + " elements " + e0 + ".." + (e0 + n - 1)));
    }
    ProgramBuilder.Ref uopRef = b.addUops(uops.list());
    b.patch(uopLoad, new Insn.Load(Insn.Deps.NONE, MemType.UOP, 0, 0, 1, uops.size(), uops.size(), 0, 0, 0, 0),
        uopRef);
  }
}
