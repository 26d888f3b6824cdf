package dev.landscape.probe.cli;

import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.checkpoint.OptimizerHints;
import dev.landscape.contract.Severity;
import dev.landscape.probe.findings.Thresholds;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * {@code analyze DIR [--json] [--fail-on warning|critical] [--junit FILE]}: the offline post-mortem over a folder of
 * successive checkpoints — tier-1 metrics and findings per checkpoint, in step order — and the CI gate of a retrain
 * pipeline. Wiring only: {@link RunAnalysis} does the work, {@link AnalyzeReport} and {@link JUnitReport} render it.
 * Exit code 0 when every checkpoint was analysed, {@link Main#FINDINGS} when {@code --fail-on} is given and a
 * finding of that severity or worse is present (this wins over the next), 1 when some checkpoints could not be
 * read (the output still covers the rest and names them), 2 for bad usage.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Tier-1 metrics and findings for every checkpoint in a run folder, in step order.")
public final class AnalyzeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Folder of successive checkpoints (checkpoint-N/, "
            + "global_stepN/, step_N.*, epoch=E-step=S.ckpt, or any recognised checkpoint file).")
    Path dir;

    @Option(names = "--json", description = "Write JSON instead of a table.")
    boolean json;

    @Option(names = "--optimizer", description = "Optimizer when the checkpoints do not say: adam, adamw, sgd, sgd-momentum.")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate when the checkpoints do not say.")
    Double lr;

    @Option(names = "--beta1", description = "Adam beta1 when the checkpoints do not say.")
    Double beta1;

    @Option(names = "--beta2", description = "Adam beta2 when the checkpoints do not say.")
    Double beta2;

    @Option(names = "--momentum", description = "SGD momentum when the checkpoints do not say.")
    Double momentum;

    @Option(names = "--eps", description = "Adam epsilon when the checkpoints do not say.")
    Double eps;

    @Option(names = "--threshold", paramLabel = "NAME=DECIMAL",
            description = "Override a detector threshold, e.g. --threshold spikeZ=8 (repeatable).")
    Map<String, String> thresholds = new LinkedHashMap<>();

    @CommandLine.Mixin
    ReadOptions read = new ReadOptions();

    @Option(names = "--fail-on", paramLabel = "SEVERITY",
            description = "Exit " + Main.FINDINGS + " when a finding of this severity or worse is present: warning or critical.")
    String failOn;

    @Option(names = "--junit", paramLabel = "FILE",
            description = "Also write a JUnit XML report: one test case per checkpoint, its findings at or above --fail-on (default warning) as the failure.")
    Path junit;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Thresholds t;
        try {
            t = Thresholds.DEFAULTS.withOverrides(thresholds);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "DIR " + dir
                    + " is not a folder; analyze reads a folder of successive checkpoints (use inspect for one file)");
        }
        Optional<Severity> gate = Optional.ofNullable(failOn).map(this::severity);
        OptimizerHints overrides = new OptimizerHints(Optional.ofNullable(optimizer).orElse(""), opt(lr), opt(beta1),
                opt(beta2), opt(momentum), opt(eps), OptionalLong.empty());
        PrintWriter out = spec.commandLine().getOut();
        AnalyzeReport.Sink sink = json ? AnalyzeReport.json(out) : AnalyzeReport.table(dir, out);
        JUnitReport report = junit == null ? null : new JUnitReport(dir, gate.orElse(Severity.WARNING));
        List<String> tripped = new ArrayList<>();
        new RunAnalysis(CheckpointFormats.standard(read.policy()), overrides, t).run(dir, r -> {
            sink.accept(r);
            if (report != null) {
                report.accept(r);
            }
            gate.ifPresent(g -> r.findings().stream().filter(f -> f.severity().compareTo(g) >= 0)
                    .forEach(f -> tripped.add(f.severity().label() + " " + f.reason() + " at step " + f.step())));
        });
        sink.finish();
        out.flush();
        if (report != null) {
            report.write(junit);
        }
        if (!tripped.isEmpty()) {
            spec.commandLine().getErr().println(Main.NAME + " analyze: " + tripped.size() + " finding(s) at or above "
                    + failOn + " (" + String.join("; ", tripped.stream().limit(5).toList())
                    + (tripped.size() > 5 ? "; " + (tripped.size() - 5) + " more" : "") + "): exit " + Main.FINDINGS);
            return Main.FINDINGS;
        }
        return sink.unreadable > 0 ? 1 : 0;
    }

    private Severity severity(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "warning" -> Severity.WARNING;
            case "critical" -> Severity.CRITICAL;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--fail-on \"" + name + "\" is not a severity: use warning (any warning or critical finding fails) or critical");
        };
    }

    private static OptionalDouble opt(Double d) {
        return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AnalyzeCommand()).execute(args));
    }
}
