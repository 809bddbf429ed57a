package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import java.util.List;

/**
 * A 2-D pool over 8-bit tensors with the ALU ({@link MaxPoolLayer}, {@link AvgPoolLayer}): per batch,
 * channel block and tile of output rows, the input rows the tile reads are loaded into the
 * accumulators (LOAD ACC_8BIT sign-extends the stored int8), the output tile is initialized, and each
 * kernel tap is one ALU instruction ({@link #tapOp}) over the rectangle of output positions for which
 * that tap lies inside the input, so taps in the padding are never visited. Then the subclass finishes
 * the tile and STORE keeps the low 8 bits of the output tile.
 *
 * <p>Accumulators: the input tile of each of the tile's channel blocks from 0, then {@link #registers}
 * registers of the blocks' output tiles (the first is the output), then {@link #constants} constant
 * accumulators. A tap's instruction has one micro-op per block.
 */
abstract sealed class PoolLayer extends NodeLayer permits MaxPoolLayer, AvgPoolLayer {
  final TargetDescription target;
  final int kh;
  final int kw;
  final int sy;
  final int sx;
  final int pt;
  final int pl;
  /** Output rows per tile (set by the subclass through {@link #fitRows}). */
  int tileRows;
  /** Channel blocks per tile: more than one only when a tile holds the whole output plane. */
  int tileBlocks = 1;

  PoolLayer(Node node, TargetDescription target, int kh, int kw, int sy, int sx, int pt, int pl) throws Unsupported {
    super(node, layout(node.operand(0), target), layout(node.result(), target));
    this.target = target;
    this.kh = kh;
    this.kw = kw;
    this.sy = sy;
    this.sx = sx;
    this.pt = pt;
    this.pl = pl;
    if (target.blockIn() != target.blockOut() || target.batch() != 1) {
      throw new Unsupported("the lowering needs blockIn == blockOut and batch 1");
    }
    if (in.offset() != out.offset()) {
      throw new Unsupported("input and output storage differ");
    }
  }

  private static TiledTensor layout(Value v, TargetDescription target) throws Unsupported {
    return TiledTensor.of(v.type(), target.blockOut()).filter(t -> !t.rows())
        .orElseThrow(() -> new Unsupported("%" + v.name() + " is not an 8-bit 4-D tensor"));
  }

  /** The input rows [lo, hi] that output row oy's taps ky0..ky1 read. */
  int[] rows(int oy, int ky0, int ky1) {
    return new int[] {Math.max(0, oy * sy - pt + ky0), Math.min(in.height() - 1, oy * sy - pt + ky1)};
  }

  /** Whether some window has no tap inside the input. */
  boolean someWindowInPadding() {
    for (int oy = 0; oy < out.height(); oy++) {
      if (rows(oy, 0, kh - 1)[0] > rows(oy, 0, kh - 1)[1]) {
        return true;
      }
    }
    for (int ox = 0; ox < out.width(); ox++) {
      if (Math.max(0, ox * sx - pl) > Math.min(in.width() - 1, ox * sx - pl + kw - 1)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Output rows per tile: the input rows, the registers and the constants fit the accumulators; where
   * the whole output plane fits, also {@link #tileBlocks}, as many channel blocks as fit (a global pool
   * is then a few tiles, not one per block).
   */
  int fitRows() throws Unsupported {
    for (int th = out.height(); th >= 1; th--) {
      if (fits(th, 1)) {
        int nb = 1;
        while (th == out.height() && nb < in.blocks() && fits(th, nb + 1)) {
          nb++;
        }
        tileBlocks = nb;
        return th;
      }
    }
    throw new Unsupported("no row of the pool fits the accumulators");
  }

  private boolean fits(int th, int nb) {
    int maxAcc = (1 << target.logAccDepth()) - 1;
    int rowsIn = (th - 1) * sy + kh;
    long inTile = (long) rowsIn * in.width();
    long outTile = (long) th * out.width();
    long need = nb * (inTile + registers() * outTile) + constants();
    return need <= target.accDepth() && nb * outTile <= target.maxIter() && out.width() <= maxAcc
        && (long) sy * in.width() <= maxAcc && sx <= maxAcc && rowsIn <= target.maxIter()
        && nb * inTile <= target.maxIter() && (long) nb * rowsIn <= target.maxIter()
        && (long) nb * kh * kw <= target.uopDepth() / 2;
  }

  /** Output-sized registers (at least the output). */
  abstract int registers();

  /** Constant accumulators after the registers. */
  abstract int constants();

  /** The ALU operation of each tap. */
  abstract AluOp tapOp();

  /** What the taps compute, for the listing. */
  abstract String what();

  /** Before the first tile (the layer's constants). */
  abstract void startLayer(ProgramBuilder b, int cbase);

  /**
   * Prepares the input tile at 0 ({@code inElems} elements) and initializes the output tile at {@code
   * outBase} ({@code outElems} elements).
   */
  abstract void startTile(ProgramBuilder b, int inElems, int outBase, int outElems, int cbase, String where);

  /** Finishes the output tile ({@code chunk} elements a register, {@code outElems} in use). */
  abstract void finishTile(ProgramBuilder b, int outBase, int chunk, int outElems, int cbase, String where);

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
    int nb = tileBlocks;
    int inTile = ((th - 1) * sy + kh) * inW; // the largest input tile of a block
    int outTile = th * outW;
    int outBase = nb * inTile; // after the input tiles
    int chunk = nb * outTile;
    int cbase = outBase + registers() * chunk;
    b.startLayer(1, false);
    boolean first = true;
    for (int n = 0; n < in.batches(); n++) {
      for (int cb = 0; cb < in.blocks(); cb += nb) {
        int blocks = Math.min(nb, in.blocks() - cb);
        for (int oy0 = 0; oy0 < out.height(); oy0 += th) {
          int rows = Math.min(th, out.height() - oy0);
          int[] r = rows(oy0, 0, (rows - 1) * sy + kh - 1);
          int rowsIn = Math.max(0, r[1] - r[0] + 1);
          String bl = blocks == 1 ? "block " + cb : "blocks " + cb + ".." + (cb + blocks - 1);
          String where = name + " n" + n + " " + bl + " rows " + oy0 + ".." + (oy0 + rows - 1);
          b.startTile();
          if (first) {
            startLayer(b, cbase);
            first = false;
          }
          if (rowsIn > 0) {
            b.note("%" + node.operand(0).name() + " " + bl + " rows " + r[0] + ".." + r[1]);
            if (blocks > 1 && rowsIn == in.height() && rowsIn * inW == inTile) {
              // whole planes of consecutive blocks: one run in DRAM and in the accumulators
              b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC_8BIT, 0, 0, blocks * rowsIn, inW, inW, 0, 0, 0, 0),
                  input.plus(in.element(n, cb, 0, 0) * block));
            } else {
              for (int j = 0; j < blocks; j++) {
                b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC_8BIT, j * inTile, 0, rowsIn, inW, inW, 0, 0, 0,
                    0), input.plus(in.element(n, cb + j, r[0], 0) * block));
              }
            }
          }
          startTile(b, (blocks - 1) * inTile + rowsIn * inW, outBase, (blocks - 1) * outTile + rows * outW, cbase,
              where);
          b.note(where + ": " + what());
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
              List<Insn.Uop> perBlock = new java.util.ArrayList<>();
              for (int j = 0; j < blocks; j++) {
                perBlock.add(new Insn.Uop(dst + j * outTile, src + j * inTile, 0));
              }
              int uu = b.uops(perBlock);
              b.compute(new Insn.Alu(Insn.Deps.NONE, false, uu, uu + blocks, iterOut, iterIn, iterOut > 1 ? outW : 0,
                  1, iterOut > 1 ? sy * inW : 0, sx, tapOp(), false, 0));
            }
          }
          finishTile(b, outBase, chunk, (blocks - 1) * outTile + rows * outW, cbase, where);
          // with several blocks a tile is whole output planes: one run in the accumulators and in DRAM
          b.stores(List.of(new Insn.Store(Insn.Deps.NONE, outBase, 0, (blocks - 1) * th + rows, outW, outW)),
              List.of(output.plus(out.element(n, cb, oy0, 0) * block)),
              List.of(name + " " + bl + " rows " + oy0 + ".." + (oy0 + rows - 1)));
        }
      }
    }
  }
}
