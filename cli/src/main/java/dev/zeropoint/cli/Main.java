package dev.zeropoint.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code zeropoint} command: parse, check, transform, run and compile quantized models. */
@Command(name = "zeropoint", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Ahead-of-time compiler for quantized neural-network graphs, bit-exact with the source framework.",
    subcommands = {CheckCommand.class, PrintCommand.class, RunCommand.class, BenchCommand.class, ExplainCommand.class,
        CompileCommand.class, ImportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command (check, print, run, bench, explain, compile)");
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    int status = execute(args, out, new PrintWriter(System.err, true));
    out.flush(); // autoflush flushes println only: what a command print()s last (compile's statistics) stays behind
    System.exit(status);
  }

  /** Runs the command line and returns the exit status: 0 success, 1 any error. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setParameterExceptionHandler((ex, a) -> {
      err.println("zeropoint: " + ex.getMessage());
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
      return 1;
    });
    cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof UserError u) {
        err.print(u.getMessage());
        err.flush();
        return 1;
      }
      err.println("zeropoint: internal error (please report it with the model): " + ex);
      ex.printStackTrace(err);
      return 2;
    });
    return cmd.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"zeropoint " + (v == null ? "development" : v)};
    }
  }
}
