package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import java.util.List;

/**
 * A node computed element by element over tensors of one layout (clamps, adds): whatever their rank,
 * the tensors are runs of DRAM elements. Each chunk of every input is loaded into the accumulators
 * (LOAD ACC_8BIT sign-extends the stored int8), the node's {@link #program} runs as ALU instructions
 * over the chunk, and register 0 is stored (STORE keeps the low 8 bits, which the program left exact).
 *
 * <p>Registers ({@link LaneProgram}): {@code 0 .. inputs - 1} hold the inputs (0 also the result), the
 * next {@code temporaries} are scratch, each a chunk of accumulators; then the constants, one
 * accumulator each, the same value in every lane, loaded once per layer.
 */
abstract sealed class ElementwiseLayer extends NodeLayer permits ClampLayer, AddLayer, ReshapeLayer {
  final TargetDescription target;

  ElementwiseLayer(Node node, TargetDescription target) throws Unsupported {
    super(node, layout(node.operand(0), target), layout(node.result(), target));
    this.target = target;
    if (target.blockIn() != target.blockOut() || target.batch() != 1) {
      throw new Unsupported("the lowering needs blockIn == blockOut and batch 1");
    }
    for (Value v : node.operands()) {
      if (!layout(v, target).sameDram(out)) {
        throw new Unsupported("the operands' and the result's layouts differ");
      }
    }
  }

  static TiledTensor layout(Value v, TargetDescription target) throws Unsupported {
    return TiledTensor.of(v.type(), target.blockOut())
        .orElseThrow(() -> new Unsupported("%" + v.name() + " is not an 8-bit tensor of rank 2 to 4"));
  }

  /** The ALU steps, with as many inputs as the node has operands and per-tensor constants. */
  abstract LaneProgram program();

  /**
   * Checks that the program's operations, immediates and immediate shift amounts are the target's and
   * that its registers leave at least one element per chunk in the accumulator buffer.
   */
  void requireRunnable(LaneProgram p) throws Unsupported {
    if (p.inputs() != node.operands().size() || p.constants().stream().anyMatch(c -> c.perChannel().length != 1)) {
      throw new IllegalStateException("not a program of " + node.operands().size() + " inputs and per-tensor "
          + "constants: " + p);
    }
    requireSteps(p, target);
    if (chunk(p) < 1) {
      throw new Unsupported(p.registers() + " registers of the lane program do not fit the accumulator buffer");
    }
  }

  /** Checks that the program's operations, immediates and immediate shift amounts are the target's. */
  static void requireSteps(LaneProgram p, TargetDescription target) throws Unsupported {
    for (LaneProgram.Step s : p.steps()) {
      boolean immOk = s.imm() >= target.minImm() && s.imm() <= target.maxImm()
          && (s.op() != AluOp.SHR || s.imm() >= target.minShift() && s.imm() <= target.maxShift());
      if (!target.has(s.op()) || s.useImm() && !immOk) {
        throw new Unsupported("target " + target.name() + " cannot run step " + s);
      }
    }
  }

  /** Elements per register: the accumulators left by the constants, shared by the other registers. */
  private int chunk(LaneProgram p) {
    int registers = p.inputs() + p.temporaries();
    return (int) Math.min(Math.min((target.accDepth() - p.constants().size()) / registers, target.maxIter()),
        (1 << TargetDescription.SIZE_BITS) - 1);
  }

  /** Per-tensor constants, each the same in all {@code block} lanes, appended to the image. */
  static ProgramBuilder.Ref addConstants(ProgramBuilder b, List<LaneProgram.Constant> constants, int block) {
    int[] lanes = new int[constants.size() * block];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = constants.get(i / block).value(0);
    }
    return b.addConstants(lanes);
  }

  /** Loads {@code count} constant accumulators to {@code cbase}. */
  static void loadConstants(ProgramBuilder b, String name, int count, int cbase, ProgramBuilder.Ref ref) {
    b.note(name + ": constants");
    b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC, cbase, 0, 1, count, count, 0, 0, 0, 0), ref);
  }

  /**
   * A lane program's steps as ALU instructions over {@code n} elements: register {@code r} (input or
   * temporary) at accumulator {@code base + r * chunk}, constant {@code k} at {@code cbase + k} (one
   * accumulator, read by every element).
   */
  static void emitSteps(ProgramBuilder b, LaneProgram program, int base, int chunk, int n, int cbase) {
    int registers = program.inputs() + program.temporaries();
    for (LaneProgram.Step s : program.steps()) {
      boolean constant = !s.useImm() && s.src() >= registers;
      int src = s.useImm() ? 0 : constant ? cbase + s.src() - registers : base + s.src() * chunk;
      int u = b.uops(List.of(new Insn.Uop(base + s.dst() * chunk, src, 0)));
      b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + 1, 1, n, 0, 1, 0, s.useImm() || constant ? 0 : 1,
          s.op(), s.useImm(), s.imm()));
    }
  }

  /** What the steps compute, for the listing. */
  abstract String what();

  @Override
  public void emit(ProgramBuilder b, List<ProgramBuilder.Ref> inputs, ProgramBuilder.Ref output) {
    int block = out.block();
    long elements = out.bytes() / block;
    LaneProgram program = program();
    List<LaneProgram.Constant> constants = program.constants();
    int registers = program.inputs() + program.temporaries();
    int chunk = chunk(program);
    int cbase = registers * chunk;
    ProgramBuilder.Ref constRef = constants.isEmpty() ? null : addConstants(b, constants, block);
    String name = "%" + node.result().name();
    b.startLayer(1, false);
    for (long e0 = 0; e0 < elements; e0 += chunk) {
      int n = (int) Math.min(chunk, elements - e0);
      String range = " elements " + e0 + ".." + (e0 + n - 1);
      b.startTile();
      if (e0 == 0 && constRef != null) {
        loadConstants(b, name, constants.size(), cbase, constRef);
      }
      for (int i = 0; i < inputs.size(); i++) {
        b.note("%" + node.operand(i).name() + range);
        b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC_8BIT, i * chunk, 0, 1, n, n, 0, 0, 0, 0),
            inputs.get(i).plus(e0 * block));
      }
      b.note(name + range + ": " + what());
      emitSteps(b, program, 0, chunk, n, cbase);
      b.stores(List.of(new Insn.Store(Insn.Deps.NONE, 0, 0, 1, n, n)), List.of(output.plus(e0 * block)),
          List.of(name + range));
    }
  }
}
