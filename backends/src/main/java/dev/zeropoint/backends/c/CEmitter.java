package dev.zeropoint.backends.c;

import dev.zeropoint.backends.lowering.KernelCall;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.runtime.kernels.Conv;
import dev.zeropoint.runtime.kernels.Requantize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes a lowered graph as C99: {@code <model>.c} (the kernels the model uses, its constants and
 * its entry point), {@code <model>.h} (the entry point, the arena and weight sizes, the tensors) and
 * {@code <model>_main.c} (a command-line harness that reads and writes {@code .npy}).
 *
 * <p>Every node becomes one call of a kernel instance from {@link CLibrary}, with the arguments the
 * shared {@link Lowering} computes; reshape and flatten reuse their operand's buffer. Activations
 * live in one caller-provided arena at offsets from {@link MemoryPlan}; inputs are read where the
 * caller has them and outputs are copied to the caller's buffers at the end.
 */
public final class CEmitter {
  /** The generated files and what the header states. */
  public record Output(String name, String source, String header, String harness, MemoryPlan plan,
      long weightBytes, boolean usesFloat) {
    public String sourceFile() {
      return name + ".c";
    }

    public String headerFile() {
      return name + ".h";
    }

    public String harnessFile() {
      return name + "_main.c";
    }
  }

  private final Graph graph;
  private final String name;
  private final String upper;
  private final Map<Value, Value> root = new IdentityHashMap<>();
  private final Map<Value, String> expr = new IdentityHashMap<>();
  private final Map<Value, TensorData> constData = new IdentityHashMap<>();
  private final Map<Value, Integer> buffer = new IdentityHashMap<>();
  private final List<MemoryPlan.Buffer> buffers = new ArrayList<>();
  private final List<Value> bufferValues = new ArrayList<>();
  private final StringBuilder constants = new StringBuilder();
  private final Map<String, String> constantNames = new HashMap<>();
  private final Set<CLibrary.Instance> instances = new LinkedHashSet<>();
  private long weightBytes;
  private int currentStep;
  private final Map<Integer, CType> scratchTypes = new HashMap<>();

  private final boolean planOnly;
  private final int maxThreads;
  /** Emitting a {@link Part}: the file-scope names (constants, tasks, argument struct) start with {@code name_}. */
  private final boolean part;
  private MemoryPlan plan;

  /**
   * A graph emitted as one part of a larger C program: {@code code} declares its constants, its
   * tasks and {@code static void <name>_run_parallel(...)} (the signature of {@link Output}'s, with
   * the inputs and outputs in the graph's order), every file-scope name starting with {@code <name>_},
   * so that the parts of several graphs fit in one file. The program puts before the parts, once:
   * {@code CLibrary.source(List.of(), instances)} over every part's instances, then {@link
   * #SERIAL}, then {@link #FOR} when some part {@code usesFor}.
   */
  public record Part(String name, String code, Set<CLibrary.Instance> instances, MemoryPlan plan, long weightBytes,
      boolean usesFor) {}

  /**
   * The kernels that take a share of their work, {@code (part, parts)} as their last two
   * arguments: the model runs them as tasks of its {@code parallel} callback.
   */
  /** The comment before a matrix-product call that runs as Winograd's F(2x2, 3x3) (its argument winograd is 1). */
  public static final String WINOGRAD_MARK = "/* 3 x 3, stride 1: Winograd F(2x2, 3x3) */";

  static final Set<String> PARALLEL_KERNELS = Set.of("CGemm_conv2d", "CGemm_conv2dRequantizeFloat", "Conv_conv2dAcc",
      "Requantize_requantizeFloat", "Requantize_requantizeFloatClamp", "Arithmetic_addQnnpack",
      "Pool_maxPoolClamped", "Elementwise_quantize");

  private CEmitter(Graph graph, boolean planOnly, int maxThreads) {
    this(graph, planOnly, maxThreads, false);
  }

  private CEmitter(Graph graph, boolean planOnly, int maxThreads, boolean part) {
    if (maxThreads < 1) {
      throw new IllegalArgumentException("threads " + maxThreads);
    }
    this.part = part;
    this.planOnly = planOnly;
    this.maxThreads = maxThreads;
    this.graph = graph;
    this.name = cName(graph.name());
    this.upper = name.toUpperCase(Locale.ROOT);
  }

  /** Emits a graph the backend can run as is (lowered: see {@link CBackend#lowered}). */
  public static Output emit(Graph graph) throws CompileException {
    return emit(graph, 1);
  }

  /**
   * As {@link #emit(Graph)}, with room in the arena for {@code maxThreads} threads: the scratch a
   * parallel kernel's part uses is there once per thread.
   */
  public static Output emit(Graph graph, int maxThreads) throws CompileException {
    return new CEmitter(graph, false, maxThreads).emit();
  }

  /**
   * A lowered graph as a {@link Part} of a larger program, its file-scope names prefixed with the C
   * name of the graph's name (which must differ between the parts of one program), with room in its
   * arena for {@code maxThreads} threads.
   */
  public static Part emitPart(Graph graph, int maxThreads) throws CompileException {
    CEmitter e = new CEmitter(graph, false, maxThreads, true);
    e.emit();
    return e.emittedPart;
  }

  private Part emittedPart;

  /**
   * The static memory plan alone: every activation buffer (a node result that is not a view of its
   * operand) with its lifetime in steps, its offset, and the arena's size.
   */
  public static MemoryPlan plan(Graph graph) throws CompileException {
    return plan(graph, 1);
  }

  /** The static memory plan of the model emitted for {@code maxThreads} threads. */
  public static MemoryPlan plan(Graph graph, int maxThreads) throws CompileException {
    return new CEmitter(graph, true, maxThreads).emit().plan();
  }

  /**
   * A node's kernel call; a parallel one runs as a task, split in parts. {@code fused}: the
   * requantization of the node's result done in the same call (its result is the step's), or null.
   */
  private record Step(Node node, String call, boolean parallel, Node fused) {}

  /** An argument: the buffer of this value (the result of a node fused into another's call). */
  private record Buffer(Value value) {}

  /** A requantize_acc node done in its operand's call, with its own lowering. */
  private record Fusion(Node node, KernelCall call) {}

  /** A scratch buffer of the memory plan, live during its step only: {@code elements} of {@code type}. */
  private record Scratch(CType type, long elements) {}

  private Output emit() throws CompileException {
    Lowering lowering = new Lowering(graph.numerics(), "c", false, false);
    Map<String, String> paramNames = new HashMap<>();
    Set<String> used = new HashSet<>(Set.of("arena", "a", "threads", "parallel", "context", "args", "part", "parts"));
    for (Value in : graph.inputs()) {
      checkType(in, null);
      String p = unique("in_" + cName(in.name()), used);
      paramNames.put("in:" + in.name(), p);
      root.put(in, in);
      expr.put(in, p);
    }
    List<Step> steps = new ArrayList<>();
    Map<Value, Integer> lastUse = new IdentityHashMap<>();
    Map<Value, List<Node>> users = new IdentityHashMap<>();
    for (Node n : graph.nodes()) {
      for (Value o : n.operands()) {
        users.computeIfAbsent(o, k -> new ArrayList<>()).add(n);
      }
    }
    Set<Value> outputs = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Graph.Output o : graph.outputs()) {
      outputs.add(o.value());
    }
    Set<Node> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Node n : graph.nodes()) {
      if (done.contains(n)) {
        continue; // fused into an earlier step
      }
      for (Value r : n.results()) {
        checkType(r, n);
      }
      if (n.op() == Op.CONST) {
        Value v = n.result();
        root.put(v, v);
        constData.put(v, ((Attrs.Const) n.attrs()).data()); // emitted where a kernel or an output reads it
        continue;
      }
      Optional<KernelCall> call = lowering.lower(n);
      if (call.isEmpty()) { // reshape, flatten: the operand's buffer
        root.put(n.result(), root.get(n.operand(0)));
        continue;
      }
      int step = steps.size();
      currentStep = step;
      Fusion fusion = fusedRequantize(n, call.get(), lowering, users, outputs);
      Node fused = fusion == null ? null : fusion.node();
      if (fused != null) {
        done.add(fused);
      }
      for (Value r : (fused == null ? n : fused).results()) {
        root.put(r, r);
        buffer.put(r, buffers.size());
        bufferValues.add(r);
        buffers.add(new MemoryPlan.Buffer(r.name(), bytes(r.type()), step, step));
        lastUse.put(r, step);
      }
      for (Value o : n.operands()) {
        lastUse.put(root.get(o), step);
      }
      steps.add(call(n, call.get(), fusion));
    }
    int end = steps.size();
    for (Graph.Output o : graph.outputs()) {
      lastUse.put(root.get(o.value()), end);
    }
    for (int i = 0; i < buffers.size(); i++) {
      MemoryPlan.Buffer b = buffers.get(i);
      Value v = bufferValues.get(i);
      buffers.set(i, new MemoryPlan.Buffer(b.name(), b.bytes(), b.first(), v == null ? b.last() : lastUse.get(v)));
    }
    MemoryPlan plan = MemoryPlan.of(buffers);
    if (planOnly) {
      return new Output(name, "", "", "", plan, 0, false);
    }
    for (int i = 0; i < bufferValues.size(); i++) {
      Value v = bufferValues.get(i);
      if (v != null) {
        expr.put(v, "((" + CType.of(v.type().elementType()).c() + " *) (a + " + plan.offset(i) + "))");
      }
    }
    this.plan = plan;

    List<String> outParams = new ArrayList<>();
    for (Graph.Output o : graph.outputs()) {
      outParams.add(unique("out_" + cName(o.name()), used));
    }
    String signature = signature(paramNames, outParams, false);
    String parallelSignature = signature(paramNames, outParams, true);

    // The arena and the inputs, for the tasks: each declares them under the names the calls use.
    String argsName = part ? name + "_args" : "zp_args";
    StringBuilder argsType = new StringBuilder("typedef struct {\n  unsigned char *a;\n");
    StringBuilder unpack = new StringBuilder("  const " + argsName + " *args_ = (const " + argsName + " *) args;\n"
        + "  unsigned char *a = args_->a;\n");
    StringBuilder pack = new StringBuilder("  " + argsName + " args;\n  args.a = (unsigned char *) arena;\n");
    for (Value in : graph.inputs()) {
      String p = expr.get(in);
      String t = "const " + CType.of(in.type().elementType()).c() + " *";
      argsType.append("  ").append(t).append(p).append(";\n");
      unpack.append("  ").append(t).append(p).append(" = args_->").append(p).append(";\n");
      pack.append("  args.").append(p).append(" = ").append(p).append(";\n");
    }
    argsType.append("} ").append(argsName).append(";\n");
    unpack.append("  (void) a;\n");
    for (Value in : graph.inputs()) {
      unpack.append("  (void) ").append(expr.get(in)).append(";\n");
    }

    StringBuilder tasks = new StringBuilder();
    StringBuilder body = new StringBuilder();
    body.append("  unsigned char *a = (unsigned char *) arena;\n");
    body.append(pack);
    for (Value in : graph.inputs()) {
      body.append("  (void) ").append(expr.get(in)).append(";\n");
    }
    body.append("  (void) a;\n");
    body.append("  if (threads < 1) {\n    threads = 1;\n  }\n  if (threads > ").append(maxThreads)
        .append(") {\n    threads = ").append(maxThreads).append(";\n  }\n");
    int taskCount = 0;
    for (Step s : steps) {
      Node n = s.node();
      String comment = comment(n) + (s.fused() == null ? "" : "; " + comment(s.fused()));
      body.append("  /* ").append(comment).append(" */\n");
      String call = resolve(s.call(), n, s.fused());
      if (s.parallel()) {
        String task = (part ? name + "_task" : "zp_task") + taskCount++;
        tasks.append("/* ").append(comment).append(" */\nstatic void ").append(task)
            .append("(void *args, int32_t part, int32_t parts) {\n").append(unpack)
            .append(call).append("\n}\n\n");
        body.append("  zp_for(").append(task).append(", &args, threads, parallel, context);\n");
      } else {
        body.append(call).append('\n');
      }
    }
    if (taskCount == 0) {
      body.append("  (void) args;\n  (void) parallel;\n  (void) context;\n");
    }
    for (int i = 0; i < graph.outputs().size(); i++) {
      Value v = graph.outputs().get(i).value();
      long bytes = bytes(v.type());
      if (bytes > 0) {
        body.append("  memcpy(").append(outParams.get(i)).append(", ").append(exprOf(root.get(v))).append(", ")
            .append(bytes).append(");\n");
      } else {
        body.append("  (void) ").append(outParams.get(i)).append(";\n");
      }
    }

    if (part) { // the program that holds the part adds the library, the runners and what calls it
      String code = "/* The host region " + graph.name() + ". */\n" + constants + "\n" + argsType + "\n" + tasks
          + "static " + parallelSignature + " {\n" + body + "}\n\n";
      emittedPart = new Part(name, code, java.util.Collections.unmodifiableSet(new LinkedHashSet<>(instances)), plan,
          weightBytes, taskCount > 0);
      return null;
    }
    String library = CLibrary.source(List.of(), instances);
    String source = "/* " + name + ".c: the model " + graph.name() + ", compiled by Zeropoint (--target c).\n"
        + " * C99; includes only <stdint.h>, <stddef.h> and <string.h>; allocates nothing. " + name + ".h says how to "
        + "call it. */\n"
        + "#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n#include \"" + name + ".h\"\n\n"
        + library + constants + "\n" + argsType + "\n" + SERIAL + (taskCount > 0 ? FOR : "") + tasks
        + parallelSignature + " {\n" + body + "}\n\n"
        + signature + " {\n  " + name + "_run_parallel(" + callArguments(paramNames, outParams)
        + ");\n}\n";
    boolean usesFloat = CSource.mentionsFloat(source);
    return new Output(name, source, header(plan, paramNames, outParams, signature, parallelSignature, usesFloat),
        CHarness.harness(graph, name, upper, null), plan, weightBytes, usesFloat);
  }

  /**
   * The parallel loops' runners: {@code zp_serial}, the {@code parallel} callback that runs the parts one after the
   * other ({@code <model>_run}'s).
   */
  public static final String SERIAL = """
      /* Runs task(args, part, parts) for each part in 0..parts-1, one after the other. */
      static void zp_serial(void *context, void (*task)(void *args, int32_t part, int32_t parts), void *args,
          int32_t parts) {
        int32_t part;
        (void) context;
        for (part = 0; part < parts; part++) {
          task(args, part, parts);
        }
      }

      """;

  /** {@code zp_for}: one parallel loop, through the caller's callback or on the calling thread. */
  public static final String FOR = """
      /* One parallel loop: in threads parts through the caller's callback, or directly on one thread. */
      static void zp_for(void (*task)(void *args, int32_t part, int32_t parts), void *args, int32_t threads,
          void (*parallel)(void *context, void (*task)(void *args, int32_t part, int32_t parts), void *args,
              int32_t parts), void *context) {
        if (threads > 1) {
          parallel(context, task, args, threads);
        } else {
          task(args, 0, 1);
        }
      }

      """;

  private String callArguments(Map<String, String> paramNames, List<String> outParams) {
    List<String> args = new ArrayList<>();
    for (Value in : graph.inputs()) {
      args.add(paramNames.get("in:" + in.name()));
    }
    args.addAll(outParams);
    args.addAll(List.of("arena", "1", "zp_serial", "NULL"));
    return String.join(", ", args);
  }

  private String signature(Map<String, String> paramNames, List<String> outParams, boolean parallel) {
    return entrySignature("void", name, graph, graph.inputs().stream().map(in -> paramNames.get("in:" + in.name()))
        .toList(), outParams, parallel);
  }

  /**
   * A model's entry point: {@code RETURN NAME_run(inputs, outputs, arena)}, or with {@code parallel}
   * {@code NAME_run_parallel(..., threads, parallel, context)}; the inputs and outputs named in the
   * graph's order, typed by their element types.
   */
  public static String entrySignature(String returnType, String name, Graph graph, List<String> inParams,
      List<String> outParams, boolean parallel) {
    List<String> params = new ArrayList<>();
    for (int i = 0; i < inParams.size(); i++) {
      params.add("const " + CType.of(graph.inputs().get(i).type().elementType()).c() + " *" + inParams.get(i));
    }
    for (int i = 0; i < outParams.size(); i++) {
      params.add(CType.of(graph.outputs().get(i).value().type().elementType()).c() + " *" + outParams.get(i));
    }
    params.add("void *arena");
    if (parallel) {
      params.add("int32_t threads");
      params.add("void (*parallel)(void *context, void (*task)(void *args, int32_t part, int32_t parts), void *args, "
          + "int32_t parts)");
      params.add("void *context");
    }
    return returnType + " " + name + (parallel ? "_run_parallel(" : "_run(") + String.join(", ", params) + ")";
  }


  private String header(MemoryPlan plan, Map<String, String> paramNames, List<String> outParams, String signature,
      String parallelSignature, boolean usesFloat) {
    StringBuilder h = new StringBuilder();
    h.append("/* ").append(name).append(".h: the model ").append(graph.name())
        .append(", compiled by Zeropoint (--target c). */\n");
    h.append("#ifndef ").append(upper).append("_H\n#define ").append(upper).append("_H\n\n");
    h.append("#include <stddef.h>\n#include <stdint.h>\n\n");
    h.append("/* Bytes of the arena that holds every activation: from value liveness, against ")
        .append(plan.naiveSize()).append(" for one buffer per tensor. */\n");
    h.append("#define ").append(upper).append("_ARENA_SIZE ").append(plan.size()).append("u\n");
    h.append("/* The arena's address must be a multiple of this (malloc's is not always). */\n");
    h.append("#define ").append(upper).append("_ARENA_ALIGNMENT ").append(MemoryPlan.ALIGNMENT).append("u\n");
    h.append("/* Bytes of constant data (weights, biases, requantization parameters, tables) in ").append(name)
        .append(".c. */\n");
    h.append("#define ").append(upper).append("_WEIGHT_SIZE ").append(weightBytes).append("u\n");
    h.append("/* The most threads ").append(name).append("_run_parallel uses: the arena has room for their scratch. */\n");
    h.append("#define ").append(upper).append("_MAX_THREADS ").append(maxThreads).append("\n\n");
    for (Value in : graph.inputs()) {
      describe(h, "input", paramNames.get("in:" + in.name()), in.name(), in.type());
    }
    for (int i = 0; i < outParams.size(); i++) {
      Graph.Output o = graph.outputs().get(i);
      describe(h, "output", outParams.get(i), o.name(), o.value().type());
    }
    h.append("\n/* Runs the model: reads the inputs, writes every output, uses the arena (")
        .append(upper).append("_ARENA_SIZE bytes,\n   aligned to ").append(upper)
        .append("_ARENA_ALIGNMENT) as scratch. Allocates nothing, keeps no state.\n");
    h.append("   Build: cc -std=c99 -O2 ").append(usesFloat ? "-ffp-contract=off " : "").append(name).append(".c ...")
        .append(usesFloat ? "\n   (-ffp-contract=off keeps float arithmetic unfused: the results are exact only then)"
            : "\n   (integer arithmetic only: no float or double anywhere)").append(" */\n");
    h.append(signature).append(";\n\n");
    h.append("/* Runs the model as ").append(name).append("_run does, with its parallel loops (convolutions, float\n")
        .append("   requantization, add) split in threads parts, 1 <= threads <= ").append(upper).append("_MAX_THREADS (clamped to\n")
        .append("   that range).\n")
        .append("   For each loop it calls parallel(context, task, args, threads), which must call task(args, part, threads)\n")
        .append("   once for every part in 0..threads-1, on any threads, and return when all of them have returned.\n")
        .append("   The model itself creates no thread and takes no lock: ").append(name).append("_main.c has a POSIX\n")
        .append("   threads version of parallel. The outputs do not depend on threads. */\n");
    h.append(parallelSignature).append(";\n\n#endif\n");
    return h.toString();
  }

  private void describe(StringBuilder h, String kind, String param, String irName, TensorType t) {
    String macro = upper + "_" + param.toUpperCase(Locale.ROOT);
    h.append("/* ").append(kind).append(" ").append(param).append(" (%").append(irName).append("): ").append(t)
        .append(" */\n");
    h.append("#define ").append(macro).append("_ELEMENTS ").append(t.shape().numElements()).append("u\n");
  }

  /** Whether a conv2d_acc call runs as the matrix product (several output channels per group, 8-bit input). */
  private static boolean isGemm(Node n, KernelCall k) {
    return k.owner() == Conv.class && k.method().equals("conv2dAcc")
        && ((int[]) ((KernelCall.Constant) k.args().get(4)).value())[Conv.OUT_PER_GROUP] > 1
        && CType.of(n.operand(0).type().elementType()).size() == 1
        && CGemm.applies((int[]) ((KernelCall.Constant) k.args().get(2)).value());
  }

  /**
   * The requantize_acc node to do in the same call as the matrix product {@code n}, with its
   * lowering: the only user of its sums (which are no output), in scheme FLOAT to u8, by output
   * channel or for all; or null.
   */
  private static Fusion fusedRequantize(Node n, KernelCall k, Lowering lowering, Map<Value, List<Node>> users,
      Set<Value> outputs) throws CompileException {
    if (!isGemm(n, k) || outputs.contains(n.result())) {
      return null;
    }
    List<Node> u = users.getOrDefault(n.result(), List.of());
    if (u.size() != 1 || u.get(0).op() != Op.REQUANTIZE_ACC || u.get(0).result().type().elementType() != ElementType.U8) {
      return null;
    }
    Node r = u.get(0);
    KernelCall rk = lowering.lower(r).orElse(null);
    if (rk == null || rk.owner() != Requantize.class || ((KernelCall.Immediate) rk.args().get(2)).value() != Requantize.FLOAT) {
      return null;
    }
    int[] g = (int[]) ((KernelCall.Constant) k.args().get(4)).value();
    int scales = ((float[]) ((KernelCall.Constant) rk.args().get(3)).value()).length;
    int inner = ((KernelCall.Immediate) rk.args().get(6)).value();
    int channels = ((KernelCall.Immediate) rk.args().get(7)).value();
    boolean byChannel = channels == g[Conv.OUT_CHANNELS] && inner == g[Conv.OUT_H] * g[Conv.OUT_W]
        && scales == channels;
    return scales == 1 || byChannel ? new Fusion(r, rk) : null;
  }

  /** The C call of a node, with placeholders for buffers resolved later ({@link #resolve}). */
  private Step call(Node n, KernelCall k, Fusion fusion) throws CompileException {
    Node fused = fusion == null ? null : fusion.node();
    String kernel = k.owner().getSimpleName() + "_" + k.method();
    List<Object> args = new ArrayList<>(k.args());
    boolean winograd = false;
    if (isGemm(n, k)) {
      // Several output channels per group: the int16-pair matrix product, on an input panel.
      int[] g = (int[]) ((KernelCall.Constant) args.get(4)).value();
      kernel = fused == null ? "CGemm_conv2d" : "CGemm_conv2dRequantizeFloat";
      int[] wc = (int[]) ((KernelCall.Constant) args.get(2)).value();
      // A 3 x 3 convolution with stride 1 within the bounds: Winograd's F(2x2, 3x3), 16 products a tile of 4.
      winograd = CGemm.winogradApplies(wc, g, CType.of(n.operand(0).type().elementType()) == CType.I8,
          ((KernelCall.Immediate) args.get(5)).value());
      int chunk = winograd ? CGemm.winogradChunk(g) : CGemm.chunk(g);
      List<Object> gemm = new ArrayList<>(List.of(fused == null ? args.get(0) : new Buffer(fused.result()),
          args.get(1), KernelCall.constant(winograd ? CGemm.winogradWeights(wc, g) : CGemm.packWeights(wc, g)),
          args.get(3), args.get(4),
          new Scratch(CType.I16, winograd ? CGemm.winogradPanelElements(g, chunk) : CGemm.panelElements(g)),
          KernelCall.imm(chunk), KernelCall.imm(winograd ? 1 : 0), args.get(5)));
      if (fused != null) {
        // the scales, the output zero point, min and max of Requantize.requantize's FLOAT scheme
        List<KernelCall.Arg> r = fusion.call().args();
        gemm.addAll(List.of(r.get(3), r.get(8), r.get(9), r.get(10)));
      }
      args = gemm;
    }
    if (k.owner() == Requantize.class && k.method().equals("requantize")) {
      int scheme = ((KernelCall.Immediate) args.get(2)).value();
      List<Object> rest = new ArrayList<>(args.subList(0, 2));
      if (scheme == Requantize.FLOAT) {
        kernel = "Requantize_requantizeFloat";
        rest.add(args.get(3));
        rest.addAll(args.subList(6, 11));
      } else if (scheme == Requantize.FLOAT_CLAMP) {
        kernel = "Requantize_requantizeFloatClamp";
        rest.add(args.get(3));
        rest.addAll(args.subList(6, 12)); // inner, channels, zero point, min, max, storage
      } else {
        kernel = "Requantize_requantize" + switch (scheme) {
          case Requantize.MANTISSA -> "Mantissa";
          case Requantize.TFLITE_DOUBLE -> "TfliteDouble";
          case Requantize.TFLITE_SINGLE -> "TfliteSingle";
          case Requantize.TOSA_DOUBLE, Requantize.TOSA_SINGLE -> "Tosa";
          case Requantize.POW2 -> "Pow2";
          default -> throw new IllegalStateException("requantization scheme " + scheme);
        };
        rest.addAll(args.subList(4, 12));
        if (scheme == Requantize.TOSA_DOUBLE || scheme == Requantize.TOSA_SINGLE) {
          rest.add(KernelCall.imm(scheme == Requantize.TOSA_DOUBLE ? 1 : 0)); // doubleRound
        }
      }
      args = rest;
    }
    if (!CLibrary.hasKernel(kernel)) {
      throw new CompileException(n.location(), "the c backend does not run " + n.op().keyword() + " %"
          + n.results().get(0).name() + " yet (no C kernel " + kernel + ")");
    }
    boolean parallel = PARALLEL_KERNELS.contains(kernel);
    List<CType> types = new ArrayList<>();
    List<String> cargs = new ArrayList<>();
    StringBuilder before = new StringBuilder();
    int local = 0;
    for (Object a : args) {
      switch (a) {
        case Scratch sc -> {
          types.add(sc.type());
          Value v = n.results().get(0);
          int index = buffers.size();
          // A parallel kernel's part p uses elements [p * (n / parts), ...): room for every thread.
          long elements = sc.elements() * (parallel ? maxThreads : 1);
          buffers.add(new MemoryPlan.Buffer(v.name() + ".scratch", elements * sc.type().size(), currentStep,
              currentStep));
          bufferValues.add(null);
          scratchTypes.put(index, sc.type());
          cargs.add("@#" + index + "@");
          cargs.add(Long.toString(elements));
        }
        case Buffer b -> buffer(b.value(), types, cargs);
        case KernelCall.Result r -> buffer(n.results().get(r.index()), types, cargs);
        case KernelCall.Operand o -> buffer(n.operand(o.index()), types, cargs);
        case KernelCall.Results rs -> {
          CType t = CType.of(n.results().get(0).type().elementType());
          types.add(t);
          cargs.add(pointers(before, "p" + local++, t.c() + " *const ", n.results()));
        }
        case KernelCall.Operands os -> {
          CType t = CType.of(n.operand(0).type().elementType());
          for (Value v : n.operands()) {
            if (CType.of(v.type().elementType()) != t) {
              throw new CompileException(n.location(), "the c backend does not run " + n.op().keyword() + " %"
                  + n.results().get(0).name() + " of mixed element types yet");
            }
          }
          types.add(t);
          cargs.add(pointers(before, "p" + local++, "const " + t.c() + " *const ", n.operands()));
        }
        case KernelCall.Constant c -> {
          CType t = switch (c.value()) {
            case int[] v -> CType.narrowest(v);
            case float[] v -> CType.F32;
            case double[] v -> CType.F64;
            case long[] v -> CType.I64;
            case short[] v -> CType.I16;
            default -> throw new IllegalStateException(kernel + ": a constant of " + c.value().getClass());
          };
          types.add(t);
          cargs.add(constant(c.value(), t));
          cargs.add(Integer.toString(java.lang.reflect.Array.getLength(c.value())));
        }
        case KernelCall.Immediate im -> cargs.add(CSource.intLiteral(im.value()));
        default -> throw new IllegalStateException("argument " + a);
      }
    }
    if (parallel) {
      cargs.add("part");
      cargs.add("parts");
    }
    CLibrary.Instance instance = new CLibrary.Instance(kernel, types);
    instances.add(instance);
    String call = (winograd ? WINOGRAD_MARK + "\n  " : "") + instance.cName() + "(" + String.join(", ", cargs) + ");";
    return new Step(n, before.isEmpty() ? "  " + call : "  {\n" + before + "    " + call + "\n  }", parallel, fused);
  }

  /** One buffer argument: its element type, and its placeholder and element count as the C arguments. */
  private static void buffer(Value v, List<CType> types, List<String> cargs) {
    types.add(CType.of(v.type().elementType()));
    cargs.add("@" + v.name() + "@");
    cargs.add(Long.toString(v.type().shape().numElements()));
  }

  /** The C expression of a buffer: an input, an arena buffer, or a graph constant (emitted on first use). */
  private String exprOf(Value v) {
    String e = expr.get(v);
    if (e == null) {
      e = constant(constData.get(v), CType.of(v.type().elementType()));
      expr.put(v, e);
    }
    return e;
  }

  /**
   * Declares, in {@code before}, the array {@code p} of the values' buffers (elements of type
   * {@code pointer}) and {@code p_n} of their sizes; the three arguments that pass them.
   */
  private static String pointers(StringBuilder before, String p, String pointer, List<Value> values) {
    List<String> parts = new ArrayList<>();
    List<String> counts = new ArrayList<>();
    for (Value v : values) {
      parts.add("@" + v.name() + "@");
      counts.add(Long.toString(v.type().shape().numElements()));
    }
    before.append("    ").append(pointer).append(p).append("[] = {").append(String.join(", ", parts)).append("};\n");
    before.append("    static const int32_t ").append(p).append("_n[] = {").append(String.join(", ", counts))
        .append("};\n");
    return p + ", " + p + "_n, " + parts.size();
  }

  /** Replaces each {@code @value@} placeholder with the C expression of that value's buffer. */
  private String resolve(String call, Node n, Node fused) {
    Map<String, Value> byName = new HashMap<>();
    for (Value v : n.operands()) {
      byName.put(v.name(), v);
    }
    for (Value v : n.results()) {
      byName.put(v.name(), v);
    }
    if (fused != null) {
      for (Value v : fused.results()) {
        byName.put(v.name(), v);
      }
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (true) {
      int s = call.indexOf('@', i);
      if (s < 0) {
        out.append(call, i, call.length());
        return out.toString();
      }
      int e = call.indexOf('@', s + 1);
      out.append(call, i, s);
      String key = call.substring(s + 1, e);
      if (key.startsWith("#")) {
        int index = Integer.parseInt(key.substring(1));
        out.append("((").append(scratchTypes.get(index).c()).append(" *) (a + ").append(plan.offset(index)).append("))");
      } else {
        out.append(exprOf(root.get(byName.get(key))));
      }
      i = e + 1;
    }
  }

  /**
   * Integer constants of at least this many elements are written as strings of their bytes ({@link
   * CSource#bytesConstant}), which compilers read many times faster than lists of numbers (gcc 12:
   * ResNet-18's weights, 88 MB of numbers, took 44 s to read).
   */
  static final int BYTES_MIN = 1024;

  /** Before the first constant written as bytes: they are little-endian; a compiler that says otherwise stops. */
  static final String LITTLE_ENDIAN_CHECK = """
      /* The large integer constants below are strings of their bytes, least significant byte first. */
      #if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
      #error "this model's constants are little-endian; the target is not"
      #endif
      """;

  private boolean littleEndianChecked;

  /** The name of a static const array holding these values (one array for equal contents). */
  private String constant(Object values, CType t) {
    if (planOnly) {
      return "k";
    }
    String key = t + ":" + switch (values) {
      case int[] v -> Arrays.toString(v);
      case float[] v -> Arrays.toString(floatBits(v));
      case double[] v -> Arrays.toString(doubleBits(v));
      case long[] v -> Arrays.toString(v);
      case short[] v -> Arrays.toString(v);
      default -> throw new IllegalStateException();
    };
    return constantNames.computeIfAbsent(key, k -> {
      String c = (part ? name + "_k" : "k") + constantNames.size();
      int n = java.lang.reflect.Array.getLength(values);
      weightBytes += (long) n * t.size();
      if ((values instanceof int[] || values instanceof short[]) && n >= BYTES_MIN && t.size() <= 4) {
        if (!littleEndianChecked) {
          constants.append(LITTLE_ENDIAN_CHECK);
          littleEndianChecked = true;
        }
        CSource.bytesConstant(constants, c, t.c(), t.size(), values instanceof int[] v ? v : widen((short[]) values));
        return c;
      }
      constants.append("static const ").append(t.c()).append(' ').append(c).append('[').append(Math.max(1, n))
          .append("] = {");
      if (n == 0) {
        constants.append('0');
      }
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          constants.append(i % 16 == 0 ? ",\n  " : ", ");
        }
        constants.append(switch (values) {
          case int[] v -> CSource.intLiteral(v[i]);
          case float[] v -> CSource.floatLiteral(v[i]);
          case double[] v -> CSource.doubleLiteral(v[i]);
          case long[] v -> CSource.longLiteral(v[i]);
          case short[] v -> Integer.toString(v[i]);
          default -> throw new IllegalStateException();
        });
      }
      constants.append("};\n");
      return c;
    });
  }

  /** A constant of the graph (a const node) as an array of its storage type. */
  private String constant(TensorData d, CType t) {
    int n = Math.toIntExact(d.size());
    return switch (t) {
      case F32 -> {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = Float.intBitsToFloat((int) d.getRawBits(i));
        }
        yield constant(f, t);
      }
      default -> {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
          v[i] = (int) d.getLong(i);
        }
        yield constant(v, t);
      }
    };
  }

  private static int[] widen(short[] v) {
    int[] w = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      w[i] = v[i];
    }
    return w;
  }

  private static int[] floatBits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }

  private static long[] doubleBits(double[] v) {
    long[] b = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Double.doubleToRawLongBits(v[i]);
    }
    return b;
  }

  /** Only f32 and integer types up to 32 bits (as the other backends). */
  private static void checkType(Value v, Node n) throws CompileException {
    ElementType e = v.type().elementType();
    if (e == ElementType.F64 || e == ElementType.I64) {
      throw new CompileException(n == null ? v.location() : n.location(), "the c backend does not run " + e
          + " values yet (%" + v.name() + ")");
    }
  }

  private static long bytes(TensorType t) {
    return t.shape().numElements() * CType.of(t.elementType()).size();
  }

  private static String comment(Node n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n.results().size(); i++) {
      b.append(i == 0 ? "%" : ", %").append(n.results().get(i).name());
    }
    b.append(" = ").append(n.op().keyword());
    if (n.location().isKnown()) {
      b.append(", line ").append(n.location().line());
    }
    return b.toString().replace("*/", "* /");
  }

  private static String unique(String base, Set<String> used) {
    String s = base;
    for (int k = 2; !used.add(s); k++) {
      s = base + "_" + k;
    }
    return s;
  }

  /** A C identifier made of a name: letters, digits and underscores, not starting with a digit. */
  public static String cName(String name) {
    StringBuilder b = new StringBuilder();
    for (char ch : name.toCharArray()) {
      b.append((ch < 128 && Character.isLetterOrDigit(ch)) || ch == '_' ? ch : '_');
    }
    if (b.isEmpty() || Character.isDigit(b.charAt(0))) {
      b.insert(0, 'm');
    }
    return b.toString();
  }
}
