package dev.landscape.probe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The sidecar's one entry point. Each mode is a command class of its own in this package, registered in
 * {@code subcommands}; exit codes are fixed here so every command reports failures alike:
 * 0 success, 1 usage error, 2 unreadable or malformed input, 3 internal error, 4 a finding at or above
 * {@code analyze --fail-on} (the CI gate).
 */
@Command(name = Main.NAME,
        description = "Checkpoint analysis for deep-learning training jobs.",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {InspectCommand.class, AnalyzeCommand.class, CurvatureCommand.class, WatchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    static final String NAME = "landscape-probe";

    public static final int USAGE = 1;
    public static final int BAD_INPUT = 2;
    public static final int INTERNAL = 3;
    /** {@code analyze --fail-on}: a finding of that severity or worse is present. */
    public static final int FINDINGS = 4;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs one command line with the given streams; the in-process form of {@code java -jar}. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        try {
            InspectCommand.Plain plain = InspectCommand.Plain.of(args);
            return plain != null ? plain.run(o, e) : commandLine(o, e).execute(args);
        } finally {
            o.flush();
            e.flush();
        }
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println(failed.getColorScheme().errorText(ex.getMessage()));
            failed.usage(failed.getErr());
            return USAGE;
        });
        cl.setExecutionExceptionHandler(new FailureHandler());
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command (one of: "
                + String.join(", ", spec.subcommands().keySet()) + ")");
    }

    /** The jar's Implementation-Version when packaged, else "development build". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"landscape-probe " + (v == null ? "(development build)" : v)};
        }
    }
}
