package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Printer;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.RewriteRule;
import dev.zeropoint.passes.RulePass;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rule driver: fixed point, chains in one sweep, and its two guards against faulty rules. */
class RulePassTest {
  private static final String CHAIN = """
      model chain {
        input %x : f32[4]
        %q = quantize(%x) : qu8<0.05:20>[4]
        %a = relu(%q)
        %b = hardtanh(%a) {min = -1.0, max = 6.0}
        %c = clamp(%b) {max = 5.0}
        %y = dequantize(%c)
        output y = %y
      }
      """;

  private static Graph parse(String text) throws Exception {
    return ModelParser.create().parse("test.qg", text, java.nio.file.Path.of("."));
  }

  private static RulePass pass(RewriteRule... rules) {
    return new RulePass() {
      @Override
      public String name() {
        return "test-rules";
      }

      @Override
      public String description() {
        return "rules under test";
      }

      @Override
      protected List<RewriteRule> rules() {
        return List.of(rules);
      }
    };
  }

  private static RewriteRule rule(String name, RuleBody body) {
    return new RewriteRule() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Optional<List<Value>> apply(Node n, List<Value> operands, GraphRewriter.Rewrite b, Match m)
          throws dev.zeropoint.ir.op.TypeError {
        return body.apply(n, operands, b);
      }
    };
  }

  @FunctionalInterface
  private interface RuleBody {
    Optional<List<Value>> apply(Node n, List<Value> operands, GraphRewriter.Rewrite b)
        throws dev.zeropoint.ir.op.TypeError;
  }

  @Test
  void chainOfClampsBecomesOneClamp() throws Exception {
    Graph g = PassRegistry.load().named("elide-elementwise").orElseThrow().run(parse(CHAIN), PassContext.forTests());
    String text = Printer.print(PassRegistry.load().named("canonicalize").orElseThrow().run(g, PassContext.forTests()));
    // relu: 0 -> q 20; hardtanh's -1 -> 0 is below it; 5.0 / 0.05 + 20 = 120.
    assertTrue(text.contains("%c = clamp(%q) {min = 0.0, max = 5.0} : qu8<0.05:20>[4]"), text);
    assertEquals(1, text.lines().filter(l -> l.contains("clamp(") || l.contains("relu(") || l.contains("hardtanh(")).count(),
        text);
  }

  @Test
  void aRuleThatKeepsFiringIsStoppedWithItsName() throws Exception {
    // relu(x) -> relu(x): a rule that rewrites a node into itself never reaches a fixed point.
    RulePass p = pass(rule("relu-to-itself", (n, operands, b) -> n.op() != Op.RELU ? Optional.empty()
        : Optional.of(b.add(Op.RELU, operands, n.attrs(), List.of(n.result().type()), List.of(n.result().name()), n))));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.run(parse(CHAIN), PassContext.forTests()));
    assertTrue(e.getMessage().contains("no fixed point") && e.getMessage().contains("relu-to-itself"), e.getMessage());
  }

  @Test
  void aRuleThatMakesTheGraphWorseIsRejected() throws Exception {
    // %c = clamp(x) -> %c = relu(clamp(x)): one live node more; fires once (then %c is a relu).
    RulePass p = pass(rule("worse", (n, operands, b) -> {
      if (n.op() != Op.CLAMP || !n.result().name().equals("c")) {
        return Optional.empty();
      }
      Value inner = b.add(Op.CLAMP, operands, n.attrs(), List.of(n.result().type()), List.of(b.freshName("inner")), n).get(0);
      return Optional.of(b.add(Op.RELU, List.of(inner), new dev.zeropoint.ir.op.Attrs.None(), List.of(n.result().type()),
          List.of(n.result().name()), n));
    }));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.run(parse(CHAIN), PassContext.forTests()));
    assertTrue(e.getMessage().contains("made the graph worse: 5 live nodes became 6"), e.getMessage());
  }

  @Test
  void rulePassesAreAtAFixedPointAfterOneRun() throws Exception {
    PassRegistry registry = PassRegistry.load();
    for (String name : List.of("elide-elementwise", "fuse-activation")) {
      RulePass p = (RulePass) registry.named(name).orElseThrow();
      for (int seed = 0; seed < 100; seed++) {
        Graph g = new RandomModels(seed).next("random_" + seed).graph();
        if (name.equals("fuse-activation")) { // it works on lowered requantizations
          g = registry.named("lower-requantize").orElseThrow().run(g, PassContext.forTests());
        }
        Graph once = p.run(g, PassContext.forTests());
        Graph twice = p.run(once, PassContext.forTests());
        assertEquals(Printer.print(once), Printer.print(twice), name + " seed " + seed);
        assertTrue(RulePass.liveNodes(once) <= RulePass.liveNodes(g), name + " seed " + seed);
      }
    }
  }
}
