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

  /** Throws when no tiling of it fits the target's buffers. */
  void check() throws Unsupported;

  /** Appends its instructions; {@code inputs} and {@code output} are the tensors' arena addresses. */
  void emit(ProgramBuilder b, List<ProgramBuilder.Ref> inputs, ProgramBuilder.Ref output) throws Unsupported;

  /** Why a node cannot run on the accelerator (it then runs on the host). */
  final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    public Unsupported(String why) {
      super(why);
    }
  }
}
