package dev.zeropoint.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link OnnxRuntimeOracle} on {@code onnx/oracle.onnx} (written by {@code
 * tools/torch/make_onnx_oracle_fixture.py}): QuantizeLinear / DequantizeLinear with scale 0.5 and
 * zero point 128 on a float input, Identity of a uint8 input, Neg of int8 and int32 inputs.
 */
class OnnxRuntimeOracleTest {
  private static Path model() throws Exception {
    return Path.of(OnnxRuntimeOracleTest.class.getResource("/onnx/oracle.onnx").toURI());
  }

  private static Map<String, TensorData> inputs() {
    Map<String, TensorData> in = new HashMap<>();
    in.put("x", TensorData.ofFloats(Shape.of(4), 0f, 1.25f, -64f, 100f));
    in.put("a", TensorData.ofLongs(ElementType.U8, Shape.of(3), 0, 7, 255));
    in.put("b", TensorData.ofLongs(ElementType.I8, Shape.of(3), -5, 0, 127));
    in.put("c", TensorData.ofLongs(ElementType.I32, Shape.of(2), Integer.MIN_VALUE + 1, 42));
    return in;
  }

  @ParameterizedTest
  @EnumSource(value = OptLevel.class, names = {"NO_OPT", "ALL_OPT"})
  void runsFloatAndIntegerInputsAndReturnsEveryOutput(OptLevel level) throws Exception {
    Map<String, TensorData> out = OnnxRuntimeOracle.run(model(),
        OnnxRuntimeOracle.Options.defaults().withOptimization(level).withThreads(2), inputs());
    assertEquals(List.of("q", "y", "a_out", "b_neg", "c_neg"), List.copyOf(out.keySet()));
    // ONNX QuantizeLinear: saturate(round_half_even(x / 0.5) + 128)
    assertTrue(out.get("q").contentEquals(TensorData.ofLongs(ElementType.U8, Shape.of(4), 128, 130, 0, 255)));
    assertTrue(out.get("y").contentEquals(TensorData.ofFloats(Shape.of(4), 0f, 1f, -64f, 63.5f)));
    assertTrue(out.get("a_out").contentEquals(inputs().get("a")));
    assertTrue(out.get("b_neg").contentEquals(TensorData.ofLongs(ElementType.I8, Shape.of(3), 5, 0, -127)));
    assertTrue(out.get("c_neg").contentEquals(
        TensorData.ofLongs(ElementType.I32, Shape.of(2), Integer.MAX_VALUE, -42)));
  }

  @Test
  void namesMissingAndUnknownInputs() throws Exception {
    Map<String, TensorData> in = inputs();
    in.remove("c");
    in.put("z", TensorData.ofFloats(Shape.of(1), 1f));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnnxRuntimeOracle.run(model(), OnnxRuntimeOracle.Options.defaults(), in));
    assertTrue(e.getMessage().contains("missing [c]") && e.getMessage().contains("unknown [z]"), e.getMessage());
  }

  @Test
  void refusesAnInputOfTheWrongElementType() throws Exception {
    Map<String, TensorData> in = inputs();
    in.put("b", TensorData.ofLongs(ElementType.U8, Shape.of(3), 1, 2, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnnxRuntimeOracle.run(model(), OnnxRuntimeOracle.Options.defaults(), in));
    assertTrue(e.getMessage().contains("input b is INT8 in the graph, given u8"), e.getMessage());
  }

  @Test
  void refusesZeroThreads() {
    assertThrows(IllegalArgumentException.class, () -> OnnxRuntimeOracle.Options.defaults().withThreads(0));
  }
}
