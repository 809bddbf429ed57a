package dev.zeropoint.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model input or output: its name, element type ({@code f32}, {@code u8}, {@code i8}, {@code i32},
 * ...), shape and, for quantized tensors, scales and zero points (one of each per tensor, or one per
 * channel along {@code axis}). {@code real = scale * (q - zeroPoint)}.
 */
public record TensorSpec(String name, String elementType, int[] shape, double[] scales, long[] zeroPoints, int axis) {
  public TensorSpec {
    shape = shape.clone();
    scales = scales.clone();
    zeroPoints = zeroPoints.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public double[] scales() {
    return scales.clone();
  }

  @Override
  public long[] zeroPoints() {
    return zeroPoints.clone();
  }

  /** The number of elements. */
  public int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  public boolean isQuantized() {
    return scales.length > 0;
  }

  /** Whether the array is a {@code float[]} (f32) rather than an {@code int[]}. */
  public boolean isFloat() {
    return elementType.equals("f32");
  }

  /** One line, the form {@link #parse} reads: {@code name;u8;1,3,8,8;0.0865;130;-1}. */
  public String encode() {
    return name + ";" + elementType + ";" + join(Arrays.stream(shape).mapToObj(Integer::toString).toList()) + ";"
        + join(Arrays.stream(scales).mapToObj(Double::toString).toList()) + ";"
        + join(Arrays.stream(zeroPoints).mapToObj(Long::toString).toList()) + ";" + axis;
  }

  private static String join(List<String> parts) {
    return String.join(",", parts);
  }

  public static TensorSpec parse(String line) {
    String[] f = line.split(";", -1);
    if (f.length != 6) {
      throw new IllegalArgumentException("not a tensor spec: " + line);
    }
    return new TensorSpec(f[0], f[1], split(f[2]).stream().mapToInt(Integer::parseInt).toArray(),
        split(f[3]).stream().mapToDouble(Double::parseDouble).toArray(),
        split(f[4]).stream().mapToLong(Long::parseLong).toArray(), Integer.parseInt(f[5]));
  }

  private static List<String> split(String s) {
    return s.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(s.split(",")));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && t.encode().equals(encode());
  }

  @Override
  public int hashCode() {
    return encode().hashCode();
  }

  @Override
  public String toString() {
    return elementType + Arrays.toString(shape) + " " + name;
  }
}
