package dev.zeropoint.backends.accel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * An int8 accelerator target, found with {@link ServiceLoader}: its name (used by {@code --target}
 * and {@code --backend}) and its {@link TargetDescription}. The partitioning, tiling, instruction
 * selection and simulation are driven by the description (docs/writing-a-backend.md).
 */
public interface AccelTarget {
  String name();

  TargetDescription description();

  /** The targets on the class path. */
  static List<AccelTarget> all() {
    List<AccelTarget> out = new ArrayList<>();
    ServiceLoader.load(AccelTarget.class).forEach(out::add);
    return out;
  }

  static Optional<AccelTarget> named(String name) {
    return all().stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** VTA's default configuration (no multiplier). */
  final class Vta implements AccelTarget {
    @Override
    public String name() {
      return "vta";
    }

    @Override
    public TargetDescription description() {
      return TargetDescription.vta();
    }
  }

  /** VTA with fsim's multiplier. */
  final class VtaMul implements AccelTarget {
    @Override
    public String name() {
      return "vta-mul";
    }

    @Override
    public TargetDescription description() {
      return TargetDescription.vtaMul();
    }
  }
}
