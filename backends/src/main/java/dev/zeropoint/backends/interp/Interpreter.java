package dev.zeropoint.backends.interp;

import dev.zeropoint.backends.Backend;
import dev.zeropoint.backends.Executable;
import dev.zeropoint.backends.InputException;
import dev.zeropoint.backends.Inputs;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference interpreter: runs any verified graph, node by node, with plain loops. It defines
 * the truth every pass and backend is tested against, so each kernel follows its numerics flavour
 * to the bit (docs/numerics.md), using the one definition of each rounding rule in
 * {@code dev.zeropoint.ir.numerics}.
 */
public final class Interpreter implements Backend {
  @Override
  public String name() {
    return "interp";
  }

  @Override
  public Executable prepare(Graph graph) {
    return inputs -> {
      Map<Value, Tensor> values = evaluate(graph, inputs);
      LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
      for (Graph.Output o : graph.outputs()) {
        out.put(o.name(), values.get(o.value()).toData());
      }
      return out;
    };
  }

  /** Runs the graph and returns every value it computed (tests compare intermediate tensors too). */
  public static Map<Value, Tensor> evaluate(Graph graph, Map<String, TensorData> inputs) throws InputException {
    Inputs.check(graph, inputs);
    Map<Value, Tensor> values = new IdentityHashMap<>();
    for (Value in : graph.inputs()) {
      values.put(in, Tensor.from(inputs.get(in.name()), in.type()));
    }
    for (Node n : graph.nodes()) {
      List<Tensor> args = n.operands().stream().map(values::get).toList();
      List<Tensor> results = execute(n, args, graph.numerics());
      for (int i = 0; i < results.size(); i++) {
        values.put(n.results().get(i), results.get(i));
      }
    }
    return values;
  }

  /** One node: every op of the IR, in the given numerics flavour. */
  static List<Tensor> execute(Node n, List<Tensor> args, Numerics numerics) {
    return switch (n.op()) {
      case CONST -> List.of(Tensor.from(((Attrs.Const) n.attrs()).data(), n.result().type()));
      case QUANTIZE -> List.of(QuantizeKernels.quantize(n, args, numerics));
      case QUANTIZE_ADD_ROUND -> List.of(QuantizeKernels.quantizeAddRound(n, args));
      case DEQUANTIZE -> List.of(QuantizeKernels.dequantize(n, args, numerics));
      case REQUANTIZE -> List.of(ArithmeticKernels.requantize(n, args, numerics));
      case CONV2D -> List.of(ConvKernels.conv2d(n, args, numerics));
      case LINEAR -> List.of(ConvKernels.linear(n, args, numerics));
      case MATMUL -> List.of(ConvKernels.matmul(n, args, numerics));
      case ADD -> List.of(ArithmeticKernels.add(n, args, numerics));
      case MUL -> List.of(ArithmeticKernels.mul(n, args, numerics));
      case CAT -> List.of(ArithmeticKernels.cat(n, args, numerics));
      case RELU -> List.of(ActivationKernels.relu(n, args, numerics));
      case RELU6 -> List.of(ActivationKernels.relu6(n, args, numerics));
      case HARDTANH -> List.of(ActivationKernels.hardtanh(n, args, numerics));
      case CLAMP -> List.of(ActivationKernels.clamp(n, args, numerics));
      case HARDSWISH -> List.of(ActivationKernels.hardswish(n, args, numerics));
      case HARDSIGMOID -> List.of(ActivationKernels.hardsigmoid(n, args, numerics));
      case SIGMOID -> List.of(ActivationKernels.sigmoid(n, args, numerics));
      case MAX_POOL2D -> List.of(PoolKernels.maxPool2d(n, args, numerics));
      case AVG_POOL2D -> List.of(PoolKernels.avgPool2d(n, args, numerics));
      case ADAPTIVE_AVG_POOL2D -> List.of(PoolKernels.adaptiveAvgPool2d(n, args, numerics));
      case FLATTEN, RESHAPE -> List.of(args.get(0).withType(n.result().type()));
      case PERMUTE -> List.of(LayoutKernels.permute(n, args, numerics));
      case SPLIT, CHUNK -> LayoutKernels.split(n, args, numerics);
      case PAD -> List.of(LayoutKernels.pad(n, args, numerics));
      case BATCH_NORM -> List.of(NormKernels.batchNorm(n, args, numerics));
      case CONV2D_ACC -> List.of(ConvKernels.conv2dAcc(n, args, numerics));
      case LINEAR_ACC -> List.of(ConvKernels.linearAcc(n, args, numerics));
      case REQUANTIZE_ACC -> List.of(requantizeAcc(n, args.get(0)));
      case AVG_POOL2D_INT -> List.of(PoolKernels.avgPool2dInt(n, args));
      case ADAPTIVE_AVG_POOL2D_INT -> List.of(PoolKernels.adaptiveAvgPool2dInt(n, args));
      case MUL_ACC -> List.of(ArithmeticKernels.mulAcc(n, args));
      case LOOKUP -> List.of(ArithmeticKernels.lookup(n, args.get(0)));
      case BINARY_LOOKUP -> List.of(ArithmeticKernels.binaryLookup(n, args));
    };
  }

  /** Lowered requantization: each accumulator through the node's {@link dev.zeropoint.ir.numerics.Requantizer}. */
  private static Tensor requantizeAcc(Node n, Tensor acc) {
    Attrs.RequantizeAcc a = (Attrs.RequantizeAcc) n.attrs();
    var requantizer = a.requantizer(n.result().type().elementType());
    Tensor r = Tensor.zeros(n.result().type());
    int[] dims = acc.shape().toArray();
    int axis = Math.floorMod(a.axis(), Math.max(1, dims.length));
    long inner = 1;
    for (int d = axis + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    int size = dims.length == 0 ? 1 : dims[axis];
    for (int i = 0; i < r.ints.length; i++) {
      r.ints[i] = requantizer.apply(acc.ints[i], (int) ((i / inner) % size));
    }
    return r;
  }

  /** The error for a flavour or type combination a kernel does not implement yet. */
  static UnsupportedOperationException unsupported(Node n, Numerics numerics) {
    return new UnsupportedOperationException("the interpreter does not run " + n.op() + " on "
        + n.operands().stream().map(v -> v.type().toString()).toList() + " in numerics " + numerics + " yet");
  }
}
