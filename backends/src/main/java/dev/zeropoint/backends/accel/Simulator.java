package dev.zeropoint.backends.accel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

/**
 * A functional simulator of an accelerator of the VTA family with the semantics of VTA's C++ functional
 * simulator (fsim, {@code sim_driver.cc} and {@code sim_tlpp.cc}), generalized to any {@link TargetDescription}.
 * It keeps the on-chip buffers (uop, inp, wgt, acc; like fsim there is no separate output buffer, STORE reads the
 * accumulators) across {@link #run} calls, as the hardware does; they start as seeded garbage ({@link #scramble}).
 *
 * <p><b>Scheduling</b> follows {@code sim_tlpp.cc}: every instruction goes to its queue ({@link Insn#queue()}); a
 * queue runs its front instruction while the tokens it pops are available (both pops are checked, then taken, then
 * the instruction runs, then its pushes are made, each push recording an event for the queue that receives the
 * token). A run starts each queue once in the given start order, then handles the events first in, first out, each
 * running the queue it names. Where fsim hangs or computes garbage silently the simulator throws a
 * {@link SimulationException}: a deadlock (queues left that wait for tokens nobody will push; the message names each
 * blocked instruction and the token it waits for), a program without FINISH, a FINISH that runs while instructions
 * are left (on hardware FINISH tells the host the program is done), tokens left in a FIFO at the end, a load-queue
 * instruction with a {@code *_prev} flag or a store instruction with a {@code *_next} flag, and every access outside
 * a buffer, outside DRAM or outside the target's ALU.
 *
 * <p><b>Cycle estimate.</b> Each queue has its own clock, starting at 0. An instruction starts at the latest of its
 * queue's clock and the times at which the tokens it pops were pushed, and ends after its cost; its queue's clock
 * becomes that end, and the tokens it pushes carry that end time (the token FIFOs hold timestamps). Costs: LOAD and
 * STORE {@code 20 + ceil(bytes / 8)} cycles for the DRAM bytes moved (a 64-bit memory bus, padding and
 * {@code x_size == 0} free of traffic); GEMM {@code 4 + iter_out * iter_in * (uop_end - uop_bgn)} (one tile product
 * per cycle, reset or not); ALU {@code 4 +} the same count (one vector operation per cycle); FINISH 1. The estimate
 * of a run is the latest end time. It depends only on the program, not on the start order.
 *
 * <p><b>Where it is stricter than fsim.</b> A micro-op range is checked even when a loop count is 0; a STORE's
 * memory type and padding are checked even when {@code x_size == 0}; an ALU with {@code use_imm} still needs its
 * source indices inside the accumulator buffer (fsim addresses the source entry and CHECKs it); SHR amounts and the
 * ALU operation are checked against the target, not just fsim's -31..31. Like fsim, ALU ignores {@code reset}, and
 * on-chip state and DRAM are never touched by a LOAD with {@code x_size == 0}. Byte counts are DRAM bytes: a LOAD
 * ACC_8BIT counts one byte per lane (fsim's {@code acc_load_nbytes} counts four).
 *
 * <p>After a {@link SimulationException} DRAM and the on-chip state may be partly updated.
 */
public final class Simulator {
  /** fsim's thread order when its random start core is the load core. */
  private static final List<Insn.Queue> DEFAULT_ORDER = List.of(Insn.Queue.LOAD, Insn.Queue.COMPUTE,
      Insn.Queue.STORE);
  private static final long INITIAL_SEED = 0x5A5A_2024_0F51_17L;
  private static final int MEM_LATENCY = 20;
  private static final int BUS_BYTES = 8;
  private static final int PIPELINE_LATENCY = 4;

  private final TargetDescription target;
  private final Isa isa;
  private final int inpLanes;
  private final int wgtLanes;
  private final int accLanes;
  private State state;

  /** A simulator of {@code target} whose buffers hold garbage from a fixed seed. */
  public Simulator(TargetDescription target) {
    this.target = target;
    this.isa = new Isa(target);
    this.inpLanes = target.batch() * target.blockIn();
    this.wgtLanes = target.blockOut() * target.blockIn();
    this.accLanes = target.batch() * target.blockOut();
    this.state = new State(target, inpLanes, wgtLanes, accLanes);
    scramble(INITIAL_SEED);
  }

  /** The target this simulator models. */
  public TargetDescription target() {
    return target;
  }

  /** Fills the on-chip buffers with seeded pseudo-random garbage (buffers start uninitialised on hardware). */
  public void scramble(long seed) {
    Random r = new Random(seed);
    for (int e = 0; e < state.uop.length; e++) {
      setUop(state, e, r.nextInt());
    }
    r.nextBytes(state.inp);
    r.nextBytes(state.wgt);
    for (int i = 0; i < state.acc.length; i++) {
      state.acc[i] = r.nextInt();
    }
  }

  /**
   * Runs {@code insnCount} instructions stored in {@code dram} at byte offset {@code insnOffset} (16 bytes each,
   * {@link Isa} encoding), starting the queues in the order LOAD, COMPUTE, STORE.
   */
  public SimStats run(byte[] dram, int insnOffset, int insnCount) {
    return run(dram, insnOffset, insnCount, DEFAULT_ORDER);
  }

  /**
   * Runs {@code insnCount} instructions stored in {@code dram} at byte offset {@code insnOffset} (16 bytes each,
   * {@link Isa} encoding). The {@code dram_base} of every LOAD/STORE counts elements of its memory type from
   * {@code dram[0]} (element size {@link TargetDescription#elementBytes}). {@code startOrder} (the three queues, each
   * once) is the order in which the queues get their first turn.
   *
   * @throws SimulationException if the program goes outside a buffer or DRAM, uses an operation the target lacks,
   *     deadlocks, leaves tokens, or does not end with FINISH
   */
  public SimStats run(byte[] dram, int insnOffset, int insnCount, List<Insn.Queue> startOrder) {
    return run(dram, 0, insnOffset, insnCount, startOrder);
  }

  /**
   * Runs a program whose image lies at physical address {@code origin}, as a driver hands it to the
   * hardware once its {@code dram_base} fields are relocated (docs/vta-program.md): {@code dram[0]} is the byte at
   * {@code origin}, so a {@code dram_base} of element {@code e} of a memory type of {@code b}-byte elements addresses
   * {@code dram[e * b - origin]}, and an address below {@code origin} is outside DRAM. {@code insnOffset} is still a
   * byte offset in {@code dram}. With origin 0 this is {@link #run(byte[], int, int)}.
   */
  public SimStats run(byte[] dram, long origin, int insnOffset, int insnCount) {
    return run(dram, origin, insnOffset, insnCount, DEFAULT_ORDER);
  }

  private SimStats run(byte[] dram, long origin, int insnOffset, int insnCount, List<Insn.Queue> startOrder) {
    if (startOrder.size() != 3 || !EnumSet.copyOf(startOrder).equals(EnumSet.allOf(Insn.Queue.class))) {
      throw new IllegalArgumentException("the start order must name each queue once, got " + startOrder);
    }
    if (origin < 0) {
      throw new IllegalArgumentException("origin " + origin);
    }
    Insn[] insns = decode(dram, insnOffset, insnCount);
    return new Execution(dram, origin, insns).run(startOrder);
  }

  /**
   * Runs the program once per start order (all 6 permutations of the three queues, LOAD, COMPUTE, STORE first), each
   * on a copy of {@code dram} and a copy of the on-chip state as it was before. Leaves {@code dram} and the state as
   * after the first order and returns its statistics.
   *
   * @throws SimulationException if any order fails, or two orders give different DRAM bytes, statistics or on-chip
   *     state (the result depends on a race between the queues: a token is missing)
   */
  public SimStats runEveryStartOrder(byte[] dram, int insnOffset, int insnCount) {
    State before = state.copy();
    byte[] original = dram.clone();
    List<List<Insn.Queue>> orders = permutations();
    SimStats first = runNamed(dram, insnOffset, insnCount, orders.get(0));
    State firstState = state;
    try {
      for (List<Insn.Queue> order : orders.subList(1, orders.size())) {
        state = before.copy();
        byte[] copy = original.clone();
        SimStats stats = runNamed(copy, insnOffset, insnCount, order);
        String where = "start orders " + orders.get(0) + " and " + order + " give ";
        if (!stats.equals(first)) {
          throw new SimulationException(where + "different statistics: " + first + " vs " + stats);
        }
        int diff = Arrays.mismatch(dram, copy);
        if (diff >= 0) {
          throw new SimulationException(where + "different DRAM contents (a missing dependency token?): first at byte "
              + diff + ", " + dram[diff] + " vs " + copy[diff]);
        }
        String stateDiff = firstState.difference(state, this);
        if (stateDiff != null) {
          throw new SimulationException(where + "different on-chip state (a missing dependency token?): " + stateDiff);
        }
      }
    } finally {
      state = firstState;
    }
    return first;
  }

  /** The lanes of one accumulator entry (for tests). */
  int[] accEntry(int entry) {
    return Arrays.copyOfRange(state.acc, entry * accLanes, (entry + 1) * accLanes);
  }

  private SimStats runNamed(byte[] dram, int insnOffset, int insnCount, List<Insn.Queue> order) {
    try {
      return run(dram, insnOffset, insnCount, order);
    } catch (SimulationException e) {
      throw new SimulationException("start order " + order + ": " + e.getMessage(), e);
    }
  }

  private static List<List<Insn.Queue>> permutations() {
    List<List<Insn.Queue>> out = new ArrayList<>();
    Insn.Queue[] q = Insn.Queue.values();
    int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int[] p : perms) {
      out.add(List.of(q[p[0]], q[p[1]], q[p[2]]));
    }
    return out;
  }

  private Insn[] decode(byte[] dram, int insnOffset, int insnCount) {
    if (insnOffset < 0 || insnCount < 0 || (long) insnOffset + (long) insnCount * Isa.INSN_BYTES > dram.length) {
      throw new SimulationException(insnCount + " instructions at byte " + insnOffset + " lie outside the "
          + dram.length + " bytes of DRAM");
    }
    Insn[] insns = new Insn[insnCount];
    for (int i = 0; i < insnCount; i++) {
      Insn insn;
      try {
        insn = isa.decode(dram, insnOffset + i * Isa.INSN_BYTES);
      } catch (IllegalArgumentException e) {
        throw new SimulationException("instruction " + i + ": cannot decode: " + e.getMessage(), e);
      }
      Insn.Deps d = insn.deps();
      if (insn.queue() == Insn.Queue.LOAD && (d.popPrev() || d.pushPrev())) {
        throw new SimulationException("instruction " + i + " (" + describe(insn) + "): the load queue has no previous "
            + "queue, but pop_prev or push_prev is set");
      }
      if (insn.queue() == Insn.Queue.STORE && (d.popNext() || d.pushNext())) {
        throw new SimulationException("instruction " + i + " (" + describe(insn) + "): the store queue has no next "
            + "queue, but pop_next or push_next is set");
      }
      insns[i] = insn;
    }
    return insns;
  }

  private static String describe(Insn insn) {
    return switch (insn) {
      case Insn.Load l -> "LOAD " + l.type();
      case Insn.Store s -> "STORE " + s.type();
      case Insn.Gemm g -> g.reset() ? "GEMM reset" : "GEMM";
      case Insn.Alu a -> "ALU " + a.op() + (a.useImm() ? " imm" : "");
      case Insn.Finish f -> "FINISH";
    };
  }

  private void setUop(State s, int entry, int bits) {
    Insn.Uop u = isa.decodeUop(bits);
    s.uop[entry] = bits;
    s.uopDst[entry] = u.dst();
    s.uopSrc[entry] = u.src();
    s.uopWgt[entry] = u.wgt();
  }

  /** The on-chip buffers. */
  private static final class State {
    final int[] uop;
    final int[] uopDst;
    final int[] uopSrc;
    final int[] uopWgt;
    final byte[] inp;
    final byte[] wgt;
    final int[] acc;

    State(TargetDescription t, int inpLanes, int wgtLanes, int accLanes) {
      this(new int[t.uopDepth()], new int[t.uopDepth()], new int[t.uopDepth()], new int[t.uopDepth()],
          new byte[t.inpDepth() * inpLanes], new byte[t.wgtDepth() * wgtLanes], new int[t.accDepth() * accLanes]);
    }

    private State(int[] uop, int[] uopDst, int[] uopSrc, int[] uopWgt, byte[] inp, byte[] wgt, int[] acc) {
      this.uop = uop;
      this.uopDst = uopDst;
      this.uopSrc = uopSrc;
      this.uopWgt = uopWgt;
      this.inp = inp;
      this.wgt = wgt;
      this.acc = acc;
    }

    State copy() {
      return new State(uop.clone(), uopDst.clone(), uopSrc.clone(), uopWgt.clone(), inp.clone(), wgt.clone(),
          acc.clone());
    }

    /** Where {@code o} differs from this state, or null. */
    String difference(State o, Simulator sim) {
      int i = Arrays.mismatch(uop, o.uop);
      if (i >= 0) {
        return "uop entry " + i;
      }
      i = Arrays.mismatch(inp, o.inp);
      if (i >= 0) {
        return "inp entry " + i / sim.inpLanes + " lane " + i % sim.inpLanes + ", " + inp[i] + " vs " + o.inp[i];
      }
      i = Arrays.mismatch(wgt, o.wgt);
      if (i >= 0) {
        return "wgt entry " + i / sim.wgtLanes + " lane " + i % sim.wgtLanes + ", " + wgt[i] + " vs " + o.wgt[i];
      }
      i = Arrays.mismatch(acc, o.acc);
      if (i >= 0) {
        return "acc entry " + i / sim.accLanes + " lane " + i % sim.accLanes + ", " + acc[i] + " vs " + o.acc[i];
      }
      return null;
    }
  }

  /** The four token FIFOs, named by the queue that pushes and the queue that pops. */
  private enum Fifo {
    LOAD_TO_COMPUTE("LOAD->COMPUTE"),
    COMPUTE_TO_LOAD("COMPUTE->LOAD"),
    COMPUTE_TO_STORE("COMPUTE->STORE"),
    STORE_TO_COMPUTE("STORE->COMPUTE");

    final String label;

    Fifo(String label) {
      this.label = label;
    }
  }

  /** The FIFO a queue pops with pop_prev (null: none). */
  private static Fifo popPrevFifo(Insn.Queue q) {
    return switch (q) {
      case LOAD -> null;
      case COMPUTE -> Fifo.LOAD_TO_COMPUTE;
      case STORE -> Fifo.COMPUTE_TO_STORE;
    };
  }

  private static Fifo popNextFifo(Insn.Queue q) {
    return switch (q) {
      case LOAD -> Fifo.COMPUTE_TO_LOAD;
      case COMPUTE -> Fifo.STORE_TO_COMPUTE;
      case STORE -> null;
    };
  }

  private static Fifo pushPrevFifo(Insn.Queue q) {
    return switch (q) {
      case LOAD -> null;
      case COMPUTE -> Fifo.COMPUTE_TO_LOAD;
      case STORE -> Fifo.STORE_TO_COMPUTE;
    };
  }

  private static Fifo pushNextFifo(Insn.Queue q) {
    return switch (q) {
      case LOAD -> Fifo.LOAD_TO_COMPUTE;
      case COMPUTE -> Fifo.COMPUTE_TO_STORE;
      case STORE -> null;
    };
  }

  private static Insn.Queue receiver(Fifo f) {
    return switch (f) {
      case LOAD_TO_COMPUTE, STORE_TO_COMPUTE -> Insn.Queue.COMPUTE;
      case COMPUTE_TO_LOAD -> Insn.Queue.LOAD;
      case COMPUTE_TO_STORE -> Insn.Queue.STORE;
    };
  }

  private static Insn.Queue sender(Fifo f) {
    return switch (f) {
      case COMPUTE_TO_LOAD, COMPUTE_TO_STORE -> Insn.Queue.COMPUTE;
      case LOAD_TO_COMPUTE -> Insn.Queue.LOAD;
      case STORE_TO_COMPUTE -> Insn.Queue.STORE;
    };
  }

  /** One run of one program. */
  private final class Execution {
    private final byte[] dram;
    /** The physical address of {@code dram[0]}. */
    private final long origin;
    private final Insn[] insns;
    private final State s = state;
    /** Instruction indices waiting in each queue, by {@link Insn.Queue} ordinal. */
    private final List<ArrayDeque<Integer>> queues = List.of(new ArrayDeque<>(), new ArrayDeque<>(),
        new ArrayDeque<>());
    /** The push times of the tokens in each FIFO, by {@link Fifo} ordinal. */
    private final List<ArrayDeque<Long>> fifos = List.of(new ArrayDeque<>(), new ArrayDeque<>(), new ArrayDeque<>(),
        new ArrayDeque<>());
    private final long[] clocks = new long[3];
    private final ArrayDeque<Insn.Queue> events = new ArrayDeque<>();
    private int finishedAt = -1;
    private long loadInsns;
    private long gemmInsns;
    private long aluInsns;
    private long storeInsns;
    private long finishInsns;
    private long uopBytes;
    private long inpBytes;
    private long wgtBytes;
    private long accBytes;
    private long outBytes;
    private long gemmOps;
    private long aluOps;
    private long cycles;

    Execution(byte[] dram, long origin, Insn[] insns) {
      this.dram = dram;
      this.origin = origin;
      this.insns = insns;
      for (int i = 0; i < insns.length; i++) {
        queues.get(insns[i].queue().ordinal()).addLast(i);
      }
    }

    SimStats run(List<Insn.Queue> startOrder) {
      // fsim repeats this round until done; a second round could not run anything the first left blocked (every
      // queue runs until it blocks, and every token pushed to it brings another turn), so one round decides.
      for (Insn.Queue q : startOrder) {
        coreRun(q);
      }
      while (!events.isEmpty()) {
        coreRun(events.removeFirst());
      }
      if (!allQueuesEmpty()) {
        throw new SimulationException(deadlockMessage());
      }
      if (finishedAt < 0) {
        throw new SimulationException("the program ran out of instructions without a FINISH");
      }
      StringBuilder left = new StringBuilder();
      for (Fifo f : Fifo.values()) {
        if (!fifos.get(f.ordinal()).isEmpty()) {
          left.append(left.isEmpty() ? "" : ", ").append(fifos.get(f.ordinal()).size()).append(" token(s) in the ")
              .append(f.label).append(" FIFO");
        }
      }
      if (!left.isEmpty()) {
        throw new SimulationException("unbalanced dependency tokens: the program finished with " + left
            + " (pushed but never popped)");
      }
      return new SimStats(loadInsns, gemmInsns, aluInsns, storeInsns, finishInsns, uopBytes, inpBytes, wgtBytes,
          accBytes, outBytes, gemmOps, aluOps, cycles);
    }

    private boolean allQueuesEmpty() {
      for (ArrayDeque<Integer> q : queues) {
        if (!q.isEmpty()) {
          return false;
        }
      }
      return true;
    }

    private String deadlockMessage() {
      StringBuilder sb = new StringBuilder("deadlock: no queue can proceed;");
      for (Insn.Queue q : Insn.Queue.values()) {
        ArrayDeque<Integer> queue = queues.get(q.ordinal());
        if (queue.isEmpty()) {
          continue;
        }
        int i = queue.peekFirst();
        Insn insn = insns[i];
        sb.append(' ').append(q).append(" queue (").append(queue.size()).append(" instruction(s) left) waits at ")
            .append("instruction ").append(i).append(" (").append(describe(insn)).append(") for");
        String sep = " ";
        if (insn.deps().popPrev() && fifos.get(popPrevFifo(q).ordinal()).isEmpty()) {
          Fifo f = popPrevFifo(q);
          sb.append(sep).append("a token from ").append(sender(f)).append(" (pop_prev, ").append(f.label)
              .append(" FIFO empty)");
          sep = " and ";
        }
        if (insn.deps().popNext() && fifos.get(popNextFifo(q).ordinal()).isEmpty()) {
          Fifo f = popNextFifo(q);
          sb.append(sep).append("a token from ").append(sender(f)).append(" (pop_next, ").append(f.label)
              .append(" FIFO empty)");
        }
        sb.append(';');
      }
      if (finishedAt < 0) {
        sb.append(" FINISH was not reached");
      }
      return sb.toString();
    }

    /** Runs queue {@code q} while its front instruction's pops can be satisfied. */
    private void coreRun(Insn.Queue q) {
      ArrayDeque<Integer> queue = queues.get(q.ordinal());
      while (!queue.isEmpty()) {
        int i = queue.peekFirst();
        Insn insn = insns[i];
        Insn.Deps d = insn.deps();
        ArrayDeque<Long> popPrev = d.popPrev() ? fifos.get(popPrevFifo(q).ordinal()) : null;
        ArrayDeque<Long> popNext = d.popNext() ? fifos.get(popNextFifo(q).ordinal()) : null;
        if ((popPrev != null && popPrev.isEmpty()) || (popNext != null && popNext.isEmpty())) {
          return;
        }
        long start = clocks[q.ordinal()];
        if (popPrev != null) {
          start = Math.max(start, popPrev.removeFirst());
        }
        if (popNext != null) {
          start = Math.max(start, popNext.removeFirst());
        }
        queue.removeFirst();
        long end = start + execute(i, insn);
        clocks[q.ordinal()] = end;
        cycles = Math.max(cycles, end);
        if (d.pushPrev()) {
          push(pushPrevFifo(q), end);
        }
        if (d.pushNext()) {
          push(pushNextFifo(q), end);
        }
        if (insn instanceof Insn.Finish) {
          finishedAt = i;
          if (!allQueuesEmpty()) {
            throw new SimulationException("instruction " + i + " (FINISH) ran with instructions left: " + leftOver()
                + "; FINISH must be the last instruction to run (wait for the other queues' tokens first)");
          }
        }
      }
    }

    private String leftOver() {
      StringBuilder sb = new StringBuilder();
      for (Insn.Queue q : Insn.Queue.values()) {
        ArrayDeque<Integer> queue = queues.get(q.ordinal());
        if (!queue.isEmpty()) {
          int i = queue.peekFirst();
          sb.append(sb.isEmpty() ? "" : ", ").append(q).append(" queue from instruction ").append(i).append(" (")
              .append(describe(insns[i])).append(", ").append(queue.size()).append(" left)");
        }
      }
      return sb.toString();
    }

    private void push(Fifo f, long time) {
      fifos.get(f.ordinal()).addLast(time);
      events.addLast(receiver(f));
    }

    /** Executes instruction {@code i} and returns its cost in cycles. */
    private long execute(int i, Insn insn) {
      return switch (insn) {
        case Insn.Load l -> load(i, l);
        case Insn.Store st -> store(i, st);
        case Insn.Gemm g -> gemm(i, g);
        case Insn.Alu a -> alu(i, a);
        case Insn.Finish f -> {
          finishInsns++;
          yield 1;
        }
      };
    }

    private SimulationException fail(int i, Insn insn, String problem) {
      return new SimulationException("instruction " + i + " (" + describe(insn) + "): " + problem);
    }

    private long memCost(long bytes) {
      return MEM_LATENCY + (bytes + BUS_BYTES - 1) / BUS_BYTES;
    }

    /** Checks that rows {@code [0, ySize)} of {@code xSize} elements, {@code xStride} apart, lie in DRAM. */
    private void checkDram(int i, Insn insn, long dramBase, int ySize, int xSize, int xStride, int elemBytes) {
      if (ySize == 0 || xSize == 0) {
        return;
      }
      long endElem = dramBase + (long) (ySize - 1) * xStride + xSize;
      if (dramBase * elemBytes < origin || endElem * elemBytes - origin > dram.length) {
        throw fail(i, insn, "DRAM bytes [" + dramBase * elemBytes + ", " + endElem * elemBytes + ") (dram_base "
            + dramBase + ", " + ySize + " rows of " + xSize + " elements of " + elemBytes + " bytes, stride " + xStride
            + ") lie outside the " + dram.length + " bytes of DRAM"
            + (origin == 0 ? "" : " at address " + origin + " (0x" + Long.toHexString(origin) + ")"));
      }
    }

    private long load(int i, Insn.Load l) {
      loadInsns++;
      MemType type = l.type();
      if (type == MemType.OUT) {
        throw fail(i, l, "LOAD cannot load memory type OUT");
      }
      if (l.xSize() == 0) {
        return memCost(0);
      }
      int eb = target.elementBytes(type);
      int depth = target.depth(type);
      long xTotal = (long) l.xPad0() + l.xSize() + l.xPad1();
      long yTotal = (long) l.yPad0() + l.ySize() + l.yPad1();
      long sramEnd = l.sramBase() + xTotal * yTotal;
      if (sramEnd > depth) {
        throw fail(i, l, "buffer entries [" + l.sramBase() + ", " + sramEnd + ") exceed the " + type + " buffer depth "
            + depth);
      }
      checkDram(i, l, l.dramBase(), l.ySize(), l.xSize(), l.xStride(), eb);
      int e = l.sramBase();
      zero(type, e, (int) (xTotal * l.yPad0()));
      e += (int) (xTotal * l.yPad0());
      for (int y = 0; y < l.ySize(); y++) {
        zero(type, e, l.xPad0());
        e += l.xPad0();
        copyIn(type, e, (int) ((l.dramBase() + (long) y * l.xStride()) * eb - origin), l.xSize());
        e += l.xSize();
        zero(type, e, l.xPad1());
        e += l.xPad1();
      }
      zero(type, e, (int) (xTotal * l.yPad1()));
      long bytes = (long) l.xSize() * l.ySize() * eb;
      switch (type) {
        case UOP -> uopBytes += bytes;
        case INP -> inpBytes += bytes;
        case WGT -> wgtBytes += bytes;
        case ACC, ACC_8BIT -> accBytes += bytes;
        case OUT -> throw new AssertionError();
      }
      return memCost(bytes);
    }

    /** Zeroes {@code n} entries of the buffer of {@code type} from entry {@code e}. */
    private void zero(MemType type, int e, int n) {
      switch (type) {
        case UOP -> {
          for (int k = e; k < e + n; k++) {
            setUop(s, k, 0);
          }
        }
        case INP -> Arrays.fill(s.inp, e * inpLanes, (e + n) * inpLanes, (byte) 0);
        case WGT -> Arrays.fill(s.wgt, e * wgtLanes, (e + n) * wgtLanes, (byte) 0);
        case ACC, ACC_8BIT -> Arrays.fill(s.acc, e * accLanes, (e + n) * accLanes, 0);
        case OUT -> throw new AssertionError();
      }
    }

    /** Copies {@code n} DRAM elements from byte {@code p} into entries from {@code e}. */
    private void copyIn(MemType type, int e, int p, int n) {
      switch (type) {
        case UOP -> {
          for (int k = 0; k < n; k++) {
            setUop(s, e + k, littleEndianInt(p + 4 * k));
          }
        }
        case INP -> System.arraycopy(dram, p, s.inp, e * inpLanes, n * inpLanes);
        case WGT -> System.arraycopy(dram, p, s.wgt, e * wgtLanes, n * wgtLanes);
        case ACC -> {
          for (int k = 0; k < n * accLanes; k++) {
            s.acc[e * accLanes + k] = littleEndianInt(p + 4 * k);
          }
        }
        case ACC_8BIT -> {
          for (int k = 0; k < n * accLanes; k++) {
            s.acc[e * accLanes + k] = dram[p + k];
          }
        }
        case OUT -> throw new AssertionError();
      }
    }

    private int littleEndianInt(int p) {
      return (dram[p] & 0xFF) | (dram[p + 1] & 0xFF) << 8 | (dram[p + 2] & 0xFF) << 16 | (dram[p + 3] & 0xFF) << 24;
    }

    private long store(int i, Insn.Store st) {
      storeInsns++;
      if (st.type() != MemType.OUT) {
        throw fail(i, st, "STORE supports only memory type OUT");
      }
      if (st.yPad0() != 0 || st.yPad1() != 0 || st.xPad0() != 0 || st.xPad1() != 0) {
        throw fail(i, st, "STORE cannot pad (y_pad " + st.yPad0() + "/" + st.yPad1() + ", x_pad " + st.xPad0() + "/"
            + st.xPad1() + ")");
      }
      if (st.xSize() == 0) {
        return memCost(0);
      }
      int eb = target.elementBytes(MemType.OUT);
      long sramEnd = st.sramBase() + (long) st.ySize() * st.xSize();
      if (sramEnd > target.accDepth()) {
        throw fail(i, st, "accumulator entries [" + st.sramBase() + ", " + sramEnd + ") exceed the acc buffer depth "
            + target.accDepth());
      }
      checkDram(i, st, st.dramBase(), st.ySize(), st.xSize(), st.xStride(), eb);
      for (int y = 0; y < st.ySize(); y++) {
        for (int x = 0; x < st.xSize(); x++) {
          int src = (st.sramBase() + y * st.xSize() + x) * accLanes;
          int dst = (int) ((st.dramBase() + (long) y * st.xStride() + x) * eb - origin);
          for (int k = 0; k < accLanes; k++) {
            dram[dst + k] = (byte) s.acc[src + k];
          }
        }
      }
      long bytes = (long) st.xSize() * st.ySize() * eb;
      outBytes += bytes;
      return memCost(bytes);
    }

    /** Checks the micro-op range and returns the number of (y, x, uop) iterations. */
    private long iterations(int i, Insn insn, int uopBgn, int uopEnd, int iterOut, int iterIn) {
      if (uopEnd < uopBgn) {
        throw fail(i, insn, "uop_end " + uopEnd + " < uop_bgn " + uopBgn);
      }
      if (uopEnd > uopBgn && uopEnd > target.uopDepth()) {
        throw fail(i, insn, "micro-ops [" + uopBgn + ", " + uopEnd + ") exceed the uop buffer depth "
            + target.uopDepth());
      }
      return (long) iterOut * iterIn * (uopEnd - uopBgn);
    }

    /** Checks that every index the loops form from a uop field lies in a buffer. */
    private void checkIndex(int i, Insn insn, String what, int[] field, int uopBgn, int uopEnd, int iterOut,
        int iterIn, int factorOut, int factorIn, int depth) {
      long reach = (long) (iterOut - 1) * factorOut + (long) (iterIn - 1) * factorIn;
      for (int k = uopBgn; k < uopEnd; k++) {
        long max = field[k] + reach;
        if (max >= depth) {
          throw fail(i, insn, what + " index up to " + max + " (uop " + k + ": " + field[k] + " + " + (iterOut - 1)
              + "*" + factorOut + " + " + (iterIn - 1) + "*" + factorIn + ") outside the " + what + " buffer depth "
              + depth);
        }
      }
    }

    private long gemm(int i, Insn.Gemm g) {
      gemmInsns++;
      long count = iterations(i, g, g.uopBgn(), g.uopEnd(), g.iterOut(), g.iterIn());
      if (!g.reset()) {
        gemmOps += count;
      }
      if (count == 0) {
        return PIPELINE_LATENCY;
      }
      checkIndex(i, g, "acc", s.uopDst, g.uopBgn(), g.uopEnd(), g.iterOut(), g.iterIn(), g.dstFactorOut(),
          g.dstFactorIn(), target.accDepth());
      if (!g.reset()) {
        checkIndex(i, g, "inp", s.uopSrc, g.uopBgn(), g.uopEnd(), g.iterOut(), g.iterIn(), g.srcFactorOut(),
            g.srcFactorIn(), target.inpDepth());
        checkIndex(i, g, "wgt", s.uopWgt, g.uopBgn(), g.uopEnd(), g.iterOut(), g.iterIn(), g.wgtFactorOut(),
            g.wgtFactorIn(), target.wgtDepth());
      }
      int batch = target.batch();
      int blockIn = target.blockIn();
      int blockOut = target.blockOut();
      for (int y = 0; y < g.iterOut(); y++) {
        for (int x = 0; x < g.iterIn(); x++) {
          for (int k = g.uopBgn(); k < g.uopEnd(); k++) {
            int a = (s.uopDst[k] + y * g.dstFactorOut() + x * g.dstFactorIn()) * accLanes;
            if (g.reset()) {
              Arrays.fill(s.acc, a, a + accLanes, 0);
              continue;
            }
            int in = (s.uopSrc[k] + y * g.srcFactorOut() + x * g.srcFactorIn()) * inpLanes;
            int w = (s.uopWgt[k] + y * g.wgtFactorOut() + x * g.wgtFactorIn()) * wgtLanes;
            for (int b = 0; b < batch; b++) {
              for (int j = 0; j < blockOut; j++) {
                int sum = s.acc[a + b * blockOut + j];
                for (int kk = 0; kk < blockIn; kk++) {
                  sum += s.inp[in + b * blockIn + kk] * s.wgt[w + j * blockIn + kk];
                }
                s.acc[a + b * blockOut + j] = sum;
              }
            }
          }
        }
      }
      return PIPELINE_LATENCY + count;
    }

    private long alu(int i, Insn.Alu a) {
      aluInsns++;
      AluOp op = a.op();
      if (!target.has(op)) {
        throw fail(i, a, "the target " + target.name() + " has no ALU operation " + op);
      }
      if (op == AluOp.SHR && a.useImm() && !shiftOk(a.imm())) {
        throw fail(i, a, "shift amount " + a.imm() + " outside " + target.name() + "'s range " + target.minShift()
            + ".." + target.maxShift());
      }
      long count = iterations(i, a, a.uopBgn(), a.uopEnd(), a.iterOut(), a.iterIn());
      aluOps += count;
      if (count == 0) {
        return PIPELINE_LATENCY;
      }
      checkIndex(i, a, "acc", s.uopDst, a.uopBgn(), a.uopEnd(), a.iterOut(), a.iterIn(), a.dstFactorOut(),
          a.dstFactorIn(), target.accDepth());
      // fsim addresses the source entry even with use_imm (and CHECKs it), so an immediate ALU needs it in range too
      checkIndex(i, a, "acc", s.uopSrc, a.uopBgn(), a.uopEnd(), a.iterOut(), a.iterIn(), a.srcFactorOut(),
          a.srcFactorIn(), target.accDepth());
      int[] acc = s.acc;
      for (int y = 0; y < a.iterOut(); y++) {
        for (int x = 0; x < a.iterIn(); x++) {
          for (int k = a.uopBgn(); k < a.uopEnd(); k++) {
            int d = (s.uopDst[k] + y * a.dstFactorOut() + x * a.dstFactorIn()) * accLanes;
            int src = (s.uopSrc[k] + y * a.srcFactorOut() + x * a.srcFactorIn()) * accLanes;
            for (int lane = 0; lane < accLanes; lane++) {
              int operand = a.useImm() ? a.imm() : acc[src + lane];
              if (op == AluOp.SHR && !shiftOk(operand)) {
                throw fail(i, a, "shift amount " + operand + " (acc entry " + src / accLanes + " lane " + lane
                    + ", uop " + k + ", y " + y + ", x " + x + ") outside " + target.name() + "'s range "
                    + target.minShift() + ".." + target.maxShift());
              }
              acc[d + lane] = op.apply(acc[d + lane], operand);
            }
          }
        }
      }
      return PIPELINE_LATENCY + count;
    }

    private boolean shiftOk(int amount) {
      return amount >= target.minShift() && amount <= target.maxShift();
    }
  }
}
