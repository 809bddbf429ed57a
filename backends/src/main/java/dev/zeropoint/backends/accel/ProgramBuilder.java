package dev.zeropoint.backends.accel;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one accelerator program: the instruction stream, and a DRAM image holding micro-ops, weights,
 * accumulator constants, the activation arena and the instructions. While instructions are emitted,
 * DRAM addresses are kept as (section, byte offset); {@link #build} places the sections and turns them
 * into {@code dram_base} element indices relative to the image start.
 *
 * <p>Dependency tokens follow one protocol, correct for any start order of the three queues
 * (with single- or double-buffered input and weight buffers):
 *
 * <ul>
 *   <li>a layer's load phases (the inputs and weights of one GEMM) rotate through {@code slots}
 *       halves of the input and weight buffers (one or two); each phase ends with push_next; phase
 *       {@code i} of a layer begins with pop_next when {@code i >= slots} (waiting for the GEMM that
 *       read the same half), and phase 0 of every layer but the first pops the layer boundary's token;
 *   <li>each GEMM pops_prev; it pushes_prev when its layer has a phase {@code slots} phases later
 *       (set when that phase is added);
 *   <li>the first compute instruction of every tile after the program's first pops_next (the previous
 *       tile's accumulators have been stored); at the boundary to a layer with load phases it also
 *       pushes_prev, so that layer's loads wait until the previous layer's outputs are in DRAM;
 *   <li>the last compute instruction of a tile pushes_next; its stores pop_prev first and push_prev
 *       last;
 *   <li>FINISH pops_next (the last store is done).
 * </ul>
 *
 * <p>Each layer's micro-ops are one table ({@link #uops}), loaded by a LOAD UOP placed before their
 * first use and sized when the layer ends ({@link #endLayer}).
 */
public final class ProgramBuilder {
  /** Where a DRAM address points. */
  public enum Section {
    UOPS,
    WEIGHTS,
    CONSTANTS,
    ARENA,
    INSNS
  }

  /** A DRAM address: a byte offset in a section. */
  public record Ref(Section section, long offset) {
    public Ref plus(long bytes) {
      return new Ref(section, offset + bytes);
    }
  }

  /** An instruction whose memory operand is still symbolic, and what it does in words (for the listing). */
  private record Pending(Insn insn, Ref ref, String comment) {}

  private String note = "";

  /** The comment of the next instructions in the listing (the layer and what they move or compute). */
  public void note(String text) {
    note = text;
  }

  private final TargetDescription target;
  private final Isa isa;
  private final List<Pending> insns = new ArrayList<>();
  private final ByteArrayOutputStream uops = new ByteArrayOutputStream();
  private final ByteArrayOutputStream weights = new ByteArrayOutputStream();
  private final ByteArrayOutputStream constants = new ByteArrayOutputStream();
  private long arenaBytes;

  private boolean anyTile;
  /** Whether the current layer's loads wait for a token from its first compute instruction. */
  private boolean boundary;
  private boolean layerStarted;
  private int slots = 1;
  /** The indices of the current layer's GEMMs, one per load phase. */
  private final List<Integer> layerGemms = new ArrayList<>();
  private boolean tileStart;
  private int tileFirstCompute = -1;
  private int lastCompute = -1;
  /** The current layer's micro-ops, each distinct list once, contiguous. */
  private final List<Insn.Uop> layerUops = new ArrayList<>();
  private final java.util.Map<List<Insn.Uop>, Integer> uopStarts = new java.util.HashMap<>();
  private int uopLoad = -1;

  public ProgramBuilder(TargetDescription target) {
    this.target = target;
    this.isa = new Isa(target);
  }

  public TargetDescription target() {
    return target;
  }

  /** The alignment of every section: a multiple of every element size. */
  public int alignment() {
    int a = Isa.INSN_BYTES;
    for (MemType t : MemType.values()) {
      a = lcm(a, target.elementBytes(t));
    }
    return a;
  }

  /** Appends micro-ops; returns their DRAM address. */
  private Ref addUops(List<Insn.Uop> list) {
    align(uops, target.elementBytes(MemType.UOP));
    Ref r = new Ref(Section.UOPS, uops.size());
    for (Insn.Uop u : list) {
      int bits = isa.encodeUop(u);
      for (int i = 0; i < 4; i++) {
        uops.write(bits >>> (8 * i));
      }
    }
    return r;
  }

  /** Appends weight tiles (already laid out, a multiple of the weight element); returns their address. */
  public Ref addWeights(byte[] tiles) {
    align(weights, target.elementBytes(MemType.WGT));
    Ref r = new Ref(Section.WEIGHTS, weights.size());
    weights.writeBytes(tiles);
    return r;
  }

  /** Appends int32 accumulator constants (little-endian); returns their address. */
  public Ref addConstants(int[] values) {
    align(constants, target.elementBytes(MemType.ACC));
    Ref r = new Ref(Section.CONSTANTS, constants.size());
    for (int v : values) {
      for (int i = 0; i < 4; i++) {
        constants.write(v >>> (8 * i));
      }
    }
    return r;
  }

  /** Sets the size of the activation arena (addresses in it are planned by the caller). */
  public void arena(long bytes) {
    arenaBytes = bytes;
  }

  /**
   * Marks that the next tile starts a new layer, whose load phases rotate through {@code slots} halves
   * of the input and weight buffers (1: single-buffered; 2: the loads of a phase overlap the previous
   * phase's GEMM); {@code loads} when it has load phases (a layer that reads DRAM only from the compute
   * queue, with LOAD ACC_8BIT, needs no boundary token: its first instruction waits for the stores).
   */
  public void startLayer(int slots, boolean loads) {
    boundary = anyTile && loads;
    layerStarted = false;
    layerGemms.clear();
    this.slots = slots;
  }

  /**
   * The start index of a list of micro-ops in the layer's table (a list already there is reused); the
   * first call of a layer adds the LOAD UOP that loads the table.
   */
  public int uops(List<Insn.Uop> list) {
    if (uopLoad < 0) {
      uopLoad = insns.size();
      compute(new Insn.Load(Insn.Deps.NONE, MemType.UOP, 0, 0, 1, 0, 0, 0, 0, 0, 0), null);
    }
    return uopStarts.computeIfAbsent(List.copyOf(list), l -> {
      int at = layerUops.size();
      layerUops.addAll(l);
      return at;
    });
  }

  /** Ends a layer: its micro-op table goes to DRAM and its LOAD UOP gets the table's place and size. */
  public void endLayer() throws Layer.Unsupported {
    if (uopLoad < 0) {
      return;
    }
    int n = layerUops.size();
    if (n > target.uopDepth()) {
      throw new Layer.Unsupported("a layer needs " + n + " micro-ops, more than the uop buffer's "
          + target.uopDepth());
    }
    Pending p = insns.get(uopLoad);
    insns.set(uopLoad, new Pending(new Insn.Load(p.insn().deps(), MemType.UOP, 0, 0, 1, n, n, 0, 0, 0, 0),
        addUops(layerUops), p.comment()));
    layerUops.clear();
    uopStarts.clear();
    uopLoad = -1;
  }

  /** The half of the input and weight buffers the next load phase of the layer uses. */
  public int nextSlot() {
    return layerGemms.size() % slots;
  }

  /** Marks that the next compute instruction is the first of a tile. */
  public void startTile() {
    tileStart = true;
  }

  /** A compute-queue instruction (LOAD UOP/ACC, GEMM reset, ALU) that is not a GEMM of a load phase. */
  public void compute(Insn insn, Ref ref) {
    if (tileStart) {
      Insn.Deps d = insn.deps();
      if (anyTile) {
        d = d.withPopNext();
      }
      if (boundary && !layerStarted) {
        d = d.withPushPrev();
      }
      insn = insn.withDeps(d);
      tileFirstCompute = insns.size();
      tileStart = false;
      anyTile = true;
      layerStarted = true;
    }
    lastCompute = insns.size();
    insns.add(new Pending(insn, ref, note));
  }

  public void compute(Insn insn) {
    compute(insn, null);
  }

  /**
   * The loads of one phase (inputs and weights), then its GEMM. The GEMM {@code slots} phases earlier
   * in the layer read the buffers these loads overwrite: it now pushes a token, which they pop.
   */
  public void loadPhase(List<Insn> loads, List<Ref> refs, List<String> notes, Insn.Gemm gemm) {
    int phase = layerGemms.size();
    if (phase >= slots) {
      int earlier = layerGemms.get(phase - slots);
      Pending p = insns.get(earlier);
      insns.set(earlier, new Pending(p.insn().withDeps(p.insn().deps().withPushPrev()), p.ref(), p.comment()));
    }
    for (int i = 0; i < loads.size(); i++) {
      Insn l = loads.get(i);
      Insn.Deps d = l.deps();
      if (i == 0 && (phase == 0 ? boundary : phase >= slots)) {
        d = d.withPopNext();
      }
      if (i == loads.size() - 1) {
        d = d.withPushNext();
      }
      insns.add(new Pending(l.withDeps(d), refs.get(i), notes.get(i)));
    }
    layerGemms.add(insns.size());
    compute(gemm.withDeps(gemm.deps().withPopPrev()));
  }

  /** Ends a tile's computation (its last compute instruction pushes to the store queue) and adds its stores. */
  public void stores(List<Insn.Store> stores, List<Ref> refs, List<String> notes) {
    if (tileStart || lastCompute < tileFirstCompute) {
      throw new IllegalStateException("a tile must compute before it stores");
    }
    Pending p = insns.get(lastCompute);
    insns.set(lastCompute, new Pending(p.insn().withDeps(p.insn().deps().withPushNext()), p.ref(), p.comment()));
    for (int i = 0; i < stores.size(); i++) {
      Insn.Deps d = stores.get(i).deps();
      if (i == 0) {
        d = d.withPopPrev();
      }
      if (i == stores.size() - 1) {
        d = d.withPushPrev();
      }
      insns.add(new Pending(stores.get(i).withDeps(d), refs.get(i), notes.get(i)));
    }
  }

  /** A finished program: its DRAM image and where each section starts. */
  public record Built(byte[] image, long uops, long weights, long constants, long arena, long insns, int insnCount,
      List<Insn> instructions, List<String> comments) {}

  /** Places the sections (uops, weights, constants, arena, instructions), resolves addresses, adds FINISH. */
  public Built build() {
    int a = alignment();
    long uopAt = 0;
    long wgtAt = roundUp(uopAt + uops.size(), a);
    long constAt = roundUp(wgtAt + weights.size(), a);
    long arenaAt = roundUp(constAt + constants.size(), a);
    long insnAt = roundUp(arenaAt + arenaBytes, a);
    List<Insn> done = new ArrayList<>();
    for (Pending p : insns) {
      done.add(resolve(p, new long[] {uopAt, wgtAt, constAt, arenaAt, insnAt}));
    }
    done.add(new Insn.Finish(anyTile ? Insn.Deps.NONE.withPopNext() : Insn.Deps.NONE));
    List<String> comments = new ArrayList<>(insns.stream().map(Pending::comment).toList());
    comments.add("end of the program");
    long end = insnAt + (long) done.size() * Isa.INSN_BYTES;
    if (end > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("the program's DRAM image exceeds 2 GB");
    }
    byte[] image = new byte[(int) end];
    System.arraycopy(uops.toByteArray(), 0, image, (int) uopAt, uops.size());
    System.arraycopy(weights.toByteArray(), 0, image, (int) wgtAt, weights.size());
    System.arraycopy(constants.toByteArray(), 0, image, (int) constAt, constants.size());
    for (int i = 0; i < done.size(); i++) {
      System.arraycopy(isa.encode(done.get(i)), 0, image, (int) insnAt + i * Isa.INSN_BYTES, Isa.INSN_BYTES);
    }
    return new Built(image, uopAt, wgtAt, constAt, arenaAt, insnAt, done.size(), done, comments);
  }

  private Insn resolve(Pending p, long[] bases) {
    if (p.ref() == null) {
      return p.insn();
    }
    long bytes = bases[p.ref().section().ordinal()] + p.ref().offset();
    return switch (p.insn()) {
      case Insn.Load l -> {
        long e = element(bytes, l.type());
        yield new Insn.Load(l.deps(), l.type(), l.sramBase(), e, l.ySize(), l.xSize(), l.xStride(), l.yPad0(),
            l.yPad1(), l.xPad0(), l.xPad1());
      }
      case Insn.Store s -> new Insn.Store(s.deps(), s.type(), s.sramBase(), element(bytes, s.type()), s.ySize(),
          s.xSize(), s.xStride(), s.yPad0(), s.yPad1(), s.xPad0(), s.xPad1());
      default -> throw new IllegalStateException("only LOAD and STORE address DRAM");
    };
  }

  private long element(long bytes, MemType t) {
    int size = target.elementBytes(t);
    if (bytes % size != 0) {
      throw new IllegalStateException("DRAM address " + bytes + " is not aligned to a " + t + " element");
    }
    return bytes / size;
  }

  private static void align(ByteArrayOutputStream s, int to) {
    while (s.size() % to != 0) {
      s.write(0);
    }
  }

  private static long roundUp(long n, int a) {
    return (n + a - 1) / a * a;
  }

  private static int lcm(int a, int b) {
    return a / gcd(a, b) * b;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
