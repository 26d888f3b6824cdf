package dev.landscape.kubectl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code kubectl landscape findings PROBE}: wiring only; {@link FindingsView} renders. */
@Command(name = "findings", mixinStandardHelpOptions = true,
        description = "Active findings of a probe with since when, the values behind them and the remedy.")
final class FindingsCommand implements Callable<Integer> {

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
            spec.commandLine().getOut().print(FindingsView.render(c.probe(probe), parent.clock.instant()));
        }
        return 0;
    }
}
