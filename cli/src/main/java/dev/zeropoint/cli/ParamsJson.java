package dev.zeropoint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.LayerRequantization;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.passes.lower.AccumulatorBounds;

/**
 * {@code <model>.params.json}: every layer's integer parameters, for people building their own
 * integer hardware. Layout (docs/hardware.md): {@code model}, {@code numerics}, {@code inputs} and
 * {@code outputs} (name, dtype, shape, scale, zero_point), and {@code layers}, one object per conv2d /
 * linear in graph order with {@code input}, {@code weight} (with its int {@code data}, row-major in
 * the weight's shape), {@code output}, the window ({@code stride}, {@code padding} [top, left, bottom,
 * right], {@code dilation}, {@code groups}; conv only), {@code bias} (int32),
 * {@code requantize} (the scheme and its per-channel parameters, output zero point, clamp) and
 * {@code accumulator_bound}.
 */
final class ParamsJson {
  private ParamsJson() {}

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static String render(Graph g, java.util.List<Layers.Layer> layers) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("model", g.name());
    root.put("numerics", g.numerics().keyword());
    ArrayNode inputs = root.putArray("inputs");
    g.inputs().forEach(v -> inputs.add(tensor(v)));
    ArrayNode outputs = root.putArray("outputs");
    for (Graph.Output o : g.outputs()) {
      outputs.add(tensor(o.value()).put("output", o.name()));
    }
    ArrayNode array = root.putArray("layers");
    for (Layers.Layer l : layers) {
      array.add(layer(g, l));
    }
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the parameters", e);
    }
  }

  private static ObjectNode layer(Graph g, Layers.Layer l) {
    LayerRequantization p = l.params().orElseThrow();
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", l.name());
    o.put("op", l.isConv() ? "conv2d" : "linear");
    o.set("input", tensor(l.input()).put("zero_point", p.inputZeroPoint()));
    ObjectNode w = tensor(l.weight());
    ArrayNode zps = w.putArray("zero_points");
    p.weightZeroPoints().forEach(zps::add);
    w.remove("zero_point");
    ArrayNode data = w.putArray("data");
    TensorData d = l.weightData().orElseThrow();
    for (long i = 0; i < d.size(); i++) {
      data.add(d.getLong(i));
    }
    o.set("weight", w);
    o.set("output", tensor(l.output()));
    if (l.isConv()) {
      var win = l.window();
      ArrayNode stride = o.putArray("stride");
      win.stride().forEach(stride::add);
      ArrayNode padding = o.putArray("padding");
      win.padding().forEach(padding::add);
      ArrayNode dilation = o.putArray("dilation");
      win.dilation().forEach(dilation::add);
      o.put("groups", win.groups());
    }
    ArrayNode bias = o.putArray("bias");
    p.bias().forEach(bias::add);
    Requantizer r = p.requantizer();
    ObjectNode rq = o.putObject("requantize");
    rq.put("scheme", r.scheme().word());
    if (!r.scales().isEmpty()) {
      ArrayNode scales = rq.putArray("scales");
      r.scales().forEach(s -> scales.add((float) s)); // float32: exactly what the float scheme multiplies by
    }
    if (!r.multipliers().isEmpty()) {
      ArrayNode m = rq.putArray("multipliers");
      r.multipliers().forEach(m::add);
    }
    if (!r.shifts().isEmpty()) {
      ArrayNode s = rq.putArray("shifts");
      r.shifts().forEach(s::add);
    }
    rq.put("output_zero_point", r.outputZeroPoint());
    rq.put("min", r.min());
    rq.put("max", r.max());
    o.put("accumulator_bound", AccumulatorBounds.of(l.acc(), g.numerics()).orElseThrow().bound());
    return o;
  }

  /** Name, dtype, shape and (per-tensor or per-channel) quantization of a value. */
  private static ObjectNode tensor(Value v) {
    TensorType t = v.type();
    ObjectNode o = MAPPER.createObjectNode();
    o.put("value", v.name());
    o.put("dtype", t.elementType().keyword());
    ArrayNode shape = o.putArray("shape");
    t.shape().dims().forEach(shape::add);
    switch (t.quantization().orElse(null)) {
      case Quantization.PerTensor q -> o.put("scale", q.scale()).put("zero_point", q.zeroPoint());
      case Quantization.PerAxis q -> {
        o.put("axis", q.axis());
        ArrayNode scales = o.putArray("scales");
        q.scales().forEach(scales::add);
        ArrayNode zps = o.putArray("zero_points");
        q.zeroPoints().forEach(zps::add);
      }
      case null -> {
      }
    }
    return o;
  }
}
