package dev.zeropoint.backends.c;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The C sources the generated code is assembled from, kept as resources beside this class.
 *
 * <p>{@code lib/NAME.c} holds one scalar function or struct of the numerics, {@code zp_NAME}: a port
 * of the Java method or record it is named after ({@code Rounding_lrintf} is {@code
 * Rounding.lrintf}). {@code kernels/NAME.c} holds one kernel template, a port of the run-time
 * kernel it is named after ({@code Elementwise_clamp}); its array parameters have the types {@code
 * $T0}, {@code $T1}, ... in order and its name is {@code $NAME}, both filled in per instance. A
 * comment line starting {@code requires: A B} in a file names the lib entries it uses. Only what a model
 * uses is emitted, each once, after what it requires: code that needs no float contains none.
 */
public final class CLibrary {
  private static final Pattern REQUIRES = Pattern.compile("(?m)^\\s*(?:/\\*|\\*)?\\s*requires:([ \\w]*)");
  private static final Pattern TYPE_PARAM = Pattern.compile("\\$T(\\d+)");
  private static final Map<String, String> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Java kernels whose twins differ only in their element type share one template, C's types being
   * parameters: the name of a kernel to the file of its template.
   */
  private static final Map<String, String> TEMPLATES = Map.of("Layout_catInts", "Layout_cat", "Layout_catFloats",
      "Layout_cat", "Layout_splitInts", "Layout_split", "Layout_splitFloats", "Layout_split", "Layout_gatherInts",
      "Layout_gather", "Layout_gatherFloats", "Layout_gather");

  private CLibrary() {}

  /** One instance of a kernel template: the kernel and the C types of its array parameters. */
  public record Instance(String kernel, List<CType> types) {
    public Instance {
      types = List.copyOf(types);
    }

    /** The instance's C function name, {@code zp_Elementwise_clamp_u8_u8}. */
    public String cName() {
      StringBuilder b = new StringBuilder("zp_").append(kernel);
      for (CType t : types) {
        b.append('_').append(t.suffix());
      }
      return b.toString();
    }
  }

  /** The text of lib entry {@code name}; IllegalArgumentException when there is none. */
  public static String lib(String name) {
    return resource("lib/" + name + ".c");
  }

  /** The text of kernel template {@code name}; IllegalArgumentException when there is none. */
  public static String kernel(String name) {
    return resource("kernels/" + TEMPLATES.getOrDefault(name, name) + ".c");
  }

  /** Whether a kernel template of this name exists. */
  public static boolean hasKernel(String name) {
    return CLibrary.class.getResource("kernels/" + TEMPLATES.getOrDefault(name, name) + ".c") != null;
  }

  /**
   * The source of the given lib entries and kernel instances with every lib entry they require,
   * each once, every entry after the entries it requires.
   */
  public static String source(Collection<String> libs, Collection<Instance> instances) {
    Set<String> ordered = new LinkedHashSet<>();
    for (String l : libs) {
      addLib(l, ordered, new LinkedHashSet<>());
    }
    Set<Instance> kernels = new LinkedHashSet<>(instances);
    for (Instance i : kernels) {
      for (String l : requires(kernel(i.kernel()))) {
        addLib(l, ordered, new LinkedHashSet<>());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String l : ordered) {
      out.append(lib(l).strip()).append("\n\n");
    }
    for (Instance i : kernels) {
      out.append(instantiate(i)).append("\n\n");
    }
    return out.toString();
  }

  /** A kernel template with its name and types filled in. */
  public static String instantiate(Instance i) {
    String text = kernel(i.kernel()).strip();
    Matcher m = TYPE_PARAM.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      int k = Integer.parseInt(m.group(1));
      if (k >= i.types().size()) {
        throw new IllegalArgumentException("kernel " + i.kernel() + " uses $T" + k + " but the instance has "
            + i.types().size() + " array types");
      }
      m.appendReplacement(b, i.types().get(k).c());
    }
    m.appendTail(b);
    return b.toString().replace("$NAME", i.cName());
  }

  private static void addLib(String name, Set<String> ordered, Set<String> visiting) {
    if (ordered.contains(name)) {
      return;
    }
    if (!visiting.add(name)) {
      throw new IllegalStateException("C lib entries require each other in a cycle through " + name);
    }
    for (String r : requires(lib(name))) {
      addLib(r, ordered, visiting);
    }
    ordered.add(name);
  }

  /** The names on the file's {@code requires:} lines. */
  static List<String> requires(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = REQUIRES.matcher(text);
    while (m.find()) {
      for (String s : m.group(1).trim().split("\\s+")) {
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private static String resource(String path) {
    return CACHE.computeIfAbsent(path, p -> {
      try (InputStream in = CLibrary.class.getResourceAsStream(p)) {
        if (in == null) {
          throw new IllegalArgumentException("no C source " + p + " in the C backend's library");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
