package dev.zeropoint.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line of a compiled model jar: {@code java -jar model.jar --input NAME=FILE.npy ...
 * --output-dir DIR} writes {@code DIR/<output>.npy} for every output. Errors are one line and exit
 * status 1.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(CompiledModel model, String[] args) {
    try {
      run(model, args);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
    }
  }

  static void run(CompiledModel model, String[] args) throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    Path outDir = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("--input") || a.equals("--output-dir")) && i + 1 < args.length) {
        String v = args[++i];
        if (a.equals("--output-dir")) {
          outDir = Path.of(v);
        } else {
          int eq = v.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--input takes NAME=FILE.npy, not " + v);
          }
          files.put(v.substring(0, eq), Path.of(v.substring(eq + 1)));
        }
      } else {
        throw new IllegalArgumentException("usage: java -jar MODEL.jar --input NAME=FILE.npy ... --output-dir DIR "
            + "(inputs: " + model.inputs() + ")");
      }
    }
    if (outDir == null) {
      throw new IllegalArgumentException("--output-dir DIR is required");
    }
    Object[] in = new Object[model.inputs().size()];
    for (int i = 0; i < in.length; i++) {
      TensorSpec s = model.inputs().get(i);
      Path f = files.remove(s.name());
      if (f == null) {
        throw new IllegalArgumentException("missing --input " + s.name() + "=FILE.npy (" + s + ")");
      }
      Npy.Array a = Npy.read(f);
      if (!a.elementType().equals(s.elementType()) || !java.util.Arrays.equals(a.shape(), s.shape())) {
        throw new IllegalArgumentException(f + ": " + a.elementType() + java.util.Arrays.toString(a.shape())
            + ", but input " + s.name() + " is " + s.elementType() + java.util.Arrays.toString(s.shape()));
      }
      in[i] = a.data();
    }
    if (!files.isEmpty()) {
      throw new IllegalArgumentException("the model has no input " + files.keySet().iterator().next());
    }
    Object[] out = model.run(in);
    Files.createDirectories(outDir);
    for (int i = 0; i < out.length; i++) {
      TensorSpec s = model.outputs().get(i);
      Npy.write(outDir.resolve(s.name() + ".npy"), s.elementType(), s.shape(), out[i]);
    }
  }
}
