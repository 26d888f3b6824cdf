package dev.landscape.demo;

import dev.landscape.demo.cluster.Layout;
import dev.landscape.demo.scenario.DemoScenario;
import dev.landscape.demo.scenario.Timings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

/** {@code ./landscape demo}: runs the embedded scenario and prints where its report is. */
@Command(name = "landscape demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole product on this machine: an embedded Kubernetes API, the real operator, a 4-rank",
                "ND4J training job with one sidecar per rank, and scripted faults (edge of stability, a diverging",
                "rank, an OOM kill after a gradient spike, a stalled rank). Prints what the operator found and",
                "writes an HTML report. No network, Docker or cluster needed."})
public final class DemoMain implements Callable<Integer> {

    @Option(names = "--out", description = "Folder for checkpoints, logs and the report (default: a new folder under the system temp dir).")
    Path out;

    @Option(names = "--quick", description = "The shorter scenario the end-to-end test runs.")
    boolean quick;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out : Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"),
                "landscape-demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        DemoScenario.Outcome outcome = new DemoScenario(Layout.discover(), dir.toAbsolutePath(), quick, Timings.demo(), System.out).run();
        System.out.println();
        System.out.printf("Demo finished in %d s. Report: %s%n", outcome.took().toSeconds(), outcome.report());
        System.out.printf("Checkpoints, sidecar and operator logs: %s%n", dir.toAbsolutePath());
        return 0;
    }
}
