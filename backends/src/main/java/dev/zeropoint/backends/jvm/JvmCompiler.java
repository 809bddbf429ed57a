package dev.zeropoint.backends.jvm;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.backends.lowering.KernelCall;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.lower.IntegerOnly;
import dev.zeropoint.runtime.GeneratedModel;
import dev.zeropoint.runtime.Launcher;
import dev.zeropoint.runtime.TensorSpec;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Compiles a graph to one class extending {@link GeneratedModel}: {@code execute} takes a frame of
 * arrays, one slot per value (the intermediate values' arrays from a workspace reused across runs,
 * {@link Workspace}; the outputs' freshly allocated), and runs the nodes as straight-line calls to
 * the run-time kernels with every shape, zero point and parameter an immediate or a constant laid
 * out here. The nodes are spread over methods of at most {@link #NODES_PER_METHOD} calls, so no model
 * meets the JVM's 64 KB limit on a method's code.
 */
public final class JvmCompiler {
  /** Kernel calls per generated method: far below 64 KB of bytecode (a call is under 100 bytes). */
  static final int NODES_PER_METHOD = 200;
  /** Part methods called by one group method (a call is 5 bytes). */
  static final int PARTS_PER_GROUP = 1000;

  private static final String BASE = Type.getInternalName(GeneratedModel.class);
  private static final String FRAME = "([Ljava/lang/Object;)V";

  /** A compiled model: the class (binary name, bytes) and the constants its constructor takes. */
  public record CompiledClass(String binaryName, byte[] bytes, Object[] constants) {}

  private JvmCompiler() {}

  /**
   * @param binaryName the class's name, e.g. {@code models.Resnet18}
   */
  public static CompiledClass compile(Graph graph, String binaryName) throws CompileException {
    String internal = binaryName.replace('.', '/');
    Lowering lowering = new Lowering(graph.numerics(), "jvm", true, gemmF32(graph));
    List<Object> constants = new ArrayList<>();
    constants.add(specs(graph.inputs()));
    constants.add(specs(graph.outputs().stream().map(o -> o.value()).toList(), graph.outputs().stream()
        .map(Graph.Output::name).toList()));
    Map<Value, Integer> slot = new IdentityHashMap<>();
    List<Value> roots = new ArrayList<>(); // the value whose array each slot holds
    for (Value in : graph.inputs()) {
      slot.put(in, roots.size());
      roots.add(in);
    }
    // The node whose operands a step's call reads: itself, or the conv2d_acc fused into it.
    List<Workspace.Step> steps = new ArrayList<>();
    Map<Integer, Node> constOf = new java.util.LinkedHashMap<>(); // slot -> the const node it holds
    record Fused(Node conv, KernelCall call) {}
    Map<Node, Fused> fused = new IdentityHashMap<>(); // requantize_acc -> the conv2d_acc it finishes
    for (Node n : graph.nodes()) {
      checkTypes(n);
      List<Node> u = n.op() == Op.CONV2D_ACC ? graph.users(n.result()) : List.of();
      if (u.size() == 1 && graph.outputs().stream().noneMatch(o -> o.value() == n.result())) {
        // The sums' only use is their requantization: one call does both, the sums never stored whole.
        Optional<KernelCall> both = lowering.convRequantize(n, u.get(0));
        if (both.isPresent()) {
          fused.put(u.get(0), new Fused(n, both.get()));
          continue;
        }
      }
      Fused f = fused.remove(n);
      if (f != null) {
        slot.put(n.result(), roots.size());
        roots.add(n.result());
        steps.add(new Workspace.Step(n, f.conv(), f.call()));
        continue;
      }
      if (n.op() == Op.CONST) {
        slot.put(n.result(), roots.size());
        roots.add(n.result());
        constOf.put(slot.get(n.result()), n);
        continue;
      }
      Optional<KernelCall> call = lowering.lower(n);
      if (call.isEmpty()) { // an alias: the operand's array, reshaped
        slot.put(n.result(), slot.get(n.operand(0)));
        continue;
      }
      for (Value r : n.results()) {
        slot.put(r, roots.size());
        roots.add(r);
      }
      steps.add(new Workspace.Step(n, n, call.get()));
    }

    Workspace ws = Workspace.plan(graph, steps, slot, roots);

    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
    cw.visit(Opcodes.V21, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, internal, null, BASE, null);
    cw.visitSource(graph.name() + ".qg", null);
    constructors(cw, internal);
    mainMethod(cw, internal);

    int parts = (steps.size() + NODES_PER_METHOD - 1) / NODES_PER_METHOD;
    for (int p = 0; p < parts; p++) {
      MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PRIVATE, "part" + p, FRAME, null, null);
      mv.visitCode();
      int end = Math.min(steps.size(), (p + 1) * NODES_PER_METHOD);
      for (Workspace.Step s : steps.subList(p * NODES_PER_METHOD, end)) {
        emitCall(mv, internal, s.node(), s.operandsOf(), s.call(), slot, ws.pooledSlots(), constants);
      }
      mv.visitInsn(Opcodes.RETURN);
      mv.visitMaxs(0, 0);
      mv.visitEnd();
    }

    // A constant's array goes into the class only if a call or an output reads its slot: the
    // weights of a convolution reach its kernel laid out by the lowering, as a call's own constant.
    java.util.Set<Integer> read = readSlots(graph, steps, slot);
    List<int[]> constSlots = new ArrayList<>(); // {slot, constant index}
    for (Map.Entry<Integer, Node> e : constOf.entrySet()) {
      if (read.contains(e.getKey())) {
        Node n = e.getValue();
        constSlots.add(new int[] {e.getKey(), constants.size()});
        constants.add(array(((Attrs.Const) n.attrs()).data(), n.result().type()));
      }
    }

    // execute: the frame from tables, the parts in groups of at most PARTS_PER_GROUP calls, the
    // outputs from tables: its code does not grow with the model past one call per group.
    int[] places = new int[constSlots.size() * 2];
    for (int i = 0; i < constSlots.size(); i++) {
      places[2 * i] = constSlots.get(i)[0];
      places[2 * i + 1] = constSlots.get(i)[1];
    }
    int[] outSlots = new int[graph.outputs().size()];
    int[] copy = new int[outSlots.length];
    java.util.Set<Integer> handedOut = new java.util.HashSet<>();
    for (int i = 0; i < outSlots.length; i++) {
      int s = slot.get(graph.outputs().get(i).value());
      Value root = roots.get(s);
      outSlots[i] = s;
      copy[i] = root.producer() == null || root.producer().op() == Op.CONST || !handedOut.add(s) ? 1 : 0;
    }
    int groups = (parts + PARTS_PER_GROUP - 1) / PARTS_PER_GROUP;
    for (int gr = 0; gr < groups; gr++) {
      MethodVisitor gv = cw.visitMethod(Opcodes.ACC_PRIVATE, "group" + gr, FRAME, null, null);
      gv.visitCode();
      for (int p = gr * PARTS_PER_GROUP; p < Math.min(parts, (gr + 1) * PARTS_PER_GROUP); p++) {
        gv.visitVarInsn(Opcodes.ALOAD, 0);
        gv.visitVarInsn(Opcodes.ALOAD, 1);
        gv.visitMethodInsn(Opcodes.INVOKESPECIAL, internal, "part" + p, FRAME, false);
      }
      gv.visitInsn(Opcodes.RETURN);
      gv.visitMaxs(0, 0);
      gv.visitEnd();
    }
    MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PROTECTED, "execute", "([Ljava/lang/Object;)[Ljava/lang/Object;",
        null, null);
    mv.visitCode();
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    push(mv, roots.size());
    mv.visitVarInsn(Opcodes.ALOAD, 1);
    loadConstant(mv, internal, constants.size());
    constants.add(places);
    mv.visitTypeInsn(Opcodes.CHECKCAST, "[I");
    loadConstant(mv, internal, constants.size());
    constants.add(ws.buffers());
    mv.visitTypeInsn(Opcodes.CHECKCAST, "[I");
    loadConstant(mv, internal, constants.size());
    constants.add(ws.places());
    mv.visitTypeInsn(Opcodes.CHECKCAST, "[I");
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, internal, "frame", "(I[Ljava/lang/Object;[I[I[I)[Ljava/lang/Object;",
        false);
    mv.visitVarInsn(Opcodes.ASTORE, 2);
    for (int gr = 0; gr < groups; gr++) {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitVarInsn(Opcodes.ALOAD, 2);
      mv.visitMethodInsn(Opcodes.INVOKESPECIAL, internal, "group" + gr, FRAME, false);
    }
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitVarInsn(Opcodes.ALOAD, 2);
    loadConstant(mv, internal, constants.size());
    constants.add(outSlots);
    mv.visitTypeInsn(Opcodes.CHECKCAST, "[I");
    loadConstant(mv, internal, constants.size());
    constants.add(copy);
    mv.visitTypeInsn(Opcodes.CHECKCAST, "[I");
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, internal, "outputs", "([Ljava/lang/Object;[I[I)[Ljava/lang/Object;",
        false);
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
    cw.visitEnd();
    return new CompiledClass(binaryName, cw.toByteArray(), constants.toArray());
  }

  /** The slots whose arrays some step's call takes as an operand, and those of the outputs. */
  private static java.util.Set<Integer> readSlots(Graph graph, List<Workspace.Step> steps, Map<Value, Integer> slot) {
    java.util.Set<Integer> read = new java.util.HashSet<>();
    for (Workspace.Step s : steps) {
      for (KernelCall.Arg a : s.call().args()) {
        if (a instanceof KernelCall.Operand o) {
          read.add(slot.get(s.operandsOf().operand(o.index())));
        } else if (a instanceof KernelCall.Operands) {
          s.operandsOf().operands().forEach(v -> read.add(slot.get(v)));
        }
      }
    }
    graph.outputs().forEach(o -> read.add(slot.get(o.value())));
    return read;
  }

  private static void constructors(ClassWriter cw, String internal) {
    MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "([Ljava/lang/Object;)V", null, null);
    mv.visitCode();
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitVarInsn(Opcodes.ALOAD, 1);
    mv.visitMethodInsn(Opcodes.INVOKESPECIAL, BASE, "<init>", "([Ljava/lang/Object;)V", false);
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
    // public Model() { this(Constants.load(Model.class)); }: the constants from the jar.
    mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    mv.visitCode();
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitLdcInsn(Type.getObjectType(internal));
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "dev/zeropoint/runtime/Constants", "load",
        "(Ljava/lang/Class;)[Ljava/lang/Object;", false);
    mv.visitMethodInsn(Opcodes.INVOKESPECIAL, internal, "<init>", "([Ljava/lang/Object;)V", false);
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** {@code public static void main(String[] args) { Launcher.main(new Model(), args); }} */
  private static void mainMethod(ClassWriter cw, String internal) {
    MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "main", "([Ljava/lang/String;)V", null,
        null);
    mv.visitCode();
    mv.visitTypeInsn(Opcodes.NEW, internal);
    mv.visitInsn(Opcodes.DUP);
    mv.visitMethodInsn(Opcodes.INVOKESPECIAL, internal, "<init>", "()V", false);
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(Launcher.class), "main",
        "(Ldev/zeropoint/runtime/CompiledModel;[Ljava/lang/String;)V", false);
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /**
   * Whether convolutions may run as float32 multiply-adds on exact integers ({@link
   * dev.zeropoint.runtime.kernels.GemmF32}, where the lowering proves them exact): not in an
   * integer-only graph, whose class computes with integers only, nor with {@code
   * -Dzeropoint.gemmF32=false} in the compiling JVM (to time the int32 kernel on the same build).
   */
  static boolean gemmF32(Graph graph) {
    return !"false".equals(System.getProperty("zeropoint.gemmF32")) && !IntegerOnly.holds(graph);
  }

  /**
   * Allocates the node's result arrays (except those of the workspace), then calls its kernel; the
   * call's operands are those of {@code operandsOf} (the node itself, or the node fused into it).
   */
  private static void emitCall(MethodVisitor mv, String internal, Node n, Node operandsOf, KernelCall call,
      Map<Value, Integer> slot, java.util.Set<Integer> pooled, List<Object> constants) throws CompileException {
    for (Value r : n.results()) {
      if (pooled.contains(slot.get(r))) {
        continue; // an array of the run's workspace, in the frame from the start
      }
      mv.visitVarInsn(Opcodes.ALOAD, 1);
      push(mv, slot.get(r));
      push(mv, Math.toIntExact(r.type().shape().numElements()));
      mv.visitIntInsn(Opcodes.NEWARRAY, r.type().elementType() == ElementType.F32 ? Opcodes.T_FLOAT : Opcodes.T_INT);
      mv.visitInsn(Opcodes.AASTORE);
    }
    Method m = kernel(call);
    Class<?>[] params = m.getParameterTypes();
    for (int i = 0; i < params.length; i++) {
      KernelCall.Arg a = call.args().get(i);
      String desc = Type.getDescriptor(params[i]);
      switch (a) {
        case KernelCall.Result r -> loadSlot(mv, slot.get(n.results().get(r.index())), desc);
        case KernelCall.Operand o -> loadSlot(mv, slot.get(operandsOf.operand(o.index())), desc);
        case KernelCall.Immediate im -> push(mv, im.value());
        case KernelCall.Results rs -> arrayOfSlots(mv, n.results().stream().map(slot::get).toList(), desc);
        case KernelCall.Operands os -> arrayOfSlots(mv, operandsOf.operands().stream().map(slot::get).toList(), desc);
        case KernelCall.Constant c -> {
          if (!params[i].isInstance(c.value())) {
            throw new IllegalStateException(m + ": argument " + i + " is a " + c.value().getClass().getSimpleName());
          }
          loadConstant(mv, internal, constants.size());
          mv.visitTypeInsn(Opcodes.CHECKCAST, Type.getInternalName(params[i]));
          constants.add(c.value());
        }
      }
    }
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(call.owner()), m.getName(),
        Type.getMethodDescriptor(m), false);
  }

  /** The kernel a call names: the one public static method of that name, taking as many arguments. */
  private static Method kernel(KernelCall call) {
    Method found = null;
    for (Method m : call.owner().getMethods()) {
      if (m.getName().equals(call.method()) && Modifier.isStatic(m.getModifiers())
          && m.getParameterCount() == call.args().size()) {
        if (found != null) {
          throw new IllegalStateException("two kernels " + call.owner().getSimpleName() + "." + call.method());
        }
        found = m;
      }
    }
    if (found == null) {
      throw new IllegalStateException("no kernel " + call.owner().getSimpleName() + "." + call.method() + " with "
          + call.args().size() + " arguments");
    }
    for (int i = 0; i < call.args().size(); i++) {
      boolean immediate = call.args().get(i) instanceof KernelCall.Immediate;
      if (immediate != (found.getParameterTypes()[i] == int.class)) {
        throw new IllegalStateException(found + ": argument " + i + " does not match " + call.args().get(i));
      }
    }
    return found;
  }

  /** A fresh array (of type {@code desc}, e.g. {@code [[I}) holding the arrays of the given slots. */
  private static void arrayOfSlots(MethodVisitor mv, List<Integer> slots, String desc) {
    String element = desc.substring(1);
    push(mv, slots.size());
    mv.visitTypeInsn(Opcodes.ANEWARRAY, element);
    for (int i = 0; i < slots.size(); i++) {
      mv.visitInsn(Opcodes.DUP);
      push(mv, i);
      loadSlot(mv, slots.get(i), element);
      mv.visitInsn(Opcodes.AASTORE);
    }
  }

  private static void loadSlot(MethodVisitor mv, int s, String desc) {
    mv.visitVarInsn(Opcodes.ALOAD, 1);
    push(mv, s);
    mv.visitInsn(Opcodes.AALOAD);
    mv.visitTypeInsn(Opcodes.CHECKCAST, desc.startsWith("[") ? desc : Type.getType(desc).getInternalName());
  }

  private static void loadConstant(MethodVisitor mv, String internal, int index) {
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitFieldInsn(Opcodes.GETFIELD, internal, "k", "[Ljava/lang/Object;");
    push(mv, index);
    mv.visitInsn(Opcodes.AALOAD);
  }

  static void push(MethodVisitor mv, int v) {
    if (v >= -1 && v <= 5) {
      mv.visitInsn(Opcodes.ICONST_0 + v);
    } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
      mv.visitIntInsn(Opcodes.BIPUSH, v);
    } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      mv.visitIntInsn(Opcodes.SIPUSH, v);
    } else {
      // Built from 15-bit pieces rather than loaded from the constant pool, so that no number of
      // slots, constants or sizes can fill the pool (65,535 entries).
      push(mv, v >> 30);
      mv.visitIntInsn(Opcodes.BIPUSH, 15);
      mv.visitInsn(Opcodes.ISHL);
      mv.visitIntInsn(Opcodes.SIPUSH, (v >> 15) & 0x7FFF);
      mv.visitInsn(Opcodes.IOR);
      mv.visitIntInsn(Opcodes.BIPUSH, 15);
      mv.visitInsn(Opcodes.ISHL);
      mv.visitIntInsn(Opcodes.SIPUSH, v & 0x7FFF);
      mv.visitInsn(Opcodes.IOR);
    }
  }

  /** Only f32 and integer types up to 32 bits have arrays in generated code. */
  private static void checkTypes(Node n) throws CompileException {
    for (Value v : n.results()) {
      ElementType e = v.type().elementType();
      if (e == ElementType.F64 || e == ElementType.I64) {
        throw new CompileException(n.location(), "the jvm backend does not run " + e + " values yet (%" + v.name() + ")");
      }
    }
  }

  private static Object array(TensorData d, TensorType t) {
    int n = Math.toIntExact(d.size());
    if (t.elementType() == ElementType.F32) {
      float[] f = new float[n];
      for (int i = 0; i < n; i++) {
        f[i] = (float) d.getDouble(i);
      }
      return f;
    }
    return d.toIntArray();
  }

  private static String specs(List<Value> values) {
    return specs(values, values.stream().map(Value::name).toList());
  }

  private static String specs(List<Value> values, List<String> names) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      lines.add(spec(names.get(i), values.get(i).type()).encode());
    }
    return String.join("\n", lines);
  }

  static TensorSpec spec(String name, TensorType t) {
    double[] scales = new double[0];
    long[] zps = new long[0];
    int axis = -1;
    Optional<Quantization> q = t.quantization();
    if (q.isPresent() && q.get() instanceof Quantization.PerAxis a) {
      scales = new double[a.size()];
      zps = new long[a.size()];
      for (int i = 0; i < a.size(); i++) {
        scales[i] = a.scale(i);
        zps[i] = a.zeroPoint(i);
      }
      axis = a.axis();
    } else if (q.isPresent()) {
      Quantization.PerTensor p = (Quantization.PerTensor) q.get();
      scales = new double[] {p.scale()};
      zps = new long[] {p.zeroPoint()};
    }
    return new TensorSpec(name, t.elementType().keyword(), t.shape().toArray(), scales, zps, axis);
  }
}
