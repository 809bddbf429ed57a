package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.numerics.ClampBounds;
import java.util.List;

/**
 * A clamp of an 8-bit tensor ({@code relu}, {@code relu6}, {@code hardtanh}, {@code clamp} whose
 * bounds the flavour turns into integers, {@link dev.zeropoint.backends.lowering.Lowering#clampBounds}):
 * MAX and MIN against the bounds, offset as the tensor is stored. PyTorch's clamps that hand back
 * channels-last data relabelled as NCHW stay on the host.
 */
final class ClampLayer extends ElementwiseLayer {
  private final ClampBounds.Bounds bounds;

  ClampLayer(Node node, ClampBounds.Bounds bounds, TargetDescription target) throws Unsupported {
    super(node, target);
    this.bounds = bounds;
    if (!target.has(AluOp.MAX) || !target.has(AluOp.MIN)) {
      throw new Unsupported("the target has no ALU MIN or MAX");
    }
  }

  @Override
  int temporaries() {
    return 0;
  }

  @Override
  int[] constants() {
    return new int[0];
  }

  @Override
  List<LaneProgram.Step> steps() {
    return List.of(LaneProgram.Step.imm(AluOp.MAX, 0, bounds.min() + in.offset()),
        LaneProgram.Step.imm(AluOp.MIN, 0, bounds.max() + in.offset()));
  }

  @Override
  String what() {
    return "clamp to [" + bounds.min() + ", " + bounds.max() + "]";
  }
}
