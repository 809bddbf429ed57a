package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Value;
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
final class MaxPoolLayer extends NodeLayer {
  private final TargetDescription target;
  private final int kh;
  private final int kw;
  private final int sy;
  private final int sx;
  private final int pt;
  private final int pl;
  /** Output rows per tile. */
  private final int tileRows;

  MaxPoolLayer(Node node, TargetDescription target, Numerics numerics) throws Unsupported {
    super(node, layout(node.operand(0), target), layout(node.result(), target));
    this.target = target;
    if (target.blockIn() != target.blockOut() || target.batch() != 1) {
      throw new Unsupported("the lowering needs blockIn == blockOut and batch 1");
    }
    if (!target.has(AluOp.MAX) || !target.has(AluOp.ADD)) {
      throw new Unsupported("the target has no ALU MAX or ADD");
    }
    if (in.offset() != out.offset()) {
      throw new Unsupported("input and output storage differ");
    }
    Attrs.MaxPool2d a = (Attrs.MaxPool2d) node.attrs();
    if (a.dilation().get(0) != 1 || a.dilation().get(1) != 1) {
      throw new Unsupported("dilation above 1");
    }
    this.kh = a.kernel().get(0);
    this.kw = a.kernel().get(1);
    this.sy = a.stride().get(0);
    this.sx = a.stride().get(1);
    this.pt = a.padding().get(0);
    this.pl = a.padding().get(1);
    if (numerics == Numerics.PYTORCH_QNNPACK
        && PyTorchQnnpackPooling.maxPoolUsesQnnpack(node.operand(0).type().elementType(), a.ceilMode())) {
      try {
        PyTorchQnnpackPooling.checkQnnpackMaxPool(kh * kw);
      } catch (IllegalArgumentException e) {
        throw new Unsupported(e.getMessage());
      }
    }
    for (int oy = 0; oy < out.height(); oy++) {
      if (rows(oy, 0, kh - 1)[0] > rows(oy, 0, kh - 1)[1]) {
        throw new Unsupported("a window lies entirely in the padding");
      }
    }
    for (int ox = 0; ox < out.width(); ox++) {
      int lo = Math.max(0, ox * sx - pl);
      int hi = Math.min(in.width() - 1, ox * sx - pl + kw - 1);
      if (lo > hi) {
        throw new Unsupported("a window lies entirely in the padding");
      }
    }
    this.tileRows = tileRows();
  }

  private static TiledTensor layout(Value v, TargetDescription target) throws Unsupported {
    return TiledTensor.of(v.type(), target.blockOut()).filter(t -> !t.rows())
        .orElseThrow(() -> new Unsupported("%" + v.name() + " is not an 8-bit 4-D tensor"));
  }

  /** The input rows [lo, hi] that output row oy's taps ky0..ky1 read. */
  private int[] rows(int oy, int ky0, int ky1) {
    return new int[] {Math.max(0, oy * sy - pt + ky0), Math.min(in.height() - 1, oy * sy - pt + ky1)};
  }

  /** Output rows per tile: its input rows and output rows fit the accumulators. */
  private int tileRows() throws Unsupported {
    int maxAcc = (1 << target.logAccDepth()) - 1;
    for (int th = out.height(); th >= 1; th--) {
      int rowsIn = (th - 1) * sy + kh;
      long need = (long) rowsIn * in.width() + (long) th * out.width();
      if (need <= target.accDepth() && (long) th * out.width() <= target.maxIter() && out.width() <= maxAcc
          && (long) sy * in.width() <= maxAcc && sx <= maxAcc && rowsIn <= target.maxIter()) {
        return th;
      }
    }
    throw new Unsupported("no row of the pool fits the accumulators");
  }

  @Override
  public void emit(ProgramBuilder b, List<ProgramBuilder.Ref> inputs, ProgramBuilder.Ref output) {
    ProgramBuilder.Ref input = inputs.get(0);
    int th = tileRows;
    int block = in.block();
    int inW = in.width();
    int outW = out.width();
    // Per kernel column, the output columns whose tap lies inside the input (the same for every tile).
    int[] oxA = new int[kw];
    int[] oxB = new int[kw];
    for (int kx = 0; kx < kw; kx++) {
      oxA[kx] = -1;
      oxB[kx] = -2;
      for (int ox = 0; ox < outW; ox++) {
        int x = ox * sx - pl + kx;
        if (x >= 0 && x < inW) {
          oxA[kx] = oxA[kx] < 0 ? ox : oxA[kx];
          oxB[kx] = ox;
        }
      }
    }
    String name = "%" + node.result().name();
    b.startLayer(1, false);
    for (int n = 0; n < in.batches(); n++) {
      for (int cb = 0; cb < in.blocks(); cb++) {
        for (int oy0 = 0; oy0 < out.height(); oy0 += th) {
          int rows = Math.min(th, out.height() - oy0);
          int[] r = rows(oy0, 0, (rows - 1) * sy + kh - 1);
          int rowsIn = r[1] - r[0] + 1;
          int outBase = ((th - 1) * sy + kh) * inW; // after the largest input tile
          String where = name + " n" + n + " block " + cb + " rows " + oy0 + ".." + (oy0 + rows - 1);
          b.startTile();
          b.note("%" + node.operand(0).name() + " block " + cb + " rows " + r[0] + ".." + r[1]);
          b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC_8BIT, 0, 0, rowsIn, inW, inW, 0, 0, 0, 0),
              input.plus(in.element(n, cb, r[0], 0) * block));
          b.note(where + ": -128 everywhere");
          int u = b.uops(List.of(new Insn.Uop(outBase, 0, 0)));
          b.compute(new Insn.Gemm(Insn.Deps.NONE, true, u, u + 1, 1, rows * outW, 0, 1, 0, 0, 0, 0));
          b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + 1, 1, rows * outW, 0, 1, 0, 0, AluOp.ADD, true,
              -128));
          b.note(where + ": maximum over the window");
          for (int ky = 0; ky < kh; ky++) {
            // Output rows of this tile whose tap ky lies inside the input.
            int oyA = -1;
            int oyB = -2;
            for (int oy = oy0; oy < oy0 + rows; oy++) {
              int y = oy * sy - pt + ky;
              if (y >= 0 && y < in.height()) {
                oyA = oyA < 0 ? oy : oyA;
                oyB = oy;
              }
            }
            if (oyA < 0) {
              continue;
            }
            for (int kx = 0; kx < kw; kx++) {
              if (oxA[kx] < 0) {
                continue;
              }
              int dst = outBase + (oyA - oy0) * outW + oxA[kx];
              int src = (oyA * sy - pt + ky - r[0]) * inW + (oxA[kx] * sx - pl + kx);
              int iterOut = oyB - oyA + 1;
              int iterIn = oxB[kx] - oxA[kx] + 1;
              int uu = b.uops(List.of(new Insn.Uop(dst, src, 0)));
              b.compute(new Insn.Alu(Insn.Deps.NONE, false, uu, uu + 1, iterOut, iterIn, iterOut > 1 ? outW : 0,
                  1, iterOut > 1 ? sy * inW : 0, sx, AluOp.MAX, false, 0));
            }
          }
          b.stores(List.of(new Insn.Store(Insn.Deps.NONE, outBase, 0, rows, outW, outW)),
              List.of(output.plus(out.element(n, cb, oy0, 0) * block)),
              List.of(name + " block " + cb + " rows " + oy0 + ".." + (oy0 + rows - 1)));
        }
      }
    }
  }
}
