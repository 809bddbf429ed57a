package dev.zeropoint.backends.c;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The system C compiler: {@code $CC}, else {@code cc}, else {@code gcc} on the PATH. Builds and runs
 * the generated programs; every failure is a {@link CToolException} with the compiler's or the
 * program's own message.
 */
public final class CCompiler {
  /** The flags every generated file must pass (the contract): C99, every warning an error. */
  public static final List<String> STRICT = List.of("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic",
      "-ffp-contract=off");

  /** What the sanitizer builds add. */
  public static final List<String> SANITIZE = List.of("-fsanitize=address,undefined", "-fno-sanitize-recover=all",
      "-fno-omit-frame-pointer", "-g");

  private final String command;

  private CCompiler(String command) {
    this.command = command;
  }

  /** A C compiler of this machine, or empty when there is none. */
  public static Optional<CCompiler> find() {
    String cc = System.getenv("CC");
    List<String> candidates = new ArrayList<>();
    if (cc != null && !cc.isBlank()) {
      candidates.add(cc.trim());
    }
    candidates.add("cc");
    candidates.add("gcc");
    for (String c : candidates) {
      if (onPath(c)) {
        return Optional.of(new CCompiler(c));
      }
    }
    return Optional.empty();
  }

  /** A compiler of this machine; CToolException naming what to install when there is none. */
  public static CCompiler require() throws CToolException {
    return find().orElseThrow(() -> new CToolException(
        "no C compiler found (set CC, or install gcc: apt-get install gcc)"));
  }

  public String command() {
    return command;
  }

  /** Compiles and links {@code sources} into {@code executable} with {@code flags}. */
  public void build(List<Path> sources, Path executable, List<String> flags) throws CToolException {
    List<String> cmd = new ArrayList<>();
    cmd.add(command);
    cmd.addAll(flags);
    for (Path s : sources) {
      cmd.add(s.toString());
    }
    cmd.add("-o");
    cmd.add(executable.toString());
    Result r = exec(cmd, executable.getParent(), 600, java.util.Map.of());
    if (r.status != 0) {
      throw new CToolException("the C compiler failed on " + sources.get(0).getFileName() + ":\n" + r.output.strip());
    }
  }

  /** Compiles {@code source} to the object file {@code object} with {@code flags}. */
  public void compileObject(Path source, Path object, List<String> flags) throws CToolException {
    List<String> cmd = new ArrayList<>();
    cmd.add(command);
    cmd.addAll(flags);
    cmd.add("-c");
    cmd.add(source.toString());
    cmd.add("-o");
    cmd.add(object.toString());
    Result r = exec(cmd, object.getParent(), 600, java.util.Map.of());
    if (r.status != 0) {
      throw new CToolException("the C compiler failed on " + source.getFileName() + ":\n" + r.output.strip());
    }
  }

  /** Runs a program; its standard output, or CToolException with its output when it fails. */
  public static String run(List<String> cmd, Path directory, long timeoutSeconds) throws CToolException {
    return run(cmd, directory, timeoutSeconds, java.util.Map.of());
  }

  /** As {@link #run(List, Path, long)}, with these environment variables added to this process's. */
  public static String run(List<String> cmd, Path directory, long timeoutSeconds, java.util.Map<String, String> env)
      throws CToolException {
    Result r = exec(cmd, directory, timeoutSeconds, env);
    if (r.status != 0) {
      throw new CToolException(Path.of(cmd.get(0)).getFileName() + " failed (exit status " + r.status + "):\n"
          + r.output.strip());
    }
    return r.output;
  }

  private record Result(int status, String output) {}

  private static Result exec(List<String> cmd, Path directory, long timeoutSeconds, java.util.Map<String, String> env)
      throws CToolException {
    Path log = null;
    try {
      log = Files.createTempFile("zeropoint-cc", ".log");
      ProcessBuilder b = new ProcessBuilder(cmd).directory(directory == null ? null : directory.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      b.environment().putAll(env);
      Process p = b.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new CToolException(cmd.get(0) + " did not finish in " + timeoutSeconds + " s");
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CToolException("cannot run " + cmd.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CToolException("interrupted while running " + cmd.get(0));
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException ignored) {
          // a temporary log left behind is harmless
        }
      }
    }
  }

  private static boolean onPath(String name) {
    if (name.contains("/")) {
      return Files.isExecutable(Path.of(name));
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }
}
