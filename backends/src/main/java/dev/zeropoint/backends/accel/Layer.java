package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import java.util.List;

/** One unit of an accelerator region: the graph nodes it covers, one tensor in, one out. */
public sealed interface Layer permits ConvLayer, NodeLayer {
  /** The nodes it computes, in graph order. */
  List<Node> nodes();

  /** Its activation inputs (one, or two for an add), all laid out as {@link #in()}. */
  List<Value> inputs();

  Value output();

  TiledTensor in();

  TiledTensor out();

  /** Multiply-accumulates as the model defines them (0 for a pool). */
  long macs();

  /**
   * Appends its instructions between {@link ProgramBuilder#startLayer} and the caller's {@link
   * ProgramBuilder#endLayer}; {@code inputs} and {@code output} are the tensors' arena addresses. A layer
   * that constructed fits the target: whether it can run is decided then, not here.
   */
  void emit(ProgramBuilder b, List<ProgramBuilder.Ref> inputs, ProgramBuilder.Ref output);

  /** Why a node cannot run on the accelerator (it then runs on the host). */
  final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    public Unsupported(String why) {
      super(why);
    }
  }
}
