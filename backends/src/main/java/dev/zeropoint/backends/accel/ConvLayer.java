package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code conv2d_acc} (or {@code linear_acc}, a 1x1 convolution over rows) with its {@code
 * requantize_acc}, as tiled GEMM and ALU instructions.
 *
 * <h2>Arithmetic</h2>
 * The layer computes {@code acc = bias + sum over in-bounds taps of (x - zx)(w - zw)}, wrapping in
 * int32. The accelerator multiplies signed int8: inputs are stored as {@code x' = x + offset} (u8:
 * {@code x - 128}), weights as {@code w' = w - zw} (which must fit int8), and the input zero point
 * becomes {@code zx' = zx + offset}. The GEMM sums {@code w' x'} over the taps LOAD's zero padding
 * leaves (padding is {@code x' = 0}), so the accumulators start at {@code bias - zx' * (sum of w' over
 * the in-bounds taps)}: one value per output channel and position class (positions whose set of
 * in-bounds taps is the same), computed here and added with ALU ADD. Then the requantization's
 * {@link LaneProgram} runs on the accumulators and STORE keeps the low 8 bits of the result, which
 * the program has already clamped and offset.
 *
 * <h2>Tiling</h2>
 * Output channels in blocks of {@code blockOut}, grouped {@code nob} blocks at a time; output rows and
 * columns in {@code th x tw} tiles. Per tile: reset and initialise the accumulators, then one load
 * phase per input block (the zero-padded input window, the weight tiles of that block) followed by a
 * GEMM whose micro-ops walk (output block, kernel row, kernel column) and whose loops walk the tile's
 * rows and columns; then the requantization, one ALU instruction per step; then one STORE per output
 * block. Grouped and depthwise convolutions are dense GEMMs over the blocks their groups touch, with
 * zero weights outside the groups. The tile sizes minimise DRAM traffic within the buffers.
 */
final class ConvLayer implements Layer {

  final Node acc;
  final Node requant;
  final TiledTensor in;
  final TiledTensor out;
  private final TargetDescription target;
  private final int block;
  // geometry
  private final int batches;
  private final int inC;
  private final int inH;
  private final int inW;
  private final int outC;
  private final int outH;
  private final int outW;
  private final int kh;
  private final int kw;
  private final int sy;
  private final int sx;
  private final int dy;
  private final int dx;
  private final int pt;
  private final int pl;
  private final int inPerGroup;
  private final int outPerGroup;
  /** w - zw, [outC][inPerGroup][kh][kw]. */
  private final int[] weights;
  private final int[] bias;
  private final int inputZeroPoint;
  final LaneProgram lanes;
  private final List<long[]> classes;
  private final Tiling tiling;

  ConvLayer(Node acc, Node requant, TargetDescription target) throws Unsupported {
    this.acc = acc;
    this.requant = requant;
    this.target = target;
    this.block = target.blockIn();
    if (target.blockIn() != target.blockOut() || target.batch() != 1) {
      throw new Unsupported("the lowering needs blockIn == blockOut and batch 1");
    }
    this.in = TiledTensor.of(acc.operand(0).type(), block)
        .orElseThrow(() -> new Unsupported("the input is not an 8-bit tensor of rank 2 to 4"));
    this.out = TiledTensor.of(requant.result().type(), block)
        .orElseThrow(() -> new Unsupported("the output is not an 8-bit tensor of rank 2 to 4"));
    TensorData w = constant(acc.operand(1)).orElseThrow(() -> new Unsupported("the weights are not constant"));
    Optional<TensorData> b = acc.operands().size() > 2 ? Optional.of(constant(acc.operand(2))
        .orElseThrow(() -> new Unsupported("the bias is not constant"))) : Optional.empty();
    int[] wd = acc.operand(1).type().shape().toArray();
    this.outC = wd[0];
    this.batches = in.batches();
    this.inC = in.channels();
    this.inH = in.height();
    this.inW = in.width();
    this.outH = out.height();
    this.outW = out.width();
    com.google.common.primitives.ImmutableIntArray zw;
    if (acc.op() == Op.CONV2D_ACC) {
      if (in.rows() || out.rows()) {
        throw new Unsupported("conv2d_acc needs 4-D tensors");
      }
      Attrs.Conv2dAcc a = (Attrs.Conv2dAcc) acc.attrs();
      this.kh = wd[2];
      this.kw = wd[3];
      this.sy = a.window().stride().get(0);
      this.sx = a.window().stride().get(1);
      this.dy = a.window().dilation().get(0);
      this.dx = a.window().dilation().get(1);
      this.pt = a.window().padding().get(0);
      this.pl = a.window().padding().get(1);
      int pb = a.window().padding().get(2);
      int pr = a.window().padding().get(3);
      int max = (1 << TargetDescription.PAD_BITS) - 1;
      if (pt > max || pl > max || pb > max || pr > max) {
        throw new Unsupported("padding above " + max + " (LOAD pads at most " + max + " elements)");
      }
      this.inPerGroup = wd[1];
      this.outPerGroup = outC / a.window().groups();
      this.inputZeroPoint = a.inputZeroPoint();
      zw = a.weightZeroPoints();
    } else {
      if (!in.rows() || !out.rows()) {
        throw new Unsupported("linear_acc needs 2-D or 3-D tensors");
      }
      Attrs.LinearAcc a = (Attrs.LinearAcc) acc.attrs();
      this.kh = 1;
      this.kw = 1;
      this.sy = 1;
      this.sx = 1;
      this.dy = 1;
      this.dx = 1;
      this.pt = 0;
      this.pl = 0;
      this.inPerGroup = wd[1];
      this.outPerGroup = outC;
      this.inputZeroPoint = a.inputZeroPoint();
      zw = a.weightZeroPoints();
    }
    int taps = inPerGroup * kh * kw;
    this.weights = new int[outC * taps];
    for (int o = 0; o < outC; o++) {
      int z = zw.length() == 1 ? zw.get(0) : zw.get(o);
      for (int i = 0; i < taps; i++) {
        int v = (int) w.getLong((long) o * taps + i) - z;
        if (v < -128 || v > 127) {
          throw new Unsupported("weight minus its zero point (" + v + ") does not fit int8");
        }
        weights[o * taps + i] = v;
      }
    }
    this.bias = new int[outC];
    if (b.isPresent()) {
      for (int o = 0; o < outC; o++) {
        bias[o] = (int) b.get().getLong(o);
      }
    }
    Attrs.RequantizeAcc ra = (Attrs.RequantizeAcc) requant.attrs();
    Requantizer r = ra.requantizer(requant.result().type().elementType());
    this.lanes = RequantizeLanes.of(r, out.offset(), target);
    this.classes = classes();
    this.tiling = tiling();
    for (int oy0 = 0; oy0 < outH; oy0 += tiling.th()) {
      for (int ox0 = 0; ox0 < outW; ox0 += tiling.tw()) {
        Window win = window(oy0, Math.min(tiling.th(), outH - oy0), ox0, Math.min(tiling.tw(), outW - ox0));
        if (win.ys() <= 0 || win.xs() <= 0) {
          throw new Unsupported("a tile's input window lies entirely in the padding");
        }
      }
    }
  }

  /** The data of a value defined by a const node. */
  static Optional<TensorData> constant(dev.zeropoint.ir.Value v) {
    Node p = v.producer();
    if (p != null && p.op() == Op.CONST) {
      return Optional.of(((Attrs.Const) p.attrs()).data());
    }
    return Optional.empty();
  }

  @Override
  public List<Node> nodes() {
    return List.of(acc, requant);
  }

  @Override
  public List<dev.zeropoint.ir.Value> inputs() {
    return List.of(acc.operand(0));
  }

  @Override
  public dev.zeropoint.ir.Value output() {
    return requant.result();
  }

  @Override
  public TiledTensor in() {
    return in;
  }

  @Override
  public TiledTensor out() {
    return out;
  }

  @Override
  public long macs() {
    return macs(acc);
  }

  /**
   * The multiply-accumulates of a {@code conv2d_acc} or {@code linear_acc} as the model defines it (no
   * padding or zero blocks): each output times the weights per output channel.
   */
  static long macs(Node n) {
    int[] w = n.operand(1).type().shape().toArray();
    long perOutput = 1;
    for (int i = 1; i < w.length; i++) {
      perOutput *= w[i];
    }
    return n.result().type().shape().numElements() * perOutput;
  }

  private int outBlocks() {
    return (outC + block - 1) / block;
  }

  private int inBlocks() {
    return (inC + block - 1) / block;
  }

  /** The input blocks output block {@code ob} reads (those of its groups' input channels). */
  private List<Integer> inputBlocksOf(int ob) {
    List<Integer> ibs = new ArrayList<>();
    int lo = Integer.MAX_VALUE;
    int hi = -1;
    for (int o = ob * block; o < Math.min(outC, (ob + 1) * block); o++) {
      int g = o / outPerGroup;
      lo = Math.min(lo, g * inPerGroup);
      hi = Math.max(hi, (g + 1) * inPerGroup - 1);
    }
    for (int ib = lo / block; ib <= hi / block; ib++) {
      ibs.add(ib);
    }
    return ibs;
  }

  /** w' of output channel o, input channel c (dense; zero outside o's group), tap (ky, kx). */
  private int weight(int o, int c, int ky, int kx) {
    if (o >= outC || c >= inC) {
      return 0;
    }
    int g = o / outPerGroup;
    int ci = c - g * inPerGroup;
    if (ci < 0 || ci >= inPerGroup) {
      return 0;
    }
    return weights[((o * inPerGroup + ci) * kh + ky) * kw + kx];
  }

  /** The valid kernel rows (bit ky) of output row oy. */
  private long rowMask(int oy) {
    long m = 0;
    for (int ky = 0; ky < kh; ky++) {
      int y = oy * sy - pt + ky * dy;
      if (y >= 0 && y < inH) {
        m |= 1L << ky;
      }
    }
    return m;
  }

  private long colMask(int ox) {
    long m = 0;
    for (int kx = 0; kx < kw; kx++) {
      int x = ox * sx - pl + kx * dx;
      if (x >= 0 && x < inW) {
        m |= 1L << kx;
      }
    }
    return m;
  }

  /** A tiling: output blocks per group, tile rows and columns. */
  record Tiling(int nob, int th, int tw, long dramBytes, int slots) {}

  private int zeroPointPrime() {
    return inputZeroPoint + in.offset();
  }

  /**
   * The tiling: double-buffered (each input and weight half a buffer) when that costs at most half as
   * much DRAM traffic again as the best single-buffered one, else single-buffered.
   */
  private Tiling tiling() throws Unsupported {
    Tiling one = tiling(1);
    if (one == null) {
      throw new Unsupported("no tile of this layer fits the on-chip buffers");
    }
    Tiling two = tiling(2);
    return two != null && two.dramBytes() * 2 <= one.dramBytes() * 3 ? two : one;
  }

  private Tiling tiling(int slots) {
    int classes = this.classes.size();
    long ibsPerGroup = inputBlocksOf(0).size();
    int temps = lanes.temporaries();
    int consts = lanes.constants().size();
    int obs = outBlocks();
    Tiling best = null;
    List<Integer> widths = new ArrayList<>();
    for (int k = 1; k <= outW; k++) {
      int tw = (outW + k - 1) / k;
      if (widths.isEmpty() || widths.get(widths.size() - 1) != tw) {
        widths.add(tw);
      }
    }
    for (int groups = 1; groups <= obs; groups++) {
      int nob = (obs + groups - 1) / groups;
      if (groups > 1 && (obs + groups - 2) / (groups - 1) == nob) {
        continue;
      }
      for (int tw : widths) {
        for (int th = outH; th >= 1; th--) {
          if (!fits(nob, th, tw, classes, temps, consts, slots)) {
            continue;
          }
          long tiles = (long) ((outH + th - 1) / th) * ((outW + tw - 1) / tw);
          int ih = (th - 1) * sy + (kh - 1) * dy + 1;
          int iw = (tw - 1) * sx + (kw - 1) * dx + 1;
          long ibs = Math.min(inBlocks(), nob * ibsPerGroup);
          long bytes = batches * groups * tiles * ibs * ((long) ih * iw * block + (long) nob * kh * kw * block * block);
          if (best == null || bytes < best.dramBytes()) {
            best = new Tiling(nob, th, tw, bytes, slots);
          }
          break; // smaller th only costs more
        }
      }
    }
    return best;
  }

  private boolean fits(int nob, int th, int tw, int classes, int temps, int consts, int slots) {
    long p = (long) th * tw;
    long accNeed = nob * p * (1 + temps) + (long) nob * (classes + consts);
    int ih = (th - 1) * sy + (kh - 1) * dy + 1;
    int iw = (tw - 1) * sx + (kw - 1) * dx + 1;
    int maxAcc = (1 << target.logAccDepth()) - 1;
    int maxInp = (1 << target.logInpDepth()) - 1;
    return accNeed <= target.accDepth() && (long) ih * iw <= target.inpDepth() / slots
        && (long) nob * kh * kw <= target.wgtDepth() / slots && p <= maxAcc && tw <= maxAcc
        && (th == 1 || (long) sy * iw <= maxInp) && sx <= maxInp
        && th <= target.maxIter() && p <= target.maxIter() && nob <= target.maxIter()
        && (long) nob * (classes + consts) <= maxAcc;
  }

  /**
   * The input window of an output tile: its first row and column (may be negative: padding), its
   * size, the zero padding LOAD adds on each side and the rows and columns it reads from DRAM.
   */
  private record Window(int r0, int c0, int ih, int iw, int yp0, int yp1, int xp0, int xp1, int ys, int xs) {}

  private Window window(int oy0, int th, int ox0, int tw) {
    int ih = (th - 1) * sy + (kh - 1) * dy + 1;
    int iw = (tw - 1) * sx + (kw - 1) * dx + 1;
    int r0 = oy0 * sy - pt;
    int c0 = ox0 * sx - pl;
    int yp0 = Math.max(0, -r0);
    int yp1 = Math.max(0, r0 + ih - 1 - (inH - 1));
    int xp0 = Math.max(0, -c0);
    int xp1 = Math.max(0, c0 + iw - 1 - (inW - 1));
    return new Window(r0, c0, ih, iw, yp0, yp1, xp0, xp1, ih - yp0 - yp1, iw - xp0 - xp1);
  }

  /** The distinct position classes: pairs of (row mask, column mask); one class when zx' is 0. */
  private List<long[]> classes() {
    List<long[]> out = new ArrayList<>();
    if (zeroPointPrime() == 0) {
      out.add(new long[] {-1, -1});
      return out;
    }
    List<Long> rows = new ArrayList<>();
    for (int oy = 0; oy < outH; oy++) {
      if (!rows.contains(rowMask(oy))) {
        rows.add(rowMask(oy));
      }
    }
    List<Long> cols = new ArrayList<>();
    for (int ox = 0; ox < outW; ox++) {
      if (!cols.contains(colMask(ox))) {
        cols.add(colMask(ox));
      }
    }
    for (long r : rows) {
      for (long c : cols) {
        out.add(new long[] {r, c});
      }
    }
    return out;
  }

  private int classOf(List<long[]> classes, int oy, int ox) {
    if (classes.size() == 1) {
      return 0;
    }
    long r = rowMask(oy);
    long c = colMask(ox);
    for (int i = 0; i < classes.size(); i++) {
      if (classes.get(i)[0] == r && classes.get(i)[1] == c) {
        return i;
      }
    }
    throw new IllegalStateException("no class");
  }

  /** The initial accumulator of channel o in a class: bias - zx' * (sum of w' over the class's taps). */
  private int init(int o, long[] cls) {
    if (o >= outC) {
      return 0;
    }
    long sum = 0;
    int zp = zeroPointPrime();
    if (zp != 0) {
      for (int c = 0; c < inPerGroup; c++) {
        for (int ky = 0; ky < kh; ky++) {
          for (int kx = 0; kx < kw; kx++) {
            if ((cls[0] >>> ky & 1) != 0 && (cls[1] >>> kx & 1) != 0) {
              sum += weights[((o * inPerGroup + c) * kh + ky) * kw + kx];
            }
          }
        }
      }
    }
    return (int) (bias[o] - (long) zp * sum);
  }

  /** Emits the layer; {@code input} and {@code output} are the tensors' arena addresses. */
  @Override
  public void emit(ProgramBuilder b, List<ProgramBuilder.Ref> inputs, ProgramBuilder.Ref output) {
    ProgramBuilder.Ref input = inputs.get(0);
    Tiling t = tiling;
    int nC = classes.size();
    int nK = lanes.constants().size();
    int perOb = nC + nK;
    int p = t.th() * t.tw();
    int cbase = t.nob() * p * (1 + lanes.temporaries());
    int obs = outBlocks();
    b.startLayer(t.slots(), true);
    int inpHalf = target.inpDepth() / t.slots();
    int wgtHalf = target.wgtDepth() / t.slots();
    String name = "%" + requant.result().name();
    String inName = "%" + acc.operand(0).name();
    Map<Integer, GroupData> groupData = new java.util.HashMap<>();
    for (int n = 0; n < batches; n++) {
      for (int ob0 = 0; ob0 < obs; ob0 += t.nob()) {
        int ob1 = Math.min(obs, ob0 + t.nob());
        int nob = ob1 - ob0;
        GroupData gd = groupData.computeIfAbsent(ob0, k -> groupData(b, k, ob1, classes, perOb, nC, nK));
        ProgramBuilder.Ref constRef = gd.constants();
        List<Integer> ibs = gd.ibs();
        Map<Integer, ProgramBuilder.Ref> weightRefs = gd.weights();
        Map<Integer, List<Integer>> obsOf = gd.obsOf();
        boolean firstOfGroup = true;
        for (int oy0 = 0; oy0 < outH; oy0 += t.th()) {
          int th = Math.min(t.th(), outH - oy0);
          for (int ox0 = 0; ox0 < outW; ox0 += t.tw()) {
            int tw = Math.min(t.tw(), outW - ox0);
            b.startTile();
            String where = name + " n" + n + " blocks " + ob0 + ".." + (ob1 - 1) + " rows " + oy0 + ".." + (oy0 + th - 1)
                + " cols " + ox0 + ".." + (ox0 + tw - 1);
            b.note(where + ": initial accumulators");
            if (firstOfGroup) {
              b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC, cbase, 0, 1, nob * perOb, nob * perOb, 0, 0, 0, 0),
                  constRef);
              firstOfGroup = false;
            }
            int pt2 = th * tw;
            int zero = b.uops(List.of(new Insn.Uop(0, 0, 0)));
            b.compute(new Insn.Gemm(Insn.Deps.NONE, true, zero, zero + 1, nob, pt2, p, 1, 0, 0, 0, 0));
            // Initial values: one ADD per run of equal row class and run of equal column class.
            for (int ry = oy0; ry < oy0 + th;) {
              int ry1 = ry + 1;
              while (ry1 < oy0 + th && (nC == 1 || rowMask(ry1) == rowMask(ry))) {
                ry1++;
              }
              for (int cx = ox0; cx < ox0 + tw;) {
                int cx1 = cx + 1;
                while (cx1 < ox0 + tw && (nC == 1 || colMask(cx1) == colMask(cx))) {
                  cx1++;
                }
                int cls = classOf(classes, ry, cx);
                List<Insn.Uop> list = new ArrayList<>();
                for (int k = 0; k < nob; k++) {
                  list.add(new Insn.Uop(k * p + (ry - oy0) * tw + (cx - ox0), cbase + k * perOb + cls, 0));
                }
                int u = b.uops(list);
                b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + list.size(), ry1 - ry, cx1 - cx,
                    ry1 - ry > 1 ? tw : 0, 1, 0, 0, AluOp.ADD, false, 0));
                cx = cx1;
              }
              ry = ry1;
            }
            // One load phase and GEMM per input block.
            Window w = window(oy0, th, ox0, tw);
            int iw = w.iw();
            int y0 = Math.max(w.r0(), 0);
            int x0 = Math.max(w.c0(), 0);
            for (int ib : ibs) {
              int slot = b.nextSlot();
              List<Integer> list = obsOf.get(ib);
              List<Insn.Uop> gu = new ArrayList<>();
              for (int idx = 0; idx < list.size(); idx++) {
                for (int ky = 0; ky < kh; ky++) {
                  for (int kx = 0; kx < kw; kx++) {
                    gu.add(new Insn.Uop((list.get(idx) - ob0) * p, slot * inpHalf + ky * dy * iw + kx * dx,
                        slot * wgtHalf + (idx * kh + ky) * kw + kx));
                  }
                }
              }
              int u = b.uops(gu);
              long inElem = in.element(n, ib, y0, x0);
              Insn.Load li = new Insn.Load(Insn.Deps.NONE, MemType.INP, slot * inpHalf, 0, w.ys(), w.xs(), inW, w.yp0(),
                  w.yp1(), w.xp0(), w.xp1());
              int nw = list.size() * kh * kw;
              Insn.Load lw = new Insn.Load(Insn.Deps.NONE, MemType.WGT, slot * wgtHalf, 0, 1, nw, nw, 0, 0, 0, 0);
              b.note(where + ": GEMM over input block " + ib);
              b.loadPhase(List.of(li, lw), List.of(input.plus(inElem * block), weightRefs.get(ib)),
                  List.of(inName + " block " + ib + " rows " + y0 + ".." + (y0 + w.ys() - 1) + " cols " + x0 + ".."
                      + (x0 + w.xs() - 1),
                      "weights of " + name + " (blocks " + ob0 + ".." + (ob1 - 1) + " x input block " + ib + ")"),
                  new Insn.Gemm(Insn.Deps.NONE, false, u, u + gu.size(), th, tw, th > 1 ? tw : 0, 1,
                      th > 1 ? sy * iw : 0, sx, 0, 0));
            }
            // Requantization.
            b.note(where + ": requantization");
            for (LaneProgram.Step s : lanes.steps()) {
              int dst = register(s.dst(), p, nob, cbase, nC);
              boolean constSrc = !s.useImm() && s.src() > lanes.temporaries();
              int src = s.useImm() ? 0 : register(s.src(), p, nob, cbase, nC);
              int u = b.uops(List.of(new Insn.Uop(dst, src, 0)));
              int srcOut = s.useImm() ? 0 : constSrc ? perOb : p;
              int srcIn = s.useImm() || constSrc ? 0 : 1;
              b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + 1, nob, pt2, nob > 1 ? p : 0, 1,
                  nob > 1 ? srcOut : 0, srcIn, s.op(), s.useImm(), s.useImm() ? s.imm() : 0));
            }
            List<Insn.Store> stores = new ArrayList<>();
            List<ProgramBuilder.Ref> refs = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (int k = 0; k < nob; k++) {
              stores.add(new Insn.Store(Insn.Deps.NONE, k * p, 0, th, tw, outW));
              refs.add(output.plus(out.element(n, ob0 + k, oy0, ox0) * block));
              notes.add(name + " block " + (ob0 + k) + " rows " + oy0 + ".." + (oy0 + th - 1) + " cols " + ox0 + ".."
                  + (ox0 + tw - 1));
            }
            b.stores(stores, refs, notes);
          }
        }
      }
    }
  }

  /** A group's constants and weights in DRAM, shared by every batch. */
  private record GroupData(ProgramBuilder.Ref constants, List<Integer> ibs, Map<Integer, ProgramBuilder.Ref> weights,
      Map<Integer, List<Integer>> obsOf) {}

  private GroupData groupData(ProgramBuilder b, int ob0, int ob1, List<long[]> classes, int perOb, int nC, int nK) {
    int nob = ob1 - ob0;
    // The group's constants: per output block, the class tiles then the lane constants.
    int[] consts = new int[nob * perOb * block];
    for (int k = 0; k < nob; k++) {
      for (int j = 0; j < block; j++) {
        int o = (ob0 + k) * block + j;
        for (int c = 0; c < nC; c++) {
          consts[(k * perOb + c) * block + j] = init(o, classes.get(c));
        }
        for (int q = 0; q < nK; q++) {
          consts[(k * perOb + nC + q) * block + j] = lanes.constants().get(q).value(Math.min(o, outC - 1));
        }
      }
    }
    ProgramBuilder.Ref constRef = b.addConstants(consts);
    List<Integer> ibs = inputBlocksOfGroup(ob0, ob1);
    Map<Integer, ProgramBuilder.Ref> weightRefs = new LinkedHashMap<>();
    Map<Integer, List<Integer>> obsOf = new LinkedHashMap<>();
    for (int ib : ibs) {
      List<Integer> list = new ArrayList<>();
      for (int ob = ob0; ob < ob1; ob++) {
        if (inputBlocksOf(ob).contains(ib)) {
          list.add(ob);
        }
      }
      obsOf.put(ib, list);
      byte[] tiles = new byte[list.size() * kh * kw * block * block];
      int at = 0;
      for (int ob : list) {
        for (int ky = 0; ky < kh; ky++) {
          for (int kx = 0; kx < kw; kx++) {
            for (int j = 0; j < block; j++) {
              for (int i = 0; i < block; i++) {
                tiles[at++] = (byte) weight(ob * block + j, ib * block + i, ky, kx);
              }
            }
          }
        }
      }
      weightRefs.put(ib, b.addWeights(tiles));
    }
    return new GroupData(constRef, ibs, weightRefs, obsOf);
  }

  private List<Integer> inputBlocksOfGroup(int ob0, int ob1) {
    List<Integer> ibs = new ArrayList<>();
    for (int ob = ob0; ob < ob1; ob++) {
      for (int ib : inputBlocksOf(ob)) {
        if (!ibs.contains(ib)) {
          ibs.add(ib);
        }
      }
    }
    ibs.sort(null);
    return ibs;
  }

  /** The accumulator index of output block 0's entry 0 of a lane-program register. */
  private int register(int r, int p, int nob, int cbase, int nC) {
    if (r == 0) {
      return 0;
    }
    if (r <= lanes.temporaries()) {
      return r * nob * p;
    }
    return cbase + nC + (r - lanes.temporaries() - 1);
  }

  @Override
  public String toString() {
    return acc.op().keyword() + " %" + acc.result().name() + " " + Arrays.toString(new int[] {outC, outH, outW});
  }
}
