package dev.landscape.kubectl;

import picocli.CommandLine.Command;

/** {@code kubectl landscape status PROBE}: wiring only; {@link StatusView} renders. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Per-rank table of a probe: pod, step, loss, gradient norm, edge-of-stability ratio, restarts, OOM kills, last report, findings.")
final class StatusCommand extends ProbeCommand {

    @Override
    public Integer call() {
        try (ClusterOptions.Cluster c = cluster.connect()) {
            var p = c.probe(probe);
            out().print(StatusView.render(p, c.reports(probe), now()));
        }
        return 0;
    }
}
