package dev.zeropoint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zeropoint.backends.InputException;
import dev.zeropoint.backends.accel.AccelBackend;
import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.CHostProgram;
import dev.zeropoint.backends.accel.Partition;
import dev.zeropoint.backends.accel.Pow2Requantization;
import dev.zeropoint.backends.accel.ProgramFile;
import dev.zeropoint.backends.accel.RegionProgram;
import dev.zeropoint.backends.accel.SimStats;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Printer;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The accelerator targets on the command line: {@code --requantize pow2}, the compiled files, the statistics. */
final class Accel {
  private Accel() {}

  /**
   * The lowered graph for an accelerator target; with {@code pow2}, its requantization scales rounded to
   * powers of two, each change reported on {@code err}, with the effect on the outputs for these inputs
   * (none: not measured).
   */
  static Graph lower(Graph g, Path model, boolean pow2, Map<String, TensorData> samples, PrintWriter err) {
    Graph lowered;
    try {
      lowered = Lowering.pipeline(g);
      if (!pow2) {
        return lowered;
      }
      Pow2Requantization.Result r = Pow2Requantization.apply(lowered);
      for (Pow2Requantization.Change c : r.changes()) {
        err.printf("zeropoint: --requantize pow2: %%%s: scale %.6g becomes %.6g (%+.1f%%)%n", c.node().result().name(),
            c.worstScale(), c.roundedScale(), 100 * (c.roundedScale() / c.worstScale() - 1));
      }
      if (samples != null && !r.changes().isEmpty()) {
        Map<String, TensorData> exact = new Interpreter().prepare(lowered).run(samples);
        Map<String, TensorData> rounded = new Interpreter().prepare(r.graph()).run(samples);
        for (Map.Entry<String, TensorData> e : exact.entrySet()) {
          TensorData a = e.getValue();
          TensorData b = rounded.get(e.getKey());
          long differ = 0;
          double worst = 0;
          for (long i = 0; i < a.size(); i++) {
            double d = Math.abs(a.getDouble(i) - b.getDouble(i));
            if (d != 0) {
              differ++;
              worst = Math.max(worst, d);
            }
          }
          err.printf("zeropoint: --requantize pow2: output %s: %d of %d elements differ from the exact model on these "
              + "inputs (largest difference %.6g)%n", e.getKey(), differ, a.size(), worst);
        }
      }
      return r.graph();
    } catch (CompileException e) {
      throw new UserError(Models.render(model, e.diagnostics()));
    } catch (InputException e) {
      throw new UserError("zeropoint: " + model + ": " + e.getMessage());
    }
  }

  static AccelTarget target(String name) {
    return AccelTarget.named(name).orElseThrow(() -> new UserError("zeropoint: unknown target '" + name + "'"));
  }

  /** The files of {@code compile --target <accelerator>}: per region a program and a listing, host models, plan.json. */
  static Map<Path, byte[]> files(AccelTarget target, AccelBackend.Compiled c, Path dir) {
    Map<Path, byte[]> files = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode plan = json.createObjectNode();
    plan.put("target", target.name());
    ArrayNode steps = plan.putArray("steps");
    int accel = 0;
    int host = 0;
    List<RegionProgram> programs = c.programs();
    for (Partition.Region r : c.partition().regions()) {
      ObjectNode step = steps.addObject();
      if (r instanceof Partition.AccelRegion) {
        RegionProgram p = programs.get(accel);
        String name = String.format("region%03d", accel++);
        files.put(dir.resolve(name + ".zpa"), ProgramFile.write(p, target.description()));
        files.put(dir.resolve(name + ".lst"), ProgramFile.listing(p, target.description())
            .getBytes(StandardCharsets.UTF_8));
        step.put("accelerator", name + ".zpa");
        step.put("listing", name + ".lst");
        step.put("instructions", p.insnCount());
        step.put("image_bytes", p.built().image().length);
        tensors(step.putArray("inputs"), r.inputs(), p);
        tensors(step.putArray("outputs"), r.outputs(), p);
      } else {
        Partition.HostRegion h = (Partition.HostRegion) r;
        String name = String.format("host%03d.qg", host++);
        files.put(dir.resolve(name), Printer.print(h.graph()).getBytes(StandardCharsets.UTF_8));
        step.put("host", name);
        ArrayNode in = step.putArray("inputs");
        for (Value v : r.inputs()) {
          ObjectNode t = in.addObject();
          t.put("value", v.name());
          t.put("nhwc", h.nhwc().contains(v));
        }
        ArrayNode out = step.putArray("outputs");
        r.outputs().forEach(v -> out.add(v.name()));
      }
    }
    try {
      files.put(dir.resolve("plan.json"), json.writeValueAsBytes(plan));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return files;
  }

  /**
   * The files of {@code compile --target <accelerator> --host c}: the model as one C program driving VTA
   * ({@link CHostProgram}), its header, harness and driver header.
   */
  static Map<Path, byte[]> cProgram(AccelTarget target, AccelBackend.Compiled c, Path model, Path dir, int threads) {
    CHostProgram.Output p;
    try {
      p = CHostProgram.emit(c, target.description(), threads);
    } catch (CompileException e) {
      if (e.diagnostics().stream().noneMatch(d -> d.location().isKnown())) {
        // About the model as a whole: one line naming the file.
        throw new UserError("zeropoint: " + model + ": " + String.join("; ",
            e.diagnostics().stream().map(dev.zeropoint.ir.Diagnostic::message).toList()));
      }
      throw new UserError(Models.render(model, e.diagnostics()));
    }
    Map<Path, byte[]> files = new LinkedHashMap<>();
    files.put(dir.resolve(p.sourceFile()), p.source().getBytes(StandardCharsets.UTF_8));
    files.put(dir.resolve(p.headerFile()), p.header().getBytes(StandardCharsets.UTF_8));
    files.put(dir.resolve(p.harnessFile()), p.harness().getBytes(StandardCharsets.UTF_8));
    files.put(dir.resolve(CHostProgram.DRIVER_HEADER), p.driverHeader().getBytes(StandardCharsets.UTF_8));
    return files;
  }

  private static void tensors(ArrayNode a, List<Value> values, RegionProgram p) {
    for (Value v : values) {
      ObjectNode t = a.addObject();
      t.put("value", v.name());
      t.put("byte_offset", p.address(v));
      var l = p.layout(v);
      t.put("batches", l.batches()).put("channels", l.channels()).put("height", l.height()).put("width", l.width())
          .put("block", l.block()).put("value_offset", l.offset()).put("rows", l.rows());
    }
  }

  /** The statistics of the accelerator calls: instructions, DRAM traffic, cycles, the share of MACs. */
  static String stats(AccelTarget target, AccelBackend.Compiled c) {
    SimStats s = c.stats();
    Partition p = c.partition();
    StringBuilder b = new StringBuilder();
    b.append(String.format("target %s: %d accelerator regions, %d host regions%n", target.name(), c.programs().size(),
        p.regions().size() - c.programs().size()));
    b.append(String.format("MACs on the accelerator: %d of %d (%.1f%%)%n", p.acceleratorMacs(), p.totalMacs(),
        p.totalMacs() == 0 ? 0.0 : 100.0 * p.acceleratorMacs() / p.totalMacs()));
    if (s != null) {
      b.append(String.format("instructions: %d (load %d, gemm %d, alu %d, store %d, finish %d)%n",
          s.loadInsns() + s.gemmInsns() + s.aluInsns() + s.storeInsns() + s.finishInsns(), s.loadInsns(),
          s.gemmInsns(), s.aluInsns(), s.storeInsns(), s.finishInsns()));
      b.append(String.format("DRAM bytes: %d (uop %d, inp %d, wgt %d, acc %d, out %d)%n", s.dramBytes(),
          s.uopLoadBytes(), s.inpLoadBytes(), s.wgtLoadBytes(), s.accLoadBytes(), s.outStoreBytes()));
      b.append(String.format("GEMM tile products: %d, ALU vector ops: %d, estimated cycles: %d%n", s.gemmOps(),
          s.aluOps(), s.cycles()));
    }
    for (Partition.HostReason r : p.hostReasons()) {
      b.append(String.format("on the host: %%%s: %s%n", r.node().result().name(), r.why()));
    }
    return b.toString();
  }
}
