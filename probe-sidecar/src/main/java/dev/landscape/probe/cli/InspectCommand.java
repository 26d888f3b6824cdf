package dev.landscape.probe.cli;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.ReadPolicy;
import dev.landscape.probe.inspect.InspectJson;
import dev.landscape.probe.inspect.InspectReport;
import dev.landscape.probe.inspect.InspectTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code inspect PATH [--json]}: open with the format registry, read every tensor once, print. The plain form is
 * also recognised without picocli ({@link Plain}), for start-up time.
 */
@Command(name = InspectCommand.NAME, mixinStandardHelpOptions = true,
        description = "Every tensor of one checkpoint (file or folder) with dtype, shape, L2 norm and max |x| of "
                + "the finite elements, and the NaN/Inf count.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:success", "1:usage error", "2:checkpoint missing, unreadable, malformed, over a memory limit"
                + " or naming a pickle global that is not on the allowlist", "3:internal error (also any JVM Error)"})
final class InspectCommand implements Callable<Integer> {

    static final String NAME = "inspect";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "checkpoint file or folder")
    Path path;

    @Option(names = "--json", description = "machine-readable output (the contract in docs/analyser.md); nothing else on stdout")
    boolean json;

    @CommandLine.Mixin
    ReadOptions read = new ReadOptions();

    @Override
    public Integer call() throws Exception {
        return inspect(path, json, spec.commandLine().getOut(), read.policy());
    }

    private static int inspect(Path path, boolean json, PrintWriter out, ReadPolicy policy) throws IOException {
        InspectReport report;
        try (Checkpoint checkpoint = CheckpointFormats.standard(policy).open(path)) {
            report = InspectReport.of(checkpoint);
        }
        if (json) {
            InspectJson.write(report, out);
        } else {
            InspectTable.write(report, out);
        }
        return 0;
    }

    /**
     * {@code inspect PATH}, {@code inspect PATH --json} or {@code inspect --json PATH}: the form that scripts run
     * over every checkpoint, recognised without picocli. Building picocli's command model is some 0.4 CPU-seconds
     * on every run (its classes are Java 5 bytecode, which class-data sharing cannot archive), about as much as
     * the rest of the JVM's start-up and as scanning a 1 GiB checkpoint. Only these exact word lists are taken;
     * anything else (help, other or misspelt options, {@code @argument-files}, a path that starts with {@code -})
     * goes to picocli, and the same failures give the same message and exit code either way
     * ({@code InspectCommandTest} runs both).
     */
    record Plain(Path path, boolean json) {

        /** The plain form's arguments, or null when {@code args} are not exactly that form. */
        static Plain of(String... args) {
            if (args.length < 2 || args.length > 3 || !args[0].equals(NAME)) {
                return null;
            }
            boolean json = args.length == 3;
            String path = args.length == 2 ? args[1] : args[1].equals("--json") ? args[2] : args[2].equals("--json") ? args[1] : null;
            if (path == null || path.isEmpty() || path.startsWith("-") || path.startsWith("@")) {
                return null;
            }
            try {
                return new Plain(Path.of(path), json);
            } catch (InvalidPathException e) {
                return null; // picocli reports it as a bad parameter
            }
        }

        int run(PrintWriter out, PrintWriter err) {
            try {
                return inspect(path, json, out, ReadPolicy.standard());
            } catch (Exception e) {
                return FailureHandler.report(e, Main.NAME + " " + NAME, err);
            }
        }
    }
}
