package dev.landscape.kubectl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/** {@code kubectl landscape status PROBE}: wiring only; {@link StatusView} renders. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Per-rank table of a probe: pod, step, loss, gradient norm, edge-of-stability ratio, restarts, OOM kills, last report, findings.")
final class StatusCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PROBE", description = "Name of the LandscapeProbe.")
    String probe;

    @Mixin
    ClusterOptions cluster;

    @ParentCommand
    KubectlLandscape parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (ClusterOptions.Cluster c = cluster.connect()) {
            var p = c.probe(probe);
            spec.commandLine().getOut().print(StatusView.render(p, c.reports(probe), parent.clock.instant()));
        }
        return 0;
    }
}
