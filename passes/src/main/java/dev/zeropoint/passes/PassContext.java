package dev.zeropoint.passes;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What passes share during one pipeline run: the options that shape their work and where the
 * manager writes printed IR and timings. No global state: each run has its own context.
 *
 * @param integerOnly after lowering, no float op or value may remain
 * @param verifyEach run the verifier after every pass (always in tests)
 * @param printAfter pass names after which the IR is printed ({@code all} for every pass)
 * @param timePasses record each pass's wall time
 * @param log where printed IR and timings go
 */
public record PassContext(boolean integerOnly, boolean verifyEach, Set<String> printAfter, boolean timePasses,
    PrintWriter log, Map<String, Long> timingsNanos) {

  public PassContext {
    printAfter = Set.copyOf(printAfter);
  }

  /** Verify after every pass, print nothing, time nothing. */
  public static PassContext forTests() {
    return new PassContext(false, true, Set.of(), false, new PrintWriter(System.err, true), new LinkedHashMap<>());
  }

  public boolean printsAfter(String pass) {
    return printAfter.contains("all") || printAfter.contains(pass);
  }
}
