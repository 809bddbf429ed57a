package dev.zeropoint.passes;

import dev.zeropoint.passes.canonicalize.Canonicalize;
import dev.zeropoint.passes.elide.ElideElementwise;
import dev.zeropoint.passes.fuse.FoldBatchNorm;
import dev.zeropoint.passes.fuse.FuseActivation;
import dev.zeropoint.passes.lower.CheckAccumulators;
import dev.zeropoint.passes.lower.FoldBias;
import dev.zeropoint.passes.lower.LowerInteger;
import dev.zeropoint.passes.lower.LowerRequantize;
import dev.zeropoint.passes.qdq.PropagateQparams;
import dev.zeropoint.passes.qdq.QdqToInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The built-in passes and those found on the class path with ServiceLoader, by name. */
public final class PassRegistry {
  private final Map<String, Pass> passes = new LinkedHashMap<>();

  private PassRegistry() {}

  /** Built-in passes, then user passes ({@code META-INF/services/dev.zeropoint.passes.Pass}). */
  public static PassRegistry load() {
    PassRegistry r = new PassRegistry();
    for (Pass p : List.<Pass>of(new Canonicalize(), new ElideElementwise(), new LowerRequantize(),
        new LowerInteger(), new FuseActivation(), new FoldBias(), new CheckAccumulators(),
        new FoldBatchNorm(), new PropagateQparams(), new QdqToInteger())) {
      r.passes.put(p.name(), p);
    }
    for (Pass p : ServiceLoader.load(Pass.class)) {
      r.passes.putIfAbsent(p.name(), p);
    }
    return r;
  }

  public Optional<Pass> named(String name) {
    return Optional.ofNullable(passes.get(name));
  }

  public List<String> names() {
    return List.copyOf(passes.keySet());
  }
}
