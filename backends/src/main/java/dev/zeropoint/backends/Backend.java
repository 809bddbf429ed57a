package dev.zeropoint.backends;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;

/**
 * A way to execute graphs. Backends are found with {@link java.util.ServiceLoader} and named on
 * the command line ({@code --backend interp}). Every backend must compute exactly the integers the
 * reference interpreter computes.
 */
public interface Backend {
  /** The name used by {@code --backend}. */
  String name();

  /** Prepares a verified graph for execution; a graph the backend cannot run is a CompileException. */
  Executable prepare(Graph graph) throws CompileException;
}
