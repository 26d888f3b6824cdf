package dev.landscape.kubectl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * {@code kubectl landscape}: on-call's view of a LandscapeProbe without reading YAML. kubectl runs any executable named
 * {@code kubectl-landscape} on the PATH with the remaining arguments. Exit codes: 0 success, 1 the cluster could not
 * be asked or the probe does not exist (the message says which), 2 bad usage.
 */
@Command(name = "kubectl landscape", mixinStandardHelpOptions = true,
        versionProvider = KubectlLandscape.Version.class,
        description = "Per-rank health, findings and silences of a LandscapeProbe (landscape-probe).",
        subcommands = {StatusCommand.class, FindingsCommand.class, SilenceCommand.class, CommandLine.HelpCommand.class})
public final class KubectlLandscape implements Runnable {

    static final int FAILED = 1;
    static final int USAGE = 2;

    /** What "now" is: relative times in the output and the end of a silence. */
    final Clock clock;

    @Spec
    CommandSpec spec;

    KubectlLandscape(Clock clock) {
        this.clock = clock;
    }

    public static void main(String[] args) {
        System.exit(run(Clock.systemUTC(), System.out, System.err, args));
    }

    /** Runs one command line; the in-process form of the executable, for tests. */
    static int run(Clock clock, PrintStream out, PrintStream err, String... args) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        try {
            CommandLine cl = new CommandLine(new KubectlLandscape(clock));
            cl.setOut(o);
            cl.setErr(e);
            cl.setExecutionExceptionHandler((ex, failed, parsed) -> {
                failed.getErr().println("error: " + (ex instanceof ClusterException ? ex.getMessage() : describe(ex)));
                return FAILED;
            });
            return cl.execute(args);
        } finally {
            o.flush();
            e.flush();
        }
    }

    private static String describe(Exception ex) {
        return ex.getMessage() == null ? ex.getClass().getName() : ex.getMessage();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command (one of: status, findings, silence)");
    }

    /** The jar's Implementation-Version when packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = KubectlLandscape.class.getPackage().getImplementationVersion();
            return new String[] {"kubectl-landscape " + (v == null ? "(development build)" : v)};
        }
    }
}
