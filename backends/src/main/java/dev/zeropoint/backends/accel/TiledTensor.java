package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import java.util.Optional;

/**
 * How an 8-bit activation tensor lies in accelerator DRAM: as {@code batches x blocks x height x
 * width} elements of {@code block} int8 lanes (channel {@code c} in block {@code c / block}, lane
 * {@code c % block}; lanes past the last channel are zero). A 4-D tensor {@code [N, C, H, W]} maps
 * directly; the input or output of a linear layer {@code [..., K]} is {@code 1 x K x 1 x rows}, one
 * position per row, so a linear layer is a 1x1 convolution over its rows.
 *
 * <p>The accelerator computes in signed int8: a u8 tensor is stored as {@code x - 128} (its bits
 * with the top one flipped), an i8 tensor as is. {@link #offset()} is what was added.
 *
 * <p>The C host program ({@link CHostProgram}) packs and unpacks with the same walk in C ({@code zp_vta_pack} and
 * {@code zp_vta_unpack} in {@code vta_host.c}, given these fields); CHostProgramTest checks that every image the
 * device runs is the Java backend's, byte for byte.
 */
public record TiledTensor(int batches, int channels, int height, int width, int block, int offset, boolean rows) {

  /** The layout of a tensor, or empty when it is not 8-bit or not of rank 2 to 4 (2 and 3: linear rows). */
  public static Optional<TiledTensor> of(TensorType t, int block) {
    ElementType e = t.elementType();
    if (e != ElementType.U8 && e != ElementType.I8) {
      return Optional.empty();
    }
    int offset = e == ElementType.U8 ? -128 : 0;
    int[] d = t.shape().toArray();
    return switch (d.length) {
      case 4 -> Optional.of(new TiledTensor(d[0], d[1], d[2], d[3], block, offset, false));
      case 2, 3 -> {
        long rows = t.shape().numElements() / d[d.length - 1];
        yield Optional.of(new TiledTensor(1, d[d.length - 1], 1, Math.toIntExact(rows), block, offset, true));
      }
      default -> Optional.empty();
    };
  }

  /** Channel blocks. */
  public int blocks() {
    return (channels + block - 1) / block;
  }

  /** Bytes in DRAM. */
  public long bytes() {
    return (long) batches * blocks() * height * width * block;
  }

  /** DRAM elements (of {@code block} bytes) from the tensor's start to (batch, channel block, row, column). */
  public long element(int n, int cb, int y, int x) {
    return (((long) n * blocks() + cb) * height + y) * width + x;
  }

  /**
   * Whether the two layouts put every element (in the IR's row-major order) at the same byte, with the
   * same offset: a reshape between them moves no byte.
   */
  public boolean sameDram(TiledTensor o) {
    if (equals(o)) {
      return true;
    }
    if (bytes() != o.bytes() || offset != o.offset || block != o.block || elements() != o.elements()) {
      return false;
    }
    return java.util.Arrays.equals(positions(), o.positions());
  }

  private long elements() {
    return (long) batches * channels * height * width;
  }

  /** The byte of each element, in the IR's order. */
  private int[] positions() {
    int[] p = new int[Math.toIntExact(elements())];
    walk((ir, tiled) -> p[ir] = tiled);
    return p;
  }

  /** Receives an element's index in the IR tensor (row-major) and its byte in the tiled layout. */
  @FunctionalInterface
  private interface Element {
    void at(int ir, int tiled);
  }

  /** Visits every element of the tensor (not the lanes past the last channel). */
  private void walk(Element e) {
    for (int n = 0; n < batches; n++) {
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < height; y++) {
          for (int x = 0; x < width; x++) {
            long ir = rows ? (long) x * channels + c : (((long) n * channels + c) * height + y) * width + x;
            e.at(Math.toIntExact(ir), Math.toIntExact(element(n, c / block, y, x) * block + c % block));
          }
        }
      }
    }
  }

  /** Writes the tensor's elements, offset, into {@code image} at byte {@code at}. */
  public void pack(TensorData d, byte[] image, int at) {
    walk((ir, tiled) -> image[at + tiled] = (byte) (d.getLong(ir) + offset));
  }

  /** Reads the tensor back from {@code image} at byte {@code at}, removing the offset. */
  public TensorData unpack(byte[] image, int at, TensorType type) {
    long[] values = new long[Math.toIntExact(type.shape().numElements())];
    walk((ir, tiled) -> values[ir] = image[at + tiled] - offset);
    return TensorData.ofLongs(type.elementType(), type.shape(), values);
  }
}
