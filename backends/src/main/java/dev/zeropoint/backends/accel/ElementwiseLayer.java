package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import java.util.List;

/**
 * A node computed element by element over tensors of one layout (clamps, adds): whatever their rank,
 * the tensors are runs of DRAM elements. Each chunk of every input is loaded into the accumulators
 * (LOAD ACC_8BIT sign-extends the stored int8), the node's {@link #steps} run as ALU instructions over
 * the chunk, and register 0 is stored (STORE keeps the low 8 bits, which the steps left exact).
 *
 * <p>Registers: {@code 0 .. inputs - 1} hold the inputs (0 also the result), the next {@link
 * #temporaries} are scratch, each a chunk of accumulators; then the {@link #constants}, one
 * accumulator each, the same value in every lane, loaded once per layer.
 */
abstract sealed class ElementwiseLayer extends NodeLayer permits ClampLayer, AddLayer {
  final TargetDescription target;

  ElementwiseLayer(Node node, TargetDescription target) throws Unsupported {
    super(node, layout(node.operand(0), target), layout(node.result(), target));
    this.target = target;
    if (target.blockIn() != target.blockOut() || target.batch() != 1) {
      throw new Unsupported("the lowering needs blockIn == blockOut and batch 1");
    }
    for (Value v : node.operands()) {
      if (!layout(v, target).equals(out)) {
        throw new Unsupported("the operands' and the result's layouts differ");
      }
    }
  }

  static TiledTensor layout(Value v, TargetDescription target) throws Unsupported {
    return TiledTensor.of(v.type(), target.blockOut())
        .orElseThrow(() -> new Unsupported("%" + v.name() + " is not an 8-bit tensor of rank 2 to 4"));
  }

  /** Scratch registers after the inputs. */
  abstract int temporaries();

  /** The constant registers' values. */
  abstract int[] constants();

  /** The ALU steps ({@link LaneProgram.Step}) over the registers above. */
  abstract List<LaneProgram.Step> steps();

  /** What the steps compute, for the listing. */
  abstract String what();

  @Override
  public void emit(ProgramBuilder b, List<ProgramBuilder.Ref> inputs, ProgramBuilder.Ref output) {
    int block = out.block();
    long elements = out.bytes() / block;
    int[] constants = constants();
    int registers = inputs.size() + temporaries();
    int chunk = (int) Math.min(Math.min((target.accDepth() - constants.length) / registers, target.maxIter()),
        (1 << TargetDescription.SIZE_BITS) - 1);
    int cbase = registers * chunk;
    ProgramBuilder.Ref constRef = null;
    if (constants.length > 0) {
      int[] lanes = new int[constants.length * block];
      for (int i = 0; i < lanes.length; i++) {
        lanes[i] = constants[i / block];
      }
      constRef = b.addConstants(lanes);
    }
    String name = "%" + node.result().name();
    b.startLayer(1, false);
    for (long e0 = 0; e0 < elements; e0 += chunk) {
      int n = (int) Math.min(chunk, elements - e0);
      String range = " elements " + e0 + ".." + (e0 + n - 1);
      b.startTile();
      if (e0 == 0 && constRef != null) {
        b.note(name + ": constants");
        b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC, cbase, 0, 1, constants.length, constants.length, 0, 0,
            0, 0), constRef);
      }
      for (int i = 0; i < inputs.size(); i++) {
        b.note("%" + node.operand(i).name() + range);
        b.compute(new Insn.Load(Insn.Deps.NONE, MemType.ACC_8BIT, i * chunk, 0, 1, n, n, 0, 0, 0, 0),
            inputs.get(i).plus(e0 * block));
      }
      b.note(name + range + ": " + what());
      for (LaneProgram.Step s : steps()) {
        boolean constant = !s.useImm() && s.src() >= registers;
        int src = s.useImm() ? 0 : constant ? cbase + s.src() - registers : s.src() * chunk;
        int u = b.uops(List.of(new Insn.Uop(s.dst() * chunk, src, 0)));
        b.compute(new Insn.Alu(Insn.Deps.NONE, false, u, u + 1, 1, n, 0, 1, 0, s.useImm() || constant ? 0 : 1,
            s.op(), s.useImm(), s.imm()));
      }
      b.stores(List.of(new Insn.Store(Insn.Deps.NONE, 0, 0, 1, n, n)), List.of(output.plus(e0 * block)),
          List.of(name + range));
    }
  }
}
