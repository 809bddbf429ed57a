package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import java.util.List;

/**
 * {@code flatten} or {@code reshape} of an 8-bit tensor whose tiled layout moves no byte ({@link
 * TiledTensor#sameDram}), e.g. a global pool's {@code [1, C, 1, 1]} to a linear layer's {@code [1,
 * C]}: a copy (LOAD ACC_8BIT, STORE) with an empty lane program, so that the region need not end.
 */
final class ReshapeLayer extends ElementwiseLayer {
  private static final LaneProgram COPY = new LaneProgram(1, 0, List.of(), List.of());

  ReshapeLayer(Node node, TargetDescription target) throws Unsupported {
    super(node, target);
    requireRunnable(COPY);
  }

  @Override
  LaneProgram program() {
    return COPY;
  }

  @Override
  String what() {
    return "copy";
  }
}
