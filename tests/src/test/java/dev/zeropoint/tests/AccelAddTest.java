package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.accel.AccelBackend;
import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.AluOp;
import dev.zeropoint.backends.accel.Partition;
import dev.zeropoint.backends.accel.TargetDescription;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * QNNPACK's add on the accelerator, on every pair of quint8 inputs, against {@link PyTorchQnnpack#add}:
 * on {@code vta} (no MUL, shifts 0..15: shift-and-add chains), {@code vta-mul}, the test target
 * {@code tiny8} and {@code tiny8} without MUL, with shifts 0..7 and 6-bit immediates (the shifts split
 * further, most operands in constant registers, 512 accumulators), each program run in every start
 * order of the three queues. The cases: hand-picked
 * scales, scales whose accumulators meet exact ties of both signs (rounded half away from zero) at
 * the smallest and the largest shift QNNPACK uses, and seeded random scales covering every shift
 * 14..31 and multipliers at and just below 2^22.
 */
class AccelAddTest {
  private static final List<String> TARGETS = List.of("vta", "vta-mul", "tiny8", "tiny8-shift-add");
  /** 2^-9 - 2^-33: the largest ratio with shift 31; its multiplier rounds to 2^22. */
  private static final double BELOW_2_TO_MINUS_9 = Math.nextDown(0x1p-9f);

  /** One add: the scales and zero points, and the fewest ties of each sign its accumulators must meet. */
  record Case(double sa, int za, double sb, int zb, double so, int zo, int negativeTies, int positiveTies) {
    PyTorchQnnpack.AddParams params() {
      return PyTorchQnnpack.addParams(sa, za, sb, zb, so, zo, false);
    }
  }

  static List<Case> fixed() {
    return List.of(
        new Case(0.05, 100, 0.1, 130, 0.1, 120, 1000, 1000), // am = 2^20, bm = 2^21, s = 21
        new Case(0.0371, 3, 0.0533, 250, 0.061, 77, 0, 0),
        new Case(0.2, 128, 0.0125, 0, 0.3, 255, 0, 0),
        // s = 31, am = bm = 2^22: acc = 2^22 (a + b - za - zb), ties at a + b = za + zb +- 256
        new Case(BELOW_2_TO_MINUS_9, 0, BELOW_2_TO_MINUS_9, 0, 1.0, 10, 0, 200),
        new Case(BELOW_2_TO_MINUS_9, 200, BELOW_2_TO_MINUS_9, 250, 1.0, 200, 150, 0),
        // s = 14, am = 109517 * 2^5, bm = 61681 * 2^5 (odd factors: 17-bit chains), ties where
        // 109517 (a - za) + 61681 (b - zb) is 256 modulo 512
        new Case(109517 / 512.0, 90, 61681 / 512.0, 140, 1.0, 128, 40, 40));
  }

  /**
   * Seeded random scales: the larger ratio's binary exponent runs over -10..7 (shifts 31..14), its
   * mantissa uniform or, every third case, 2^-20 to 2^-19 below 2 (multipliers 2 to 4 below 2^22); the
   * smaller ratio down to 2^-14, QNNPACK's limit.
   */
  static List<Case> random() {
    Random rnd = new Random(42);
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < 36; i++) {
      int e = 7 - i % 18;
      double mantissa = i % 3 == 0 ? 2 - Math.scalb(1 + rnd.nextDouble(), -20) : 1 + rnd.nextDouble();
      double big = Math.scalb(mantissa, e);
      double small = Math.max(0x1.1p-14, big * Math.pow(2, -rnd.nextDouble() * (e + 14)));
      double so = 0.01 + rnd.nextDouble();
      boolean swap = rnd.nextBoolean();
      cases.add(new Case((swap ? small : big) * so, rnd.nextInt(256), (swap ? big : small) * so, rnd.nextInt(256),
          so, rnd.nextInt(256), 0, 0));
    }
    return cases;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String t : TARGETS) {
      fixed().forEach(c -> out.add(Arguments.of(t, c)));
      random().forEach(c -> out.add(Arguments.of(t, c)));
    }
    return out.stream();
  }

  private static AccelTarget target(String name) {
    if (!name.equals("tiny8-shift-add")) {
      return AccelTarget.named(name).orElseThrow();
    }
    TargetDescription tiny = AccelTarget.named(TinyAccelTarget.NAME).orElseThrow().description();
    TargetDescription d = new TargetDescription(name, tiny.batch(), tiny.blockIn(), tiny.blockOut(), tiny.uopDepth(),
        tiny.inpDepth(), tiny.wgtDepth(), tiny.accDepth(), EnumSet.of(AluOp.MIN, AluOp.MAX, AluOp.ADD, AluOp.SHR), 0,
        7, 6, tiny.loopBits());
    return new AccelTarget() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public TargetDescription description() {
        return d;
      }
    };
  }

  @Test
  void theRandomCasesCoverEveryShiftAndMultipliersNear2To22() {
    TreeSet<Integer> shifts = new TreeSet<>();
    int near = 0;
    for (Case c : random()) {
      PyTorchQnnpack.AddParams p = c.params();
      shifts.add(p.shift());
      near += Math.max(p.aMultiplier(), p.bMultiplier()) >= (1 << 22) - 8 ? 1 : 0;
    }
    assertEquals(18, shifts.size(), "shifts " + shifts);
    assertEquals(14, shifts.first());
    assertEquals(31, shifts.last());
    assertTrue(near >= 8, near + " cases with a multiplier within 8 of 2^22");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void everyPairOfInputsGivesQnnpacksInteger(String target, Case k) throws Exception {
    String text = """
        model add_pairs numerics(pytorch-qnnpack) {
          input %a : qu8<SA:ZA>[1, 16, 64, 64]
          input %b : qu8<SB:ZB>[1, 16, 64, 64]
          %y = add(%a, %b) : qu8<SO:ZO>[1, 16, 64, 64]
          output y = %y
        }
        """.replace("SA", Double.toString(k.sa())).replace("ZA", Integer.toString(k.za()))
        .replace("SB", Double.toString(k.sb())).replace("ZB", Integer.toString(k.zb()))
        .replace("SO", Double.toString(k.so())).replace("ZO", Integer.toString(k.zo()));
    Graph g = ModelParser.create().parse("add.qg", text, Path.of("."));
    Shape shape = Shape.of(1, 16, 64, 64);
    long[] a = new long[65536];
    long[] b = new long[65536];
    for (int i = 0; i < a.length; i++) {
      a[i] = i % 256;
      b[i] = i / 256;
    }
    AccelBackend.Compiled c = new AccelBackend(target(target)).prepare(g);
    Partition.AccelRegion region = assertInstanceOf(Partition.AccelRegion.class, c.partition().regions().get(0),
        c.partition().describe());
    assertEquals(1, region.layers().size(), c.partition().describe());
    c.everyStartOrder(true);
    TensorData y = c.run(Map.of("a", TensorData.ofLongs(ElementType.U8, shape, a),
        "b", TensorData.ofLongs(ElementType.U8, shape, b))).get("y");
    PyTorchQnnpack.AddParams p = k.params();
    int negativeTies = 0;
    int positiveTies = 0;
    for (int i = 0; i < a.length; i++) {
      assertEquals(PyTorchQnnpack.add((int) a[i], (int) b[i], p), y.getLong(i), "a=" + a[i] + " b=" + b[i]);
      int acc = p.zeroPointProduct() + (int) a[i] * p.aMultiplier() + (int) b[i] * p.bMultiplier();
      if (Math.abs(acc) % (1L << p.shift()) == 1L << (p.shift() - 1)) {
        if (acc < 0) {
          negativeTies++;
        } else {
          positiveTies++;
        }
      }
    }
    assertTrue(negativeTies >= k.negativeTies() && positiveTies >= k.positiveTies(), p + ": " + negativeTies
        + " negative and " + positiveTies + " positive ties");
  }
}
