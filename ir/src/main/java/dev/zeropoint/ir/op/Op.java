package dev.zeropoint.ir.op;

import java.util.Optional;

/**
 * Every op of the IR. The semantics of an op follow from its operand types: {@code conv2d} on f32
 * is a float convolution, on quantized operands it is PyTorch's {@code quantized::conv2d} in the
 * model's numerics flavour. Each op's operands, attributes and type rule are in {@link OpRegistry}.
 */
public enum Op {
  CONST("const"),
  QUANTIZE("quantize"),
  DEQUANTIZE("dequantize"),
  REQUANTIZE("requantize"),
  CONV2D("conv2d"),
  LINEAR("linear"),
  MATMUL("matmul"),
  ADD("add"),
  MUL("mul"),
  CAT("cat"),
  RELU("relu"),
  RELU6("relu6"),
  HARDTANH("hardtanh"),
  CLAMP("clamp"),
  HARDSWISH("hardswish"),
  HARDSIGMOID("hardsigmoid"),
  SIGMOID("sigmoid"),
  MAX_POOL2D("max_pool2d"),
  AVG_POOL2D("avg_pool2d"),
  ADAPTIVE_AVG_POOL2D("adaptive_avg_pool2d"),
  FLATTEN("flatten"),
  RESHAPE("reshape"),
  PERMUTE("permute"),
  SPLIT("split"),
  CHUNK("chunk"),
  PAD("pad"),
  BATCH_NORM("batch_norm"),
  /** Lowered: exact int32 accumulation of a quantized conv2d (zero points as attributes). */
  CONV2D_ACC("conv2d_acc"),
  /** Lowered: exact int32 accumulation of a quantized linear. */
  LINEAR_ACC("linear_acc"),
  /** Lowered: int32 accumulators to output integers, by an explicit scheme. */
  REQUANTIZE_ACC("requantize_acc"),
  /** Lowered: average pooling with an integer-only rescale of the window sums. */
  AVG_POOL2D_INT("avg_pool2d_int"),
  /** Lowered: adaptive average pooling with an integer-only rescale of the window sums. */
  ADAPTIVE_AVG_POOL2D_INT("adaptive_avg_pool2d_int"),
  /** Lowered: int32 products of zero-point-shifted 8-bit operands (broadcasting). */
  MUL_ACC("mul_acc"),
  /** Lowered: an elementwise function of an 8-bit tensor as a table of its 256 values. */
  LOOKUP("lookup"),
  /**
   * Lowered: an elementwise function of two broadcast 8-bit tensors as one or two tables of its
   * 256 x 256 values, the table chosen by the output position.
   */
  BINARY_LOOKUP("binary_lookup"),
  /**
   * A quantize whose zero point is added in float before the rounding, {@code clamp(int32(RNE(f32(
   * f32(x / scale) + zp))))}: ONNX Runtime's QLinearAveragePool output rule, in every flavour.
   */
  QUANTIZE_ADD_ROUND("quantize_add_round");

  private final String keyword;

  Op(String keyword) {
    this.keyword = keyword;
  }

  /** The op's name in the .qg language. */
  public String keyword() {
    return keyword;
  }

  public OpDef def() {
    return OpRegistry.get(this);
  }

  public static Optional<Op> fromKeyword(String keyword) {
    for (Op op : values()) {
      if (op.keyword.equals(keyword)) {
        return Optional.of(op);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return keyword;
  }
}
