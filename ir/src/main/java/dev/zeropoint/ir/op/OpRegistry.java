package dev.zeropoint.ir.op;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The one table of ops: for each, its operands, how its attributes are read and its type rule. */
public final class OpRegistry {
  private OpRegistry() {}

  private static final Map<Op, OpDef> DEFS = new EnumMap<>(Op.class);

  private static void def(Op op, List<String> operands, int min, int max,
      Function<AttrReader, ? extends Attrs> attrs, TypeRule rule) {
    DEFS.put(op, new OpDef(op, operands, min, max, attrs, rule));
  }

  private static final Function<AttrReader, Attrs> NONE = r -> Attrs.None.INSTANCE;
  private static final List<String> X = List.of("input");

  static {
    def(Op.CONST, List.of(), 0, 0, NONE, ShapeRules::constant);
    def(Op.QUANTIZE, X, 1, 1, NONE, ComputeRules::quantize);
    def(Op.DEQUANTIZE, X, 1, 1, NONE, ComputeRules::dequantize);
    def(Op.REQUANTIZE, X, 1, 1, NONE, ComputeRules::requantize);
    def(Op.CONV2D, List.of("input", "weight", "bias"), 2, 3, Attrs.Conv2d::read, ComputeRules::conv2d);
    def(Op.LINEAR, List.of("input", "weight", "bias"), 2, 3, NONE, ComputeRules::linear);
    def(Op.MATMUL, List.of("a", "b"), 2, 2, NONE, ComputeRules::matmul);
    def(Op.ADD, List.of("a", "b"), 2, 2, NONE, ComputeRules::binary);
    def(Op.MUL, List.of("a", "b"), 2, 2, NONE, ComputeRules::binary);
    def(Op.CAT, List.of("input"), 1, -1, Attrs.Axis::read, ShapeRules::cat);
    def(Op.RELU, X, 1, 1, NONE, ComputeRules::sameType);
    def(Op.RELU6, X, 1, 1, NONE, ComputeRules::sameType);
    def(Op.HARDTANH, X, 1, 1, Attrs.Hardtanh::read, ComputeRules::sameType);
    def(Op.CLAMP, X, 1, 1, Attrs.Clamp::read, ComputeRules::sameType);
    def(Op.HARDSWISH, X, 1, 1, NONE, ComputeRules::floatOrWritten);
    def(Op.HARDSIGMOID, X, 1, 1, NONE, ComputeRules::unitInterval);
    def(Op.SIGMOID, X, 1, 1, NONE, ComputeRules::unitInterval);
    def(Op.MAX_POOL2D, X, 1, 1, Attrs.MaxPool2d::read, ShapeRules::maxPool2d);
    def(Op.AVG_POOL2D, X, 1, 1, Attrs.AvgPool2d::read, ShapeRules::avgPool2d);
    def(Op.ADAPTIVE_AVG_POOL2D, X, 1, 1, Attrs.AdaptiveAvgPool2d::read, ShapeRules::adaptiveAvgPool2d);
    def(Op.FLATTEN, X, 1, 1, Attrs.Flatten::read, ShapeRules::flatten);
    def(Op.RESHAPE, X, 1, 1, Attrs.Reshape::read, ShapeRules::reshape);
    def(Op.PERMUTE, X, 1, 1, Attrs.Permute::read, ShapeRules::permute);
    def(Op.SPLIT, X, 1, 1, Attrs.Split::read, ShapeRules::split);
    def(Op.CHUNK, X, 1, 1, Attrs.Chunk::read, ShapeRules::chunk);
    def(Op.PAD, X, 1, 1, Attrs.Pad::read, ShapeRules::pad);
    def(Op.BATCH_NORM, List.of("input", "weight", "bias", "mean", "var"), 5, 5, Attrs.BatchNorm::read,
        ComputeRules::batchNorm);
    def(Op.CONV2D_ACC, List.of("input", "weight", "bias"), 2, 3, Attrs.Conv2dAcc::read, LoweredRules::conv2dAcc);
    def(Op.LINEAR_ACC, List.of("input", "weight", "bias"), 2, 3, Attrs.LinearAcc::read, LoweredRules::linearAcc);
    def(Op.REQUANTIZE_ACC, List.of("accumulator"), 1, 1, Attrs.RequantizeAcc::read, LoweredRules::requantizeAcc);
    def(Op.AVG_POOL2D_INT, X, 1, 1, Attrs.AvgPool2dInt::read, LoweredRules::avgPool2dInt);
    def(Op.ADAPTIVE_AVG_POOL2D_INT, X, 1, 1, Attrs.AdaptiveAvgPool2dInt::read, LoweredRules::adaptiveAvgPool2dInt);
    def(Op.MUL_ACC, List.of("a", "b"), 2, 2, Attrs.MulAcc::read, LoweredRules::mulAcc);
    def(Op.LOOKUP, X, 1, 1, Attrs.Lookup::read, LoweredRules::lookup);
    def(Op.QUANTIZE_ADD_ROUND, X, 1, 1, NONE, ComputeRules::quantize);
    def(Op.BINARY_LOOKUP, List.of("a", "b", "tables"), 3, 3, Attrs.BinaryLookup::read, LoweredRules::binaryLookup);
    for (Op op : Op.values()) {
      if (!DEFS.containsKey(op)) {
        throw new ExceptionInInitializerError("op " + op + " has no definition");
      }
    }
  }

  public static OpDef get(Op op) {
    return DEFS.get(op);
  }
}
