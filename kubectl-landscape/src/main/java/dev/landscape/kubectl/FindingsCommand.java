package dev.landscape.kubectl;

import picocli.CommandLine.Command;

/** {@code kubectl landscape findings PROBE}: wiring only; {@link FindingsView} renders. */
@Command(name = "findings", mixinStandardHelpOptions = true,
        description = "Active findings of a probe with since when, the values behind them and the remedy.")
final class FindingsCommand extends ProbeCommand {

    @Override
    public Integer call() {
        try (ClusterOptions.Cluster c = cluster.connect()) {
            out().print(FindingsView.render(c.probe(probe), now()));
        }
        return 0;
    }
}
