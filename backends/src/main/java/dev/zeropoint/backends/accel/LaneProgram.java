package dev.zeropoint.backends.accel;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A straight-line program over int32 lane registers, for an accelerator whose only arithmetic on
 * accumulators is the ALU of the VTA family: every step is {@code dst = op(dst, src)} with {@code src}
 * a register or an immediate, on every lane independently (one lane is one output channel's
 * accumulator, or one element of an elementwise layer).
 *
 * <p>Registers: registers {@code 0..inputs-1} hold the inputs (a requantization has one, the
 * accumulator; an add two), and register 0 holds the result at the end. The next {@code temporaries}
 * registers are scratch; their initial contents are undefined. The {@code constants.size()}
 * registers after them hold constants: constant {@code k}'s lane value for channel {@code c} is
 * {@code constants().get(k).value(c)}; they are read-only.
 *
 * <p>The constructor checks the program's shape, independent of any target: register numbers in
 * range, no step writes a constant register, and no step reads a temporary before a step has written
 * it. Every ALU step reads its destination ({@code dst = op(dst, src)}), so a temporary's first step
 * must be one whose result does not depend on the destination's old value, a <em>reset</em>: {@code
 * MUL} by 0, {@code MIN} with INT_MIN or {@code MAX} with INT_MAX, where the source is an immediate or
 * a constant register with that value in every lane. (The generator copies a register {@code s} into
 * a temporary {@code t} as {@code MUL t, #0; ADD t, s}, or without a multiplier as {@code MIN t,
 * INT_MIN; MAX t, s}.)
 *
 * @param inputs the number of input registers, at least one
 * @param temporaries the number of scratch registers
 * @param constants the constant registers, in register order
 * @param steps the program
 */
public record LaneProgram(int inputs, int temporaries, List<Constant> constants, List<Step> steps) {

  /**
   * A constant register: the same value in every lane ({@code perChannel.length == 1}) or one value
   * per output channel.
   *
   * @param perChannel the lane values, at least one
   * @param what what the value is, for listings
   */
  public record Constant(int[] perChannel, String what) {
    public Constant {
      Objects.requireNonNull(what, "what");
      if (perChannel.length == 0) {
        throw new IllegalArgumentException("constant '" + what + "' has no value");
      }
      perChannel = perChannel.clone();
    }

    /** A copy of the lane values. */
    @Override
    public int[] perChannel() {
      return perChannel.clone();
    }

    /** The lane value for output channel {@code channel}. */
    public int value(int channel) {
      return perChannel.length == 1 ? perChannel[0] : perChannel[channel];
    }

    /** Whether every lane holds {@code v}. */
    public boolean isEverywhere(int v) {
      for (int x : perChannel) {
        if (x != v) {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Constant c && Arrays.equals(perChannel, c.perChannel) && what.equals(c.what);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(perChannel) * 31 + what.hashCode();
    }

    @Override
    public String toString() {
      return (perChannel.length == 1 ? Integer.toString(perChannel[0]) : Arrays.toString(perChannel)) + " (" + what
          + ")";
    }
  }

  /**
   * One ALU step, {@code dst = op(dst, src)}.
   *
   * @param src the source register; ignored when {@code useImm}
   * @param imm the immediate; ignored unless {@code useImm}
   */
  public record Step(AluOp op, int dst, int src, boolean useImm, int imm) {
    public Step {
      Objects.requireNonNull(op, "op");
    }

    /** {@code dst = op(dst, r<src>)}. */
    public static Step reg(AluOp op, int dst, int src) {
      return new Step(op, dst, src, false, 0);
    }

    /** {@code dst = op(dst, #imm)}. */
    public static Step imm(AluOp op, int dst, int imm) {
      return new Step(op, dst, 0, true, imm);
    }
  }

  public LaneProgram {
    if (inputs < 1 || temporaries < 0) {
      throw new IllegalArgumentException("need at least one input and no negative number of temporaries, got "
          + inputs + " and " + temporaries);
    }
    constants = List.copyOf(constants);
    steps = List.copyOf(steps);
    checkShape(inputs, temporaries, constants, steps);
  }

  /** A program of one input, the accumulator. */
  public LaneProgram(int temporaries, List<Constant> constants, List<Step> steps) {
    this(1, temporaries, constants, steps);
  }

  /** {@code inputs + temporaries + constants.size()}. */
  public int registers() {
    return inputs + temporaries + constants.size();
  }

  /** The register that holds constant {@code k}. */
  public int constantRegister(int k) {
    Objects.checkIndex(k, constants.size());
    return inputs + temporaries + k;
  }

  /**
   * Runs the program on one lane, the accumulator {@code acc} of output channel {@code channel}, with
   * fsim's lane semantics ({@link AluOp#apply}: wrapping ADD and MUL, signed MIN / MAX, arithmetic SHR
   * where a negative amount shifts left), and returns register 0.
   *
   * @throws IllegalStateException if a step does not run on {@code target}: its operation is not
   *     there, its immediate does not fit {@code target}'s immediate field, or a shift amount
   *     (immediate or this lane's source register value) lies outside {@code [minShift, maxShift]}
   * @throws IndexOutOfBoundsException if a per-channel constant has no value for {@code channel}
   */
  public int evaluate(int acc, int channel, TargetDescription target) {
    if (inputs != 1) {
      throw new IllegalArgumentException("the program has " + inputs + " inputs");
    }
    return evaluate(new int[] {acc}, channel, target);
  }

  /**
   * {@link #evaluate(int, int, TargetDescription)} for a program of several inputs: register {@code i}
   * starts as {@code in[i]}.
   */
  public int evaluate(int[] in, int channel, TargetDescription target) {
    if (in.length != inputs) {
      throw new IllegalArgumentException(in.length + " values for " + inputs + " inputs");
    }
    int[] r = new int[registers()];
    System.arraycopy(in, 0, r, 0, inputs);
    for (int t = inputs; t < inputs + temporaries; t++) {
      r[t] = (in[0] ^ 0x9E3779B9) * (2 * t + 1); // undefined contents: the shape check makes them irrelevant
    }
    for (int k = 0; k < constants.size(); k++) {
      r[constantRegister(k)] = constants.get(k).value(channel);
    }
    int minImm = target.minImm();
    int maxImm = target.maxImm();
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      AluOp op = s.op();
      if (!target.has(op)) {
        throw new IllegalStateException("step " + i + " (" + format(s) + "): target " + target.name() + " has no "
            + op);
      }
      int v;
      if (s.useImm()) {
        v = s.imm();
        if (v < minImm || v > maxImm) {
          throw new IllegalStateException("step " + i + " (" + format(s) + "): immediate outside " + minImm + ".."
              + maxImm + " of target " + target.name());
        }
      } else {
        v = r[s.src()];
      }
      if (op == AluOp.SHR && (v < target.minShift() || v > target.maxShift())) {
        throw new IllegalStateException("step " + i + " (" + format(s) + "): shift amount " + v + " (channel "
            + channel + ", " + (inputs == 1 ? "acc " + in[0] : "inputs " + Arrays.toString(in)) + ") outside "
            + target.minShift() + ".." + target.maxShift() + " of target " + target.name());
      }
      r[s.dst()] = op.apply(r[s.dst()], v);
    }
    return r[0];
  }

  /** A readable listing: the register use, the constants, then one step per line. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("lane program: ").append(steps.size()).append(" steps, ")
        .append(inputs == 1 ? "r0 = acc" : "r0..r" + (inputs - 1) + " = inputs").append(", ").append(temporaries)
        .append(temporaries == 0 ? " temporaries" : " temporaries (r" + inputs + "..r" + (inputs + temporaries - 1)
            + ")").append(", ")
        .append(constants.size()).append(" constants\n");
    for (int k = 0; k < constants.size(); k++) {
      sb.append("  r").append(constantRegister(k)).append(" = ").append(constants.get(k)).append('\n');
    }
    for (int i = 0; i < steps.size(); i++) {
      sb.append(String.format("  %3d: ", i)).append(format(steps.get(i))).append('\n');
    }
    return sb.toString();
  }

  private String format(Step s) {
    String src = s.useImm() ? "#" + s.imm() : "r" + s.src();
    return s.op() + " r" + s.dst() + ", " + src;
  }

  /** Register ranges, read-only constants, and every temporary written (by a reset) before it is read. */
  private static void checkShape(int inputs, int temporaries, List<Constant> constants, List<Step> steps) {
    int registers = inputs + temporaries + constants.size();
    boolean[] defined = new boolean[registers];
    Arrays.fill(defined, true);
    Arrays.fill(defined, inputs, inputs + temporaries, false);
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      if (s.dst() < 0 || s.dst() >= inputs + temporaries) {
        throw new IllegalArgumentException("step " + i + " writes r" + s.dst() + ", which is not an input or a "
            + "temporary (r0..r" + (inputs + temporaries - 1) + ")");
      }
      if (!s.useImm()) {
        if (s.src() < 0 || s.src() >= registers) {
          throw new IllegalArgumentException("step " + i + " reads r" + s.src() + " of " + registers + " registers");
        }
        if (!defined[s.src()]) {
          throw new IllegalArgumentException("step " + i + " reads temporary r" + s.src() + " before it is written");
        }
      }
      if (!defined[s.dst()] && !isReset(s, inputs + temporaries, constants)) {
        throw new IllegalArgumentException("step " + i + " (" + s.op() + ") reads temporary r" + s.dst()
            + " before it is written");
      }
      defined[s.dst()] = true;
    }
  }

  /** Whether the step's result is the same whatever the destination held (MUL 0, MIN INT_MIN, MAX INT_MAX). */
  private static boolean isReset(Step s, int firstConstant, List<Constant> constants) {
    int absorbing;
    switch (s.op()) {
      case MUL -> absorbing = 0;
      case MIN -> absorbing = Integer.MIN_VALUE;
      case MAX -> absorbing = Integer.MAX_VALUE;
      default -> {
        return false; // ADD and SHR have no absorbing source value: their result always depends on dst
      }
    }
    if (s.useImm()) {
      return s.imm() == absorbing;
    }
    int k = s.src() - firstConstant;
    return k >= 0 && constants.get(k).isEverywhere(absorbing);
  }
}
