package dev.zeropoint.tests;

import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.AluOp;
import dev.zeropoint.backends.accel.TargetDescription;
import java.util.EnumSet;

/**
 * A second accelerator target, deliberately unlike VTA: 8x8 GEMM tiles and buffers small enough that
 * every layer of the test models must be tiled (256 input tiles, 64 weight tiles, 512 accumulators),
 * with a multiplier and the full shift range. Found with ServiceLoader from the test class path, like
 * any third-party target; the same suites run on it as on vta and vta-mul.
 */
public final class TinyAccelTarget implements AccelTarget {
  static final String NAME = "tiny8";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public TargetDescription description() {
    return new TargetDescription(NAME, 1, 8, 8, 4096, 256, 64, 512, EnumSet.allOf(AluOp.class), -31, 31, 16, 14);
  }
}
