package dev.zeropoint.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command run with a time limit, its standard output and error collected together: for the tests
 * that drive Python (golden generators) or a second JVM. The limit holds even when the command keeps
 * its output open (the output goes to a file, not a pipe read to its end first).
 */
public final class Subprocess {
  private Subprocess() {}

  /**
   * @param exit the exit status, or -1 when the command could not start or timed out
   * @param output its standard output and error, or why it could not start
   * @param timedOut whether it was killed at the time limit
   */
  public record Result(int exit, String output, boolean timedOut) {
    /** Null when the command exited with status 0, otherwise what went wrong and the end of its output. */
    public String problem() {
      if (timedOut) {
        return "timed out; output: " + tail();
      }
      return exit == 0 ? null : "exit " + exit + ": " + tail();
    }

    private String tail() {
      return output.substring(Math.max(0, output.length() - 2000));
    }
  }

  /** Runs {@code command}, killing it after {@code seconds}. */
  public static Result run(List<String> command, int seconds) throws IOException, InterruptedException {
    Path log = Files.createTempFile("zeropoint-subprocess", ".log");
    try {
      Process p;
      try {
        p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      } catch (IOException e) {
        return new Result(-1, "cannot run " + command.get(0) + ": " + e.getMessage(), false);
      }
      boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      return done ? new Result(p.exitValue(), output, false) : new Result(-1, output, true);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
