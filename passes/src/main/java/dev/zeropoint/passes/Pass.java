package dev.zeropoint.passes;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;

/**
 * A graph transformation with a stable kebab-case name, used by {@code --passes}, tests and
 * {@code --print-after}. A pass returns the transformed graph (or the same graph when nothing
 * changed) and never changes an output integer. User passes are found with ServiceLoader.
 */
public interface Pass {
  /** The stable name, e.g. {@code fold-batchnorm}. */
  String name();

  /** One line for {@code --help}. */
  String description();

  Graph run(Graph graph, PassContext context) throws CompileException;
}
