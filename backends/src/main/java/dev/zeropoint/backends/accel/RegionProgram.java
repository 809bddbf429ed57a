package dev.zeropoint.backends.accel;

import dev.zeropoint.backends.c.MemoryPlan;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One accelerator region compiled: a DRAM image (micro-ops, weights, constants, the activation arena,
 * the instructions) and where each tensor crossing the region's boundary lives in it. The arena is
 * planned as the C backend plans its arena ({@link MemoryPlan}): tensors share bytes when their
 * lifetimes (in layers) do not overlap.
 */
public final class RegionProgram {
  private final Partition.AccelRegion region;
  private final ProgramBuilder.Built built;
  private final Map<Value, Long> address;
  private final Map<Value, TiledTensor> layout;

  private RegionProgram(Partition.AccelRegion region, ProgramBuilder.Built built, Map<Value, Long> address,
      Map<Value, TiledTensor> layout) {
    this.region = region;
    this.built = built;
    this.address = address;
    this.layout = layout;
  }

  public static RegionProgram compile(Partition.AccelRegion region, TargetDescription target)
      throws Layer.Unsupported {
    List<Layer> layers = region.layers();
    Map<Value, TiledTensor> layout = new IdentityHashMap<>();
    Map<Value, int[]> life = new LinkedHashMap<>();
    for (Value v : region.inputs()) {
      life.put(v, new int[] {0, 0});
    }
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      for (Value in : l.inputs()) {
        layout.put(in, l.in());
        life.computeIfAbsent(in, v -> new int[] {0, 0})[1] = i;
      }
      Value out = l.output();
      layout.put(out, l.out());
      life.put(out, new int[] {i, i});
    }
    for (Value v : region.outputs()) {
      life.get(v)[1] = layers.size();
    }
    List<Value> values = new ArrayList<>(life.keySet());
    List<MemoryPlan.Buffer> buffers = new ArrayList<>();
    for (Value v : values) {
      int[] lt = life.get(v);
      buffers.add(new MemoryPlan.Buffer(v.name(), layout.get(v).bytes(), lt[0], Math.max(lt[0], lt[1])));
    }
    MemoryPlan plan = MemoryPlan.of(buffers);
    ProgramBuilder b = new ProgramBuilder(target);
    if (MemoryPlan.ALIGNMENT % target.elementBytes(MemType.INP) != 0
        || MemoryPlan.ALIGNMENT % target.elementBytes(MemType.OUT) != 0) {
      throw new Layer.Unsupported("the arena's alignment does not suit this target's elements");
    }
    b.arena(plan.size());
    Map<Value, ProgramBuilder.Ref> refs = new IdentityHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      refs.put(values.get(i), new ProgramBuilder.Ref(ProgramBuilder.Section.ARENA, plan.offset(i)));
    }
    for (Layer l : layers) {
      l.emit(b, l.inputs().stream().map(refs::get).toList(), refs.get(l.output()));
      b.endLayer();
    }
    ProgramBuilder.Built built = b.build();
    Map<Value, Long> address = new IdentityHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      address.put(values.get(i), built.arena() + plan.offset(i));
    }
    return new RegionProgram(region, built, address, layout);
  }

  public ProgramBuilder.Built built() {
    return built;
  }

  /** The DRAM image with the region's inputs filled in (a fresh copy). */
  public byte[] image(Map<Value, TensorData> inputs) {
    byte[] image = built.image().clone();
    for (Value v : region.inputs()) {
      layout.get(v).pack(inputs.get(v), image, Math.toIntExact(address.get(v)));
    }
    return image;
  }

  /** The region's outputs read from an image the accelerator has run. */
  public Map<Value, TensorData> outputs(byte[] image) {
    Map<Value, TensorData> out = new IdentityHashMap<>();
    for (Value v : region.outputs()) {
      out.put(v, layout.get(v).unpack(image, Math.toIntExact(address.get(v)), v.type()));
    }
    return out;
  }

  public Partition.AccelRegion region() {
    return region;
  }

  /** Where a boundary tensor lives in the image (bytes from its start). */
  public long address(Value v) {
    return address.get(v);
  }

  /** How a boundary tensor is laid out. */
  public TiledTensor layout(Value v) {
    return layout.get(v);
  }

  /** Byte offset of the first instruction, and their number. */
  public int insnOffset() {
    return Math.toIntExact(built.insns());
  }

  public int insnCount() {
    return built.insnCount();
  }
}
