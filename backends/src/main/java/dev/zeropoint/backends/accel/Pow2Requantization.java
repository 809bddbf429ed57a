package dev.zeropoint.backends.accel;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Diagnostic;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code --requantize pow2}: every {@code requantize_acc} whose scale is not a power of two gets the
 * nearest one, {@code 2^-n} with {@code n = round(-log2(scale))} per channel, and scheme {@code pow2}
 * (add {@code 2^(n-1)}, shift right by {@code n}, then zero point and clamp), which hardware without a
 * multiplier runs exactly. This changes the model: callers report by how much on sample inputs.
 */
public final class Pow2Requantization {
  private Pow2Requantization() {}

  /** One layer whose scales changed: the largest relative change over its channels. */
  public record Change(Node node, double worstScale, double roundedScale) {}

  /** The rewritten graph and the layers it changed. */
  public record Result(Graph graph, List<Change> changes) {}

  /** The effective real scale of channel c of a requantizer. */
  public static double scale(Requantizer r, int c) {
    int i = r.channels() == 1 ? 0 : c;
    return switch (r.scheme()) {
      case FLOAT, FLOAT_CLAMP -> r.scales().get(i);
      case MANTISSA -> Math.scalb((double) r.multipliers().get(i), r.shifts().get(i));
      case TFLITE_DOUBLE, TFLITE_SINGLE -> Math.scalb((double) r.multipliers().get(i), r.shifts().get(i) - 31);
      case TOSA_DOUBLE, TOSA_SINGLE -> Math.scalb((double) r.multipliers().get(i), -r.shifts().get(i));
      case POW2 -> Math.scalb(1.0, -r.shifts().get(i));
    };
  }

  /**
   * Rounds the scales; a scale above 1 (no right shift can express it) or one that is zero is an
   * error naming the layer.
   */
  public static Result apply(Graph g) throws CompileException {
    List<Change> changes = new ArrayList<>();
    List<Diagnostic> problems = new ArrayList<>();
    Graph rewritten;
    try {
      rewritten = GraphRewriter.rewrite(g, (n, operands, b) -> {
        if (n.op() != Op.REQUANTIZE_ACC || ((Attrs.RequantizeAcc) n.attrs()).scheme() == Requantizer.Scheme.POW2) {
          return Optional.empty();
        }
        Attrs.RequantizeAcc a = (Attrs.RequantizeAcc) n.attrs();
        Requantizer r = a.requantizer(n.result().type().elementType());
        int[] shifts = new int[r.channels()];
        double worst = 0;
        double worstScale = 0;
        double worstRounded = 0;
        for (int c = 0; c < shifts.length; c++) {
          double s = scale(r, c);
          long k = Math.round(-Math.log(s) / Math.log(2));
          if (!(s > 0) || k < 0) {
            problems.add(Diagnostic.error(n.location(), "%" + n.result().name() + ": scale " + s
                + " cannot be rounded to a right shift (it must be at most about 1)"));
            break;
          }
          shifts[c] = (int) Math.min(31, k);
          double rounded = Math.scalb(1.0, -shifts[c]);
          double rel = Math.abs(rounded / s - 1);
          if (rel >= worst) {
            worst = rel;
            worstScale = s;
            worstRounded = rounded;
          }
        }
        if (worst > 0) {
          changes.add(new Change(n, worstScale, worstRounded));
        }
        Attrs pow2 = new Attrs.RequantizeAcc(Requantizer.Scheme.POW2, ImmutableDoubleArray.of(),
            ImmutableIntArray.of(), ImmutableIntArray.copyOf(shifts), a.axis(), a.outputZeroPoint(), a.min(), a.max());
        return Optional.of(b.add(n.op(), operands, pow2, List.of(n.result().type()), List.of(n.result().name()), n));
      }, new boolean[1]);
    } catch (TypeError e) {
      throw new IllegalStateException("the rewritten graph does not type-check: " + e.getMessage(), e);
    }
    if (!problems.isEmpty()) {
      throw new CompileException(problems);
    }
    return new Result(rewritten, changes);
  }
}
