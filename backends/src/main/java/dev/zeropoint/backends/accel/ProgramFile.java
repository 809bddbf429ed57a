package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.Value;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The program file of one accelerator region (docs/vta-program.md): a little-endian header (magic,
 * version, the target configuration, the sections of the image, the boundary tensors), then the DRAM
 * image, whose first byte is address 0 of every {@code dram_base}.
 */
public final class ProgramFile {
  public static final byte[] MAGIC = "ZPVTAPRG".getBytes(StandardCharsets.US_ASCII);
  public static final int VERSION = 1;
  /** The image starts at a multiple of this many bytes. */
  public static final int IMAGE_ALIGNMENT = 256;

  private ProgramFile() {}

  /** A boundary tensor as the header lists it. */
  public record Tensor(boolean output, String name, long offset, TiledTensor layout) {}

  /** A read program file. */
  public record Contents(TargetDescription target, byte[] image, long[] sections, int insnCount,
      List<Tensor> tensors) {}

  /** The file's bytes. */
  public static byte[] write(RegionProgram p, TargetDescription t) {
    ByteArrayOutputStream tensors = new ByteArrayOutputStream();
    int count = 0;
    for (boolean output : new boolean[] {false, true}) {
      for (Value v : output ? p.region().outputs() : p.region().inputs()) {
        TiledTensor l = p.layout(v);
        byte[] name = v.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = le(44 + name.length);
        b.putInt(output ? 1 : 0).putLong(p.address(v)).putInt(l.batches()).putInt(l.channels()).putInt(l.height())
            .putInt(l.width()).putInt(l.block()).putInt(l.offset()).putInt(l.rows() ? 1 : 0).putInt(name.length)
            .put(name);
        tensors.writeBytes(b.array());
        count++;
      }
    }
    int fixed = 120;
    int header = roundUp(fixed + tensors.size(), IMAGE_ALIGNMENT);
    ProgramBuilder.Built built = p.built();
    ByteBuffer h = le(header);
    h.put(MAGIC).putInt(VERSION).putInt(header);
    h.putInt(t.batch()).putInt(t.blockIn()).putInt(t.blockOut()).putInt(t.uopDepth()).putInt(t.inpDepth())
        .putInt(t.wgtDepth()).putInt(t.accDepth());
    int ops = 0;
    for (AluOp op : t.aluOps()) {
      ops |= 1 << op.code();
    }
    h.putInt(ops).putInt(t.minShift()).putInt(t.maxShift()).putInt(t.immBits()).putInt(t.loopBits());
    h.putLong(built.image().length);
    h.putLong(built.uops()).putLong(built.weights()).putLong(built.constants()).putLong(built.arena())
        .putLong(built.insns());
    h.putInt(built.insnCount()).putInt(count);
    h.put(tensors.toByteArray());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(h.array());
    out.writeBytes(built.image());
    return out.toByteArray();
  }

  /** Reads a program file; a malformed one is an IllegalArgumentException saying what is wrong. */
  public static Contents read(byte[] file, String targetName) {
    if (file.length < 120 || !java.util.Arrays.equals(java.util.Arrays.copyOf(file, 8), MAGIC)) {
      throw new IllegalArgumentException("not a Zeropoint accelerator program (bad magic)");
    }
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    b.position(8);
    int version = b.getInt();
    if (version != VERSION) {
      throw new IllegalArgumentException("program version " + version + ", this reader knows " + VERSION);
    }
    int header = b.getInt();
    int batch = b.getInt();
    int blockIn = b.getInt();
    int blockOut = b.getInt();
    int uop = b.getInt();
    int inp = b.getInt();
    int wgt = b.getInt();
    int acc = b.getInt();
    int ops = b.getInt();
    java.util.Set<AluOp> set = java.util.EnumSet.noneOf(AluOp.class);
    for (AluOp op : AluOp.values()) {
      if ((ops >>> op.code() & 1) != 0) {
        set.add(op);
      }
    }
    TargetDescription t = new TargetDescription(targetName, batch, blockIn, blockOut, uop, inp, wgt, acc, set,
        b.getInt(), b.getInt(), b.getInt(), b.getInt());
    long size = b.getLong();
    long[] sections = new long[5];
    for (int i = 0; i < 5; i++) {
      sections[i] = b.getLong();
    }
    int insns = b.getInt();
    int count = b.getInt();
    List<Tensor> tensors = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean output = b.getInt() == 1;
      long offset = b.getLong();
      TiledTensor l = new TiledTensor(b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(),
          b.getInt() == 1);
      byte[] name = new byte[b.getInt()];
      b.get(name);
      tensors.add(new Tensor(output, new String(name, StandardCharsets.UTF_8), offset, l));
    }
    if ((long) header + size != file.length) {
      throw new IllegalArgumentException("the image holds " + (file.length - header) + " bytes, the header says "
          + size);
    }
    byte[] image = java.util.Arrays.copyOfRange(file, header, file.length);
    return new Contents(t, image, sections, insns, tensors);
  }

  /** The readable listing: one line per instruction with its queue, fields and what it moves or computes. */
  public static String listing(RegionProgram p, TargetDescription t) {
    ProgramBuilder.Built b = p.built();
    StringBuilder s = new StringBuilder();
    s.append("; ").append(t.name()).append(" program: ").append(b.insnCount()).append(" instructions at byte ")
        .append(b.insns()).append(", micro-ops at ").append(b.uops()).append(", weights at ").append(b.weights())
        .append(", constants at ").append(b.constants()).append(", arena at ").append(b.arena()).append('\n');
    for (Value v : p.region().inputs()) {
      s.append("; input  %").append(v.name()).append(" at byte ").append(p.address(v)).append(' ')
          .append(p.layout(v)).append('\n');
    }
    for (Value v : p.region().outputs()) {
      s.append("; output %").append(v.name()).append(" at byte ").append(p.address(v)).append(' ')
          .append(p.layout(v)).append('\n');
    }
    for (int i = 0; i < b.instructions().size(); i++) {
      Insn insn = b.instructions().get(i);
      s.append(String.format("%6d %-7s %s", i, insn.queue().name().toLowerCase(java.util.Locale.ROOT),
          Disassembler.text(insn)));
      String c = b.comments().get(i);
      if (!c.isEmpty()) {
        s.append("  ; ").append(c);
      }
      s.append('\n');
    }
    return s.toString();
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static int roundUp(int n, int a) {
    return (n + a - 1) / a * a;
  }
}
