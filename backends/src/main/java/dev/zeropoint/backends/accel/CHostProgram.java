package dev.zeropoint.backends.accel;

import dev.zeropoint.backends.c.CEmitter;
import dev.zeropoint.backends.c.CHarness;
import dev.zeropoint.backends.c.CLibrary;
import dev.zeropoint.backends.c.CSource;
import dev.zeropoint.backends.c.CType;
import dev.zeropoint.backends.c.MemoryPlan;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code compile --target <accelerator> --host c}: a partitioned model ({@link AccelBackend#programs}) as one C99
 * program that drives a VTA through its driver API ({@code zp_vta_driver.h}, VTA's {@code include/vta/driver.h}), as
 * {@link AccelBackend.Compiled#run} does in Java: the regions in order, each host region a function of the C backend
 * ({@link CEmitter#emitPart}), each accelerator region its DRAM image ({@link RegionProgram}) run on the device.
 *
 * <p>{@code <model>_init} allocates the device and, per accelerator region, the image ({@code VTAMemAlloc}), copies
 * the template in, relocates every LOAD and STORE to the image's physical address (each {@code dram_base} counts
 * elements of its memory type from the image's first byte: {@code + phys / element bytes}) and flushes it. Each call
 * of a region restores the activation arena from the template, packs the inputs ({@link TiledTensor#pack}), flushes
 * the arena, runs the instructions ({@code VTADeviceRun}), invalidates the arena and unpacks the outputs; a host
 * region's input that PyTorch holds channels-last is handed to it NHWC ({@link Partition.HostRegion#nhwc()}). The
 * tensors between regions and the host regions' arenas share one caller-provided arena ({@link MemoryPlan}).
 */
public final class CHostProgram {
  /** The driver header the program includes, written beside it. */
  public static final String DRIVER_HEADER = "zp_vta_driver.h";

  /** The program's files and what its header states. */
  public record Output(String name, String source, String header, String harness, String driverHeader,
      long arenaSize, List<Long> imageBytes, boolean usesFloat) {
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

  /** Error codes of the entry points, after 0 (success): the suffix of their macros and what they mean. */
  private static final List<String[]> ERRORS = List.of(
      new String[] {"DEVICE", "VTADeviceAlloc failed: no accelerator"},
      new String[] {"MEMORY", "VTAMemAlloc failed: no room for a region's DRAM image"},
      new String[] {"UNALIGNED", "VTAMemGetPhyAddr gave an image an address that is not a multiple of the size of "
          + "the elements its instructions address"},
      new String[] {"RANGE", "an instruction's relocated dram_base does not fit its field"},
      new String[] {"TIMEOUT", "VTADeviceRun failed: the accelerator did not finish the program in time"});

  private final AccelBackend.Compiled compiled;
  private final TargetDescription target;
  private final int maxThreads;
  private final Graph graph;
  private final String name;
  private final String upper;

  private CHostProgram(AccelBackend.Compiled compiled, TargetDescription target, int maxThreads) {
    this.compiled = compiled;
    this.target = target;
    this.maxThreads = maxThreads;
    this.graph = compiled.graph();
    this.name = CEmitter.cName(graph.name());
    this.upper = name.toUpperCase(Locale.ROOT);
  }

  /**
   * The program of a compiled model; its host regions get room for {@code maxThreads} threads. A host region the C
   * backend cannot compile, an output that is a constant, or a model with no accelerator region (compile it with
   * {@code --target c}) is a CompileException.
   */
  public static Output emit(AccelBackend.Compiled compiled, TargetDescription target, int maxThreads)
      throws CompileException {
    if (maxThreads < 1) {
      throw new IllegalArgumentException("threads " + maxThreads);
    }
    return new CHostProgram(compiled, target, maxThreads).emit();
  }

  private Output emit() throws CompileException {
    List<Partition.Region> regions = compiled.partition().regions();
    List<RegionProgram> programs = compiled.programs();
    if (programs.isEmpty()) {
      throw new CompileException(SourceLocation.UNKNOWN, "no layer of " + graph.name() + " runs on the "
          + target.name() + " accelerator: compile it with --target c");
    }
    Set<String> used = new HashSet<>(Set.of("arena", "a", "threads", "parallel", "context", "status"));
    Map<Value, String> params = new IdentityHashMap<>();
    for (Value in : graph.inputs()) {
      params.put(in, unique("in_" + CEmitter.cName(in.name()), used));
    }
    List<String> outParams = new ArrayList<>();
    for (Graph.Output o : graph.outputs()) {
      outParams.add(unique("out_" + CEmitter.cName(o.name()), used));
    }

    // Lifetimes in regions: the tensors between regions, each host region's arena, its NHWC inputs.
    Map<Value, Integer> lastUse = new IdentityHashMap<>();
    for (int i = 0; i < regions.size(); i++) {
      for (Value v : regions.get(i).inputs()) {
        lastUse.merge(v, i, Math::max);
      }
    }
    for (Graph.Output o : graph.outputs()) {
      lastUse.put(o.value(), regions.size());
    }
    List<MemoryPlan.Buffer> buffers = new ArrayList<>();
    Map<Value, Integer> valueBuffer = new IdentityHashMap<>();
    Map<Integer, CEmitter.Part> parts = new LinkedHashMap<>();
    Map<Integer, Integer> hostArena = new LinkedHashMap<>();
    Map<Integer, Map<Value, Integer>> nhwcBuffer = new LinkedHashMap<>();
    for (int i = 0; i < regions.size(); i++) {
      Partition.Region r = regions.get(i);
      for (Value v : r.outputs()) {
        valueBuffer.put(v, buffers.size());
        buffers.add(new MemoryPlan.Buffer(v.name(), bytes(v.type()), i, lastUse.getOrDefault(v, i)));
      }
      if (r instanceof Partition.HostRegion h) {
        CEmitter.Part part = CEmitter.emitPart(h.graph(), maxThreads);
        parts.put(i, part);
        hostArena.put(i, buffers.size());
        buffers.add(new MemoryPlan.Buffer(part.name() + ".arena", part.plan().size(), i, i));
        Map<Value, Integer> nhwc = new IdentityHashMap<>();
        for (Value v : h.inputs()) {
          if (h.nhwc().contains(v)) {
            nhwc.put(v, buffers.size());
            buffers.add(new MemoryPlan.Buffer(v.name() + ".nhwc", bytes(v.type()), i, i));
          }
        }
        nhwcBuffer.put(i, nhwc);
      }
    }
    MemoryPlan plan = MemoryPlan.of(buffers);

    Set<CLibrary.Instance> instances = new LinkedHashSet<>();
    parts.values().forEach(p -> instances.addAll(p.instances()));
    StringBuilder tables = new StringBuilder();
    StringBuilder body = new StringBuilder();
    body.append("  unsigned char *a = (unsigned char *) arena;\n  int status;\n")
        .append("  (void) a;\n  (void) threads;\n  (void) parallel;\n  (void) context;\n");
    body.append("  if (!").append(name).append("_ready) {\n    status = ").append(name).append("_init();\n")
        .append("    if (status != 0) {\n      return status;\n    }\n  }\n");
    StringBuilder tensors = new StringBuilder();
    StringBuilder images = new StringBuilder();
    StringBuilder regionTable = new StringBuilder();
    int accel = 0;
    int tensorCount = 0;
    int nhwcTables = 0;
    List<Long> imageBytes = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      Partition.Region r = regions.get(i);
      if (r instanceof Partition.AccelRegion a) {
        RegionProgram p = programs.get(accel);
        ProgramBuilder.Built b = p.built();
        String image = name + "_image" + accel;
        byteArray(images, image, b.image());
        imageBytes.add((long) b.image().length);
        regionTable.append(accel == 0 ? "  " : ",\n  ").append("{").append(image).append(", ")
            .append(b.image().length).append("u, ").append(b.arena()).append("u, ").append(b.insns()).append("u, ")
            .append(b.insnCount()).append("u}");
        String region = "&" + name + "_regions[" + accel + "]";
        String buffer = "&" + name + "_buffers[" + accel + "]";
        body.append("  /* region ").append(i).append(": the accelerator, ").append(a.layers().size())
            .append(" layers, ").append(b.insnCount()).append(" instructions (region")
            .append(String.format("%03d", accel)).append(".lst) */\n");
        body.append("  zp_vta_restore(").append(region).append(", ").append(buffer).append(");\n");
        for (Value v : r.inputs()) {
          tensor(tensors, tensorCount, p, v);
          body.append("  zp_vta_pack(").append(name).append("_buffers[").append(accel).append("].virt, &")
              .append(name).append("_tensors[").append(tensorCount++).append("], ").append(expr(v, params, valueBuffer,
                  plan)).append(");\n");
        }
        body.append("  status = zp_vta_run(").append(name).append("_device, ").append(region).append(", ")
            .append(buffer).append(");\n  if (status != 0) {\n    return status;\n  }\n");
        for (Value v : r.outputs()) {
          tensor(tensors, tensorCount, p, v);
          body.append("  zp_vta_unpack(").append(expr(v, params, valueBuffer, plan)).append(", ").append(name)
              .append("_buffers[").append(accel).append("].virt, &").append(name).append("_tensors[")
              .append(tensorCount++).append("]);\n");
        }
        accel++;
      } else {
        Partition.HostRegion h = (Partition.HostRegion) r;
        CEmitter.Part part = parts.get(i);
        body.append("  /* region ").append(i).append(": the host, ").append(summary(h)).append(" */\n");
        List<String> args = new ArrayList<>();
        for (Value v : h.inputs()) {
          CType t = CType.of(v.type().elementType());
          String source = expr(v, params, valueBuffer, plan);
          Integer nhwc = nhwcBuffer.get(i).get(v);
          if (nhwc != null) {
            // The NCHW tensor's elements in NHWC order: the gather kernel of permute, AccelBackend's index map.
            int[] source2 = AccelBackend.nhwcSource(v.type().shape());
            CType index = CType.narrowest(source2);
            String table = name + "_nhwc" + nhwcTables++;
            intArray(tables, index.c(), table, source2);
            CLibrary.Instance gather = new CLibrary.Instance(t.floating() ? "Layout_gatherFloats"
                : "Layout_gatherInts", List.of(t, t, index));
            instances.add(gather);
            String dst = arenaPointer(plan.offset(nhwc));
            int n = source2.length;
            body.append("  ").append(gather.cName()).append("((").append(t.c()).append(" *) ").append(dst).append(", ")
                .append(n).append(", (const ").append(t.c()).append(" *) ").append(source).append(", ").append(n)
                .append(", ").append(table).append(", ").append(n).append(");\n");
            source = dst;
          }
          args.add("(const " + t.c() + " *) " + source);
        }
        for (Value v : h.outputs()) {
          args.add("(" + CType.of(v.type().elementType()).c() + " *) " + expr(v, params, valueBuffer, plan));
        }
        args.add(arenaPointer(plan.offset(hostArena.get(i))));
        args.addAll(List.of("threads", "parallel", "context"));
        body.append("  ").append(part.name()).append("_run_parallel(").append(String.join(", ", args)).append(");\n");
      }
    }
    for (int o = 0; o < graph.outputs().size(); o++) {
      Graph.Output out = graph.outputs().get(o);
      Value v = out.value();
      if (!params.containsKey(v) && !valueBuffer.containsKey(v)) {
        throw new CompileException(out.location(), "output " + out.name() + " is a constant: the C host program of "
            + "the " + target.name() + " target does not write constant outputs yet");
      }
      long n = bytes(v.type());
      body.append(n > 0 ? "  memcpy(" + outParams.get(o) + ", " + expr(v, params, valueBuffer, plan) + ", " + n + ");\n"
          : "  (void) " + outParams.get(o) + ";\n");
    }
    body.append("  return 0;\n");

    boolean usesFor = parts.values().stream().anyMatch(CEmitter.Part::usesFor);
    String signature = signature(params, outParams, false);
    String parallelSignature = signature(params, outParams, true);
    List<String> callArgs = new ArrayList<>();
    graph.inputs().forEach(v -> callArgs.add(params.get(v)));
    callArgs.addAll(outParams);
    callArgs.addAll(List.of("arena", "1", "zp_serial", "NULL"));
    int regionCount = programs.size();

    StringBuilder s = new StringBuilder();
    s.append("/* ").append(name).append(".c: the model ").append(graph.name()).append(" on the ").append(target.name())
        .append(" accelerator, compiled by Zeropoint\n   (--target ").append(target.name())
        .append(" --host c): ").append(regionCount).append(" accelerator regions run through VTA's driver API, ")
        .append(regions.size() - regionCount).append(" host regions in C.\n   C99; includes only <stdint.h>, ")
        .append("<stddef.h> and <string.h>, and ").append(DRIVER_HEADER).append(". ").append(name)
        .append(".h says how to call it. */\n");
    s.append("#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n#include \"").append(DRIVER_HEADER)
        .append("\"\n#include \"").append(name).append(".h\"\n\n");
    s.append(CLibrary.source(List.of(), instances));
    s.append(CEmitter.SERIAL).append(usesFor ? CEmitter.FOR : "");
    for (CEmitter.Part part : parts.values()) {
      s.append(part.code());
    }
    s.append(tables).append('\n');
    s.append(encoding());
    s.append(resource("vta_host.c")).append('\n');
    s.append("/* The accelerator regions' DRAM images as compiled: micro-ops, weights, constants, the activation ")
        .append("arena,\n   the instructions (docs/vta-program.md). */\n");
    s.append(images);
    s.append("static const zp_vta_region ").append(name).append("_regions[").append(regionCount).append("] = {\n")
        .append(regionTable).append("\n};\n\n");
    s.append("/* The regions' inputs and outputs in their images, in the order the program uses them. */\n");
    s.append("static const zp_vta_tensor ").append(name).append("_tensors[").append(tensorCount).append("] = {\n")
        .append(tensors).append("\n};\n\n");
    s.append("static VTADeviceHandle ").append(name).append("_device = NULL;\n");
    s.append("static zp_vta_buffer ").append(name).append("_buffers[").append(regionCount).append("];\n");
    s.append("static int ").append(name).append("_ready = 0;\n\n");
    s.append(lifecycle(regionCount));
    s.append(parallelSignature).append(" {\n").append(body).append("}\n\n");
    s.append(signature).append(" {\n  return ").append(name).append("_run_parallel(")
        .append(String.join(", ", callArgs)).append(");\n}\n");
    String source = s.toString();
    boolean usesFloat = CSource.mentionsFloat(source);
    long weights = parts.values().stream().mapToLong(CEmitter.Part::weightBytes).sum();
    String header = header(plan, params, outParams, signature, parallelSignature, imageBytes, weights, usesFloat);
    String harness = CHarness.harness(graph, name, upper, new CHarness.Lifecycle(name + "_init", name + "_teardown",
        name + "_strerror", "-I. -lvta (VTA's driver library; docs/vta-program.md)"));
    return new Output(name, source, header, harness, resource(DRIVER_HEADER), plan.size(), List.copyOf(imageBytes),
        usesFloat);
  }

  /** The target's instruction encoding as the macros of vta_host.c, from {@link Isa}. */
  private String encoding() {
    Isa isa = new Isa(target);
    StringBuilder e = new StringBuilder("/* The ").append(target.name())
        .append(" target's instruction encoding (Isa) and the program's settings. */\n");
    field(e, isa, "OPCODE", "opcode");
    field(e, isa, "MEMORY_TYPE", "memory_type");
    int at = isa.offset("mem", "dram_base");
    int width = isa.width("mem", "dram_base");
    if (at / 64 != (at + width - 1) / 64) {
      throw new IllegalStateException("dram_base crosses a 64-bit word");
    }
    e.append("#define ZP_VTA_DRAM_BASE_WORD ").append(at / 64).append("\n#define ZP_VTA_DRAM_BASE_SHIFT ")
        .append(at % 64).append("\n#define ZP_VTA_DRAM_BASE_MASK UINT64_C(0x")
        .append(Long.toHexString(width == 64 ? -1L : (1L << width) - 1)).append(")\n");
    e.append("#define ZP_VTA_OPCODE_LOAD ").append(Isa.LOAD).append("\n#define ZP_VTA_OPCODE_STORE ")
        .append(Isa.STORE).append('\n');
    StringBuilder sizes = new StringBuilder();
    for (int code = 0; ; code++) {
      MemType t;
      try {
        t = MemType.ofCode(code);
      } catch (IllegalArgumentException end) {
        break;
      }
      sizes.append(code == 0 ? "" : ", ").append(target.elementBytes(t)).append('u');
    }
    e.append("/* Bytes of a DRAM element by memory_type (uop, wgt, inp, acc, out, acc_8bit). */\n")
        .append("#define ZP_VTA_ELEMENT_BYTES {").append(sizes).append("}\n");
    e.append("/* The cycles VTADeviceRun waits for a program (-D").append(upper)
        .append("_WAIT_CYCLES=N to change). */\n#ifndef ").append(upper).append("_WAIT_CYCLES\n#define ").append(upper)
        .append("_WAIT_CYCLES 2147483648u\n#endif\n#define ZP_VTA_WAIT_CYCLES ").append(upper).append("_WAIT_CYCLES\n");
    String[] codes = {"NO_DEVICE", "NO_MEMORY", "UNALIGNED", "RANGE", "TIMEOUT"};
    for (int i = 0; i < codes.length; i++) {
      e.append("#define ZP_VTA_").append(codes[i]).append(' ').append(upper).append("_ERROR_")
          .append(ERRORS.get(i)[0]).append('\n');
    }
    return e.append('\n').toString();
  }

  private static void field(StringBuilder e, Isa isa, String macro, String field) {
    int at = isa.offset("mem", field);
    if (at >= 64) {
      throw new IllegalStateException(field + " is not in the first 64-bit word");
    }
    e.append("#define ZP_VTA_").append(macro).append("_SHIFT ").append(at).append("\n#define ZP_VTA_").append(macro)
        .append("_MASK 0x").append(Integer.toHexString((1 << isa.width("mem", field)) - 1)).append("u\n");
  }

  private String lifecycle(int regionCount) {
    StringBuilder s = new StringBuilder();
    s.append("int ").append(name).append("_init(void) {\n  size_t k;\n  int status;\n  if (").append(name)
        .append("_ready) {\n    return 0;\n  }\n  ").append(name).append("_device = VTADeviceAlloc();\n  if (")
        .append(name).append("_device == NULL) {\n    return ").append(upper).append("_ERROR_DEVICE;\n  }\n")
        .append("  for (k = 0; k < ").append(regionCount).append("; k++) {\n    status = zp_vta_load(&").append(name)
        .append("_regions[k], &").append(name).append("_buffers[k]);\n    if (status != 0) {\n      ").append(name)
        .append("_teardown();\n      return status;\n    }\n  }\n  ").append(name).append("_ready = 1;\n  return 0;\n}\n\n");
    s.append("void ").append(name).append("_teardown(void) {\n  size_t k;\n  for (k = 0; k < ").append(regionCount)
        .append("; k++) {\n    if (").append(name).append("_buffers[k].virt != NULL) {\n      VTAMemFree(").append(name)
        .append("_buffers[k].virt);\n      ").append(name).append("_buffers[k].virt = NULL;\n    }\n  }\n  if (")
        .append(name).append("_device != NULL) {\n    VTADeviceFree(").append(name).append("_device);\n    ")
        .append(name).append("_device = NULL;\n  }\n  ").append(name).append("_ready = 0;\n}\n\n");
    s.append("const char *").append(name).append("_strerror(int status) {\n  switch (status) {\n")
        .append("    case 0:\n      return \"no error\";\n");
    for (String[] e : ERRORS) {
      s.append("    case ").append(upper).append("_ERROR_").append(e[0]).append(":\n      return \"").append(e[1])
          .append("\";\n");
    }
    s.append("    default:\n      return \"unknown error\";\n  }\n}\n\n");
    return s.toString();
  }

  private String header(MemoryPlan plan, Map<Value, String> params, List<String> outParams, String signature,
      String parallelSignature, List<Long> imageBytes, long weights, boolean usesFloat) {
    StringBuilder h = new StringBuilder();
    h.append("/* ").append(name).append(".h: the model ").append(graph.name()).append(" on the ").append(target.name())
        .append(" accelerator, compiled by Zeropoint (--target ").append(target.name()).append(" --host c). */\n");
    h.append("#ifndef ").append(upper).append("_H\n#define ").append(upper).append("_H\n\n");
    h.append("#include <stddef.h>\n#include <stdint.h>\n\n");
    h.append("/* Bytes of the host's arena: the host regions' activations and the tensors between regions. */\n");
    h.append("#define ").append(upper).append("_ARENA_SIZE ").append(plan.size()).append("u\n");
    h.append("/* The arena's address must be a multiple of this (malloc's is not always). */\n");
    h.append("#define ").append(upper).append("_ARENA_ALIGNMENT ").append(MemoryPlan.ALIGNMENT).append("u\n");
    h.append("/* Bytes of constant data of the host regions in ").append(name).append(".c. */\n");
    h.append("#define ").append(upper).append("_WEIGHT_SIZE ").append(weights).append("u\n");
    h.append("/* The most threads ").append(name).append("_run_parallel uses in the host regions. */\n");
    h.append("#define ").append(upper).append("_MAX_THREADS ").append(maxThreads).append("\n\n");
    h.append("/* The accelerator regions: each one DRAM image that ").append(name)
        .append("_init allocates with VTAMemAlloc (one\n   buffer each, physically contiguous), at a physical address ")
        .append("that is a multiple of ").append(upper).append("_IMAGE_ALIGNMENT. */\n");
    h.append("#define ").append(upper).append("_ACCELERATOR_REGIONS ").append(imageBytes.size()).append('\n');
    for (int k = 0; k < imageBytes.size(); k++) {
      h.append("#define ").append(upper).append("_IMAGE").append(k).append("_SIZE ").append(imageBytes.get(k))
          .append("u\n");
    }
    h.append("#define ").append(upper).append("_IMAGE_SIZE ")
        .append(imageBytes.stream().mapToLong(Long::longValue).sum()).append("u\n");
    h.append("#define ").append(upper).append("_IMAGE_ALIGNMENT ").append(new ProgramBuilder(target).alignment())
        .append("u\n\n");
    h.append("/* What the entry points return: 0, or one of these (").append(name).append("_strerror says it in words). */\n");
    for (int i = 0; i < ERRORS.size(); i++) {
      h.append("#define ").append(upper).append("_ERROR_").append(ERRORS.get(i)[0]).append(' ').append(i + 1)
          .append('\n');
    }
    h.append('\n');
    for (Value in : graph.inputs()) {
      describe(h, "input", params.get(in), in.name(), in.type());
    }
    for (int i = 0; i < outParams.size(); i++) {
      Graph.Output o = graph.outputs().get(i);
      describe(h, "output", outParams.get(i), o.name(), o.value().type());
    }
    h.append("\n/* Allocates the device (VTADeviceAlloc) and the images, copies them in, relocates their\n")
        .append("   instructions to the images' physical addresses and flushes them: 0, or an error code (then\n")
        .append("   nothing stays allocated). ").append(name).append("_run calls it when it has not run. */\n");
    h.append("int ").append(name).append("_init(void);\n\n");
    h.append("/* Runs the model: reads the inputs, writes every output, uses the arena (").append(upper)
        .append("_ARENA_SIZE bytes,\n   aligned to ").append(upper).append("_ARENA_ALIGNMENT) for the host regions; ")
        .append("0, or an error code. Not reentrant: one\n   run at a time (the images are the program's state).\n")
        .append("   Build: cc -std=c99 -O2 ").append(usesFloat ? "-ffp-contract=off " : "").append(name)
        .append(".c ... with VTA's driver library (docs/vta-program.md). */\n");
    h.append(signature).append(";\n\n");
    h.append("/* As ").append(name).append("_run, with the host regions' parallel loops split in threads parts (")
        .append(name).append("_run_parallel\n   of the C backend: docs/c.md). */\n");
    h.append(parallelSignature).append(";\n\n");
    h.append("/* Frees the images and the device; ").append(name).append("_init may run again. */\n");
    h.append("void ").append(name).append("_teardown(void);\n\n");
    h.append("/* What an error code means. */\n");
    h.append("const char *").append(name).append("_strerror(int status);\n\n#endif\n");
    return h.toString();
  }

  private void describe(StringBuilder h, String kind, String param, String irName, TensorType t) {
    h.append("/* ").append(kind).append(" ").append(param).append(" (%").append(irName).append("): ").append(t)
        .append(" */\n");
    h.append("#define ").append(upper).append("_").append(param.toUpperCase(Locale.ROOT)).append("_ELEMENTS ")
        .append(t.shape().numElements()).append("u\n");
  }

  private String signature(Map<Value, String> params, List<String> outParams, boolean parallel) {
    return CEmitter.entrySignature("int", name, graph, graph.inputs().stream().map(params::get).toList(), outParams,
        parallel);
  }


  /** One record of the tensor table: where {@code v} lies in region {@code p}'s image, and how. */
  private static void tensor(StringBuilder tensors, int index, RegionProgram p, Value v) {
    TiledTensor l = p.layout(v);
    tensors.append(index == 0 ? "  " : ",\n  ").append("{").append(p.address(v)).append("u, ").append(l.batches())
        .append("u, ").append(l.channels()).append("u, ").append(l.height()).append("u, ").append(l.width())
        .append("u, ").append(l.block()).append("u, ").append(l.offset()).append(", ").append(l.rows() ? 1 : 0)
        .append("} /* %").append(v.name().replace("*/", "* /")).append(" */");
  }

  /** The C expression of the buffer holding {@code v}: the caller's input or the arena. */
  private static String expr(Value v, Map<Value, String> params, Map<Value, Integer> valueBuffer, MemoryPlan plan) {
    String p = params.get(v);
    if (p != null) {
      return p;
    }
    Integer b = valueBuffer.get(v);
    if (b == null) {
      throw new IllegalStateException("%" + v.name() + " is computed by no region");
    }
    return arenaPointer(plan.offset(b));
  }

  private static String arenaPointer(long offset) {
    return "(a + " + offset + ")";
  }

  private static String summary(Partition.HostRegion h) {
    Map<String, Integer> ops = new LinkedHashMap<>();
    for (Node n : h.nodes()) {
      ops.merge(n.op().keyword(), 1, Integer::sum);
    }
    StringBuilder s = new StringBuilder();
    ops.forEach((k, v) -> s.append(s.isEmpty() ? "" : ", ").append(v).append(' ').append(k));
    return s.toString();
  }

  private static void byteArray(StringBuilder s, String name, byte[] bytes) {
    s.append("static const unsigned char ").append(name).append('[').append(bytes.length).append("] = {");
    for (int i = 0; i < bytes.length; i++) {
      s.append(i == 0 ? "" : i % 32 == 0 ? ",\n  " : ",").append(bytes[i] & 0xFF);
    }
    s.append("};\n\n");
  }

  private static void intArray(StringBuilder s, String type, String name, int[] values) {
    s.append("static const ").append(type).append(' ').append(name).append('[').append(Math.max(1, values.length))
        .append("] = {");
    if (values.length == 0) {
      s.append('0');
    }
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : i % 16 == 0 ? ",\n  " : ", ").append(CSource.intLiteral(values[i]));
    }
    s.append("};\n");
  }

  private static long bytes(TensorType t) {
    return t.shape().numElements() * CType.of(t.elementType()).size();
  }

  private static String unique(String base, Set<String> used) {
    String s = base;
    for (int k = 2; !used.add(s); k++) {
      s = base + "_" + k;
    }
    return s;
  }

  private static String resource(String file) {
    try (InputStream in = CHostProgram.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
