package dev.zeropoint.onnx;

import java.util.HashSet;
import java.util.Set;

/**
 * ONNX names ({@code /layer1/0/conv1/Conv_output_0}) as .qg names: characters outside the
 * language's sets become {@code _}, and a clash gets a numeric suffix.
 */
final class Names {
  private final Set<String> valueNames = new HashSet<>();
  private final Set<String> outputNames = new HashSet<>();

  /** A unique value name: letters, digits, {@code _} and {@code .}. */
  String value(String onnxName, java.util.function.Predicate<String> taken) {
    String base = onnxName.replaceAll("[^a-zA-Z0-9_.]", "_").replaceAll("^_+(?=.)", "");
    base = base.isEmpty() ? "v" : base;
    String n = base;
    for (int i = 1; taken.test(n) || !valueNames.add(n); i++) {
      n = base + "_" + i;
    }
    return n;
  }

  /** A unique output name: an identifier. */
  String output(String onnxName) {
    return unique(identifier(onnxName), outputNames);
  }

  static String identifier(String s) {
    String id = s.replaceAll("[^a-zA-Z0-9_]", "_").replaceAll("^_+(?=.)", "");
    if (id.isEmpty() || !Character.isLetter(id.charAt(0)) && id.charAt(0) != '_') {
      id = "m_" + id;
    }
    return id;
  }

  private static String unique(String base, Set<String> used) {
    String n = base;
    for (int i = 1; !used.add(n); i++) {
      n = base + "_" + i;
    }
    return n;
  }
}
