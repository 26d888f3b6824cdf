package dev.landscape.probe.cli;

import dev.landscape.probe.checkpoint.Checkpoint;
import dev.landscape.probe.checkpoint.CheckpointFormats;
import dev.landscape.probe.inspect.InspectJson;
import dev.landscape.probe.inspect.InspectReport;
import dev.landscape.probe.inspect.InspectTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code inspect PATH [--json]}: open with the format registry, read every tensor once, print. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Every tensor of one checkpoint (file or folder) with dtype, shape, L2 norm and max |x| of "
                + "the finite elements, and the NaN/Inf count.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:success", "1:usage error", "2:checkpoint missing, unreadable or malformed", "3:internal error"})
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "checkpoint file or folder")
    Path path;

    @Option(names = "--json", description = "machine-readable output (the contract in DESIGN.md); nothing else on stdout")
    boolean json;

    @Override
    public Integer call() throws Exception {
        InspectReport report;
        try (Checkpoint checkpoint = CheckpointFormats.standard().open(path)) {
            report = InspectReport.of(checkpoint);
        }
        if (json) {
            InspectJson.write(report, spec.commandLine().getOut());
        } else {
            InspectTable.write(report, spec.commandLine().getOut());
        }
        return 0;
    }
}
