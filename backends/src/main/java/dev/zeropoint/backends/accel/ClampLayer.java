package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.numerics.ClampBounds;

/**
 * A clamp of an 8-bit tensor ({@code relu}, {@code relu6}, {@code hardtanh}, {@code clamp} whose
 * bounds the flavour turns into integers, {@link dev.zeropoint.backends.lowering.Lowering#clampBounds}):
 * MAX and MIN against the bounds, offset as the tensor is stored. PyTorch's clamps that hand back
 * channels-last data relabelled as NCHW stay on the host.
 */
final class ClampLayer extends ElementwiseLayer {
  private final ClampBounds.Bounds bounds;
  private final LaneProgram program;

  ClampLayer(Node node, ClampBounds.Bounds bounds, TargetDescription target) throws Unsupported {
    super(node, target);
    this.bounds = bounds;
    if (!target.has(AluOp.MAX) || !target.has(AluOp.MIN)) {
      throw new Unsupported("the target has no ALU MIN or MAX");
    }
    RequantizeLanes.Builder b = new RequantizeLanes.Builder(target, 1);
    b.op(AluOp.MAX, 0, b.scalar(bounds.min() + in.offset(), "low bound"));
    b.op(AluOp.MIN, 0, b.scalar(bounds.max() + in.offset(), "high bound"));
    this.program = b.build();
    requireRunnable(program);
  }

  @Override
  LaneProgram program() {
    return program;
  }

  @Override
  String what() {
    return "clamp to [" + bounds.min() + ", " + bounds.max() + "]";
  }
}
