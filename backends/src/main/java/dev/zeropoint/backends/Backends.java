package dev.zeropoint.backends;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The backends on the class path, found with ServiceLoader, and one per accelerator target. */
public final class Backends {
  private Backends() {}

  public static List<Backend> all() {
    List<Backend> out = new ArrayList<>();
    ServiceLoader.load(Backend.class).forEach(out::add);
    for (dev.zeropoint.backends.accel.AccelTarget t : dev.zeropoint.backends.accel.AccelTarget.all()) {
      out.add(new dev.zeropoint.backends.accel.AccelBackend(t));
    }
    return out;
  }

  public static Optional<Backend> named(String name) {
    return all().stream().filter(b -> b.name().equals(name)).findFirst();
  }
}
