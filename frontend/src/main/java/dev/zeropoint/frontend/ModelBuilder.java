package dev.zeropoint.frontend;

import dev.zeropoint.frontend.parser.QgParser;
import dev.zeropoint.ir.Diagnostics;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.Verifier;
import dev.zeropoint.ir.op.AttrReader;
import dev.zeropoint.ir.op.AttrValue;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;
import org.jgrapht.alg.connectivity.KosarajuStrongConnectivityInspector;
import org.jgrapht.alg.cycle.CycleDetector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.traverse.TopologicalOrderIterator;

/**
 * Builds IR from a parse tree, reporting as many errors as it can find in one pass. Statements may
 * come in any order (the graph is a DAG): they are built in a topological order that keeps the
 * source order where it can. A statement whose operand failed is skipped silently, so one mistake
 * gives one error, not a cascade.
 */
final class ModelBuilder {
  private final String file;
  private final Path baseDir;
  private final WeightTable.Opener weightsOpener;
  private final Diagnostics diagnostics;
  private final TypeReader types;
  private final ConstReader consts;

  /** Where each value is defined: the statement's index, or -1 for an input. */
  private final Map<String, Integer> definedAt = new HashMap<>();
  private final Map<String, Token> definitionToken = new HashMap<>();
  private final Map<String, Value> values = new HashMap<>();

  ModelBuilder(String file, Path baseDir, WeightTable.Opener weightsOpener, Diagnostics diagnostics) {
    this.file = file;
    this.baseDir = baseDir;
    this.weightsOpener = weightsOpener;
    this.diagnostics = diagnostics;
    this.types = new TypeReader(file, diagnostics, this::at);
    this.consts = new ConstReader(file, diagnostics, this::at);
  }

  SourceLocation at(Token t) {
    return new SourceLocation(file, t.getLine(), t.getCharPositionInLine() + 1);
  }

  /** The graph, or empty when errors were reported. */
  Optional<Graph> build(QgParser.ModelContext model) {
    Numerics numerics = Numerics.PYTORCH_QNNPACK;
    Optional<String> weightsName = Optional.empty();
    Token weightsToken = null;
    for (QgParser.HeaderContext h : model.header()) {
      if (h instanceof QgParser.NumericsHeaderContext n) {
        String name = n.flavour().getText();
        Optional<Numerics> found = Numerics.fromKeyword(name);
        if (found.isEmpty()) {
          error(n.flavour().start, "unknown numerics '" + name + "' (expected one of "
              + Arrays.stream(Numerics.values()).map(Numerics::keyword).collect(Collectors.joining(", ")) + ")");
        } else {
          numerics = found.get();
        }
      } else if (h instanceof QgParser.WeightsHeaderContext w) {
        weightsToken = w.STRING().getSymbol();
        weightsName = Optional.of(ConstReader.unquote(weightsToken.getText()));
      }
    }
    GraphBuilder builder = GraphBuilder.create(model.modelName.getText(), numerics);
    weightsName.ifPresent(builder::weightsFile);
    consts.setWeights(weightsName, weightsToken, baseDir, weightsOpener);

    List<QgParser.StatementContext> statements = model.statement();
    collectDefinitions(statements);
    for (QgParser.StatementContext s : statements) {
      if (s instanceof QgParser.InputStatementContext in) {
        buildInput(builder, in);
      }
    }
    for (int index : buildOrder(statements)) {
      buildDefinition(builder, (QgParser.DefineStatementContext) statements.get(index));
    }
    buildOutputs(builder, model, statements);
    consts.close();
    if (diagnostics.hasErrors()) {
      return Optional.empty();
    }
    Graph graph = builder.build();
    Verifier.verify(graph).forEach(diagnostics::add);
    return diagnostics.hasErrors() ? Optional.empty() : Optional.of(graph);
  }

  private static List<TerminalNode> results(QgParser.StatementContext s) {
    return switch (s) {
      case QgParser.InputStatementContext in -> List.of(in.VALUE());
      case QgParser.DefineStatementContext d -> d.VALUE();
      default -> List.of();
    };
  }

  private void collectDefinitions(List<QgParser.StatementContext> statements) {
    for (int i = 0; i < statements.size(); i++) {
      QgParser.StatementContext s = statements.get(i);
      for (TerminalNode v : results(s)) {
        String name = v.getText().substring(1);
        Token previous = definitionToken.get(name);
        if (previous != null) {
          error(v.getSymbol(), "value %" + name + " is already defined at line " + previous.getLine());
          continue;
        }
        definitionToken.put(name, v.getSymbol());
        definedAt.put(name, s instanceof QgParser.InputStatementContext ? -1 : i);
      }
    }
  }

  /**
   * Op and const statements in dependency order (source order where free). Reports undefined
   * operands and cycles; statements on a cycle are left out.
   */
  private List<Integer> buildOrder(List<QgParser.StatementContext> statements) {
    DefaultDirectedGraph<Integer, DefaultEdge> deps = new DefaultDirectedGraph<>(DefaultEdge.class);
    for (int i = 0; i < statements.size(); i++) {
      if (statements.get(i) instanceof QgParser.DefineStatementContext) {
        deps.addVertex(i);
      }
    }
    for (int i = 0; i < statements.size(); i++) {
      if (!(statements.get(i) instanceof QgParser.DefineStatementContext d)
          || !(d.definition() instanceof QgParser.OpDefinitionContext op) || op.operands() == null) {
        continue;
      }
      for (TerminalNode operand : op.operands().VALUE()) {
        String name = operand.getText().substring(1);
        Integer def = definedAt.get(name);
        if (def == null) {
          error(operand.getSymbol(), "undefined value %" + name);
        } else if (def >= 0 && deps.containsVertex(def)) {
          deps.addEdge(def, i);
        }
      }
    }
    // One pass over the graph when it has no cycle (the usual case); else its strongly connected
    // components, each with more than one statement (or a statement using itself) one cycle.
    Set<Integer> onCycle = new HashSet<>();
    if (new CycleDetector<>(deps).detectCycles()) {
      List<Set<Integer>> components = new KosarajuStrongConnectivityInspector<>(deps).stronglyConnectedSets();
      components.stream()
          .filter(c -> c.size() > 1 || deps.containsEdge(c.iterator().next(), c.iterator().next()))
          .sorted(Comparator.comparing(c -> c.stream().min(Integer::compare).orElseThrow()))
          .forEach(cycle -> {
            onCycle.addAll(cycle);
            String members = cycle.stream().sorted().flatMap(k -> results(statements.get(k)).stream())
                .map(TerminalNode::getText).collect(Collectors.joining(", "));
            error(statements.get(cycle.stream().min(Integer::compare).orElseThrow()).start,
                "cycle in the graph through " + members);
          });
    }
    onCycle.forEach(deps::removeVertex);
    List<Integer> order = new ArrayList<>();
    new TopologicalOrderIterator<>(deps, Comparator.<Integer>naturalOrder()).forEachRemaining(order::add);
    return order;
  }

  private void buildInput(GraphBuilder builder, QgParser.InputStatementContext in) {
    String name = in.VALUE().getText().substring(1);
    if (!ownsDefinition(in.VALUE())) {
      return;
    }
    types.read(in.type()).ifPresent(t -> values.put(name, builder.input(name, t, at(in.VALUE().getSymbol()))));
  }

  private void buildDefinition(GraphBuilder builder, QgParser.DefineStatementContext s) {
    for (TerminalNode v : s.VALUE()) {
      if (!ownsDefinition(v)) {
        return; // a second definition of the name, reported already
      }
    }
    switch (s.definition()) {
      case QgParser.ConstDefinitionContext c -> buildConst(builder, s.VALUE(), c);
      case QgParser.OpDefinitionContext op -> buildOp(builder, s.VALUE(), op);
      default -> throw new IllegalStateException("unknown definition " + s.definition().getClass());
    }
  }

  private void buildConst(GraphBuilder builder, List<TerminalNode> results, QgParser.ConstDefinitionContext c) {
    if (results.size() != 1) {
      error(results.get(1).getSymbol(), "const defines one value, but " + results.size() + " names are written");
      return;
    }
    Optional<TensorType> type = types.read(c.type());
    if (type.isEmpty()) {
      return;
    }
    Token name = results.get(0).getSymbol();
    consts.read(c.constBody(), type.get()).ifPresent(attrs -> {
      try {
        List<Value> r = builder.add(Op.CONST, List.of(), attrs, List.of(type.get()),
            List.of(name.getText().substring(1)), at(name));
        values.put(r.get(0).name(), r.get(0));
      } catch (TypeError e) {
        error(c.start, e.getMessage());
      }
    });
  }

  private void buildOp(GraphBuilder builder, List<TerminalNode> results, QgParser.OpDefinitionContext s) {
    Token opToken = s.opName.start;
    String opName = s.opName.getText();
    Optional<Op> op = Op.fromKeyword(opName).filter(o -> o != Op.CONST);
    if (op.isEmpty()) {
      error(opToken, "unknown op '" + opName + "'" + dev.zeropoint.ir.Suggestions.closest(opName,
          Arrays.stream(Op.values()).filter(o -> o != Op.CONST).map(Op::keyword).toList()));
      return;
    }
    List<Value> operands = new ArrayList<>();
    if (s.operands() != null) {
      for (TerminalNode v : s.operands().VALUE()) {
        Value value = values.get(v.getText().substring(1));
        if (value == null) {
          return; // undefined (reported) or its definition failed (reported there)
        }
        operands.add(value);
      }
    }
    Optional<Attrs> attrs = readAttrs(op.get(), opToken, s.attributes());
    List<TensorType> declared = new ArrayList<>();
    for (QgParser.TypeContext t : s.type()) {
      Optional<TensorType> type = types.read(t);
      if (type.isEmpty()) {
        return;
      }
      declared.add(type.get());
    }
    if (attrs.isEmpty()) {
      return;
    }
    if (!declared.isEmpty() && declared.size() != results.size()) {
      error(s.type(0).start, results.size() + (results.size() == 1 ? " result is" : " results are")
          + " named but " + declared.size() + (declared.size() == 1 ? " type is" : " types are") + " written");
      return;
    }
    List<String> names = results.stream().map(v -> v.getText().substring(1)).toList();
    try {
      for (Value r : builder.add(op.get(), operands, attrs.get(), declared, names, at(results.get(0).getSymbol()))) {
        values.put(r.name(), r);
      }
    } catch (TypeError e) {
      error(opToken, e.getMessage());
    }
  }

  /** False for the second definition of a name (already reported). */
  private boolean ownsDefinition(TerminalNode v) {
    return definitionToken.get(v.getText().substring(1)) == v.getSymbol();
  }

  private Optional<Attrs> readAttrs(Op op, Token opToken, QgParser.AttributesContext block) {
    Map<String, AttrValue> written = new LinkedHashMap<>();
    Map<String, Token> where = new HashMap<>();
    boolean ok = true;
    if (block != null) {
      for (QgParser.AttributeContext a : block.attribute()) {
        String name = a.name().getText();
        if (written.containsKey(name)) {
          error(a.name().start, op + ": attribute '" + name + "' is written twice");
          ok = false;
          continue;
        }
        Optional<AttrValue> v = attrValue(a.attrValue());
        if (v.isEmpty()) {
          ok = false;
          continue;
        }
        written.put(name, v.get());
        where.put(name, a.name().start);
      }
    }
    AttrReader reader = new AttrReader(op.keyword(), written);
    Attrs attrs = op.def().readAttrs(reader);
    for (AttrReader.Problem p : reader.finish()) {
      Token t = p.attribute() != null && where.containsKey(p.attribute()) ? where.get(p.attribute()) : opToken;
      error(t, p.message());
      ok = false;
    }
    return ok ? Optional.of(attrs) : Optional.empty();
  }

  private Optional<AttrValue> attrValue(QgParser.AttrValueContext ctx) {
    return switch (ctx) {
      case QgParser.NumberAttrContext n -> n.number().INT() != null
          ? types.integer(n.number().INT().getSymbol()).map(AttrValue.Int::new)
          : Optional.of(new AttrValue.Real(dev.zeropoint.ir.Numbers.parseDouble(n.getText())));
      case QgParser.BoolAttrContext b -> Optional.of(new AttrValue.Bool(b.getText().equals("true")));
      case QgParser.StringAttrContext s -> Optional.of(new AttrValue.Str(ConstReader.unquote(s.getText())));
      case QgParser.WordAttrContext w -> Optional.of(new AttrValue.Word(w.getText()));
      case QgParser.NumberListAttrContext n -> {
        List<AttrValue> items = new ArrayList<>();
        Token list = n.NUMBER_LIST().getSymbol();
        for (NumberList.Element e : NumberList.elements(list.getText())) {
          if (!e.integer()) {
            items.add(new AttrValue.Real(dev.zeropoint.ir.Numbers.parseDouble(e.text())));
            continue;
          }
          try {
            items.add(new AttrValue.Int(Long.parseLong(e.text())));
          } catch (NumberFormatException x) {
            diagnostics.error(NumberList.locate(file, list, e.offset()), "integer " + e.text() + " does not fit in 64 bits");
            yield Optional.empty();
          }
        }
        yield Optional.of(new AttrValue.ListOf(items));
      }
      case QgParser.ListAttrContext l -> {
        List<AttrValue> items = new ArrayList<>();
        for (QgParser.AttrValueContext item : l.attrValue()) {
          Optional<AttrValue> v = attrValue(item);
          if (v.isEmpty()) {
            yield Optional.empty();
          }
          items.add(v.get());
        }
        yield Optional.of(new AttrValue.ListOf(items));
      }
      default -> throw new IllegalStateException("unknown attribute form " + ctx.getClass());
    };
  }

  private void buildOutputs(GraphBuilder builder, QgParser.ModelContext model,
      List<QgParser.StatementContext> statements) {
    Map<String, Token> seen = new HashMap<>();
    int count = 0;
    for (QgParser.StatementContext s : statements) {
      if (!(s instanceof QgParser.OutputStatementContext o)) {
        continue;
      }
      count++;
      String name = o.outputName.getText();
      if (seen.containsKey(name)) {
        error(o.outputName.start, "output " + name + " is already declared at line " + seen.get(name).getLine());
        continue;
      }
      seen.put(name, o.outputName.start);
      String valueName = o.VALUE().getText().substring(1);
      if (!definedAt.containsKey(valueName)) {
        error(o.VALUE().getSymbol(), "output " + name + " refers to undefined value %" + valueName);
        continue;
      }
      Value v = values.get(valueName);
      if (v != null) {
        builder.output(name, v, at(o.outputName.start));
      }
    }
    if (count == 0) {
      error(model.modelName.start, "model " + model.modelName.getText() + " has no outputs");
    }
  }

  private void error(Token at, String message) {
    diagnostics.error(at(at), message);
  }

}
