package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.numerics.PyTorchQnnpackPooling;
import dev.zeropoint.ir.op.Attrs;
import java.util.List;

/**
 * {@code max_pool2d} on 8-bit tensors, with the ALU: each row tile of the input is loaded into the
 * accumulators (LOAD ACC_8BIT sign-extends the stored int8, which keeps the order: u8 is stored as
 * {@code x - 128}), the output tile starts at -128 (GEMM reset, then ADD), and each kernel tap is one
 * MAX over the rectangle of output positions for which that tap lies inside the input (the taps
 * PyTorch skips are simply not visited, so the padding needs no value). STORE keeps the low 8 bits,
 * which hold the stored value exactly. Only dilation 1: QNNPACK moves a tap outside the input to the
 * nearest edge, which adds a value to the window only when the dilation exceeds 1.
 */
final class MaxPoolLayer extends PoolLayer {
  MaxPoolLayer(Node node, TargetDescription target, Numerics numerics) throws Unsupported {
    super(node, target, attrs(node).kernel().get(0), attrs(node).kernel().get(1), attrs(node).stride().get(0),
        attrs(node).stride().get(1), attrs(node).padding().get(0), attrs(node).padding().get(1));
    if (!target.has(AluOp.MAX) || !target.has(AluOp.ADD)) {
      throw new Unsupported("the target has no ALU MAX or ADD");
    }
    Attrs.MaxPool2d a = attrs(node);
    if (a.dilation().get(0) != 1 || a.dilation().get(1) != 1) {
      throw new Unsupported("dilation above 1");
    }
    if (numerics == Numerics.PYTORCH_QNNPACK
        && PyTorchQnnpackPooling.maxPoolUsesQnnpack(node.operand(0).type().elementType(), a.ceilMode())) {
      try {
        PyTorchQnnpackPooling.checkQnnpackMaxPool(kh * kw);
      } catch (IllegalArgumentException e) {
        throw new Unsupported(e.getMessage());
      }
    }
    if (someWindowInPadding()) {
      throw new Unsupported("a window lies entirely in the padding");
    }
    this.tileRows = fitRows();
  }

  private static Attrs.MaxPool2d attrs(Node node) {
    return (Attrs.MaxPool2d) node.attrs();
  }

  @Override
  int registers() {
    return 1;
  }

  @Override
  int constants() {
    return 0;
  }

  @Override
  AluOp tapOp() {
    return AluOp.MAX;
  }

  @Override
  String what() {
    return "maximum over the window";
  }

  @Override
  void startLayer(ProgramBuilder b, int cbase) {}

  @Override
  void startTile(ProgramBuilder b, int inElems, int outBase, int outElems, int cbase, String where) {
    b.note(where + ": -128 everywhere");
    int u = b.uops(List.of(new Insn.Uop(outBase, 0, 0)));
    b.compute(new Insn.Gemm(Insn.Deps.NONE, true, u, u + 1, 1, outElems, 0, 1, 0, 0, 0, 0));
    b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + 1, 1, outElems, 0, 1, 0, 1, AluOp.ADD, true, -128));
  }

  @Override
  void finishTile(ProgramBuilder b, int outBase, int chunk, int outElems, int cbase, String where) {}
}
