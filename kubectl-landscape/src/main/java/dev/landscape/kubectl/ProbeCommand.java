package dev.landscape.kubectl;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

/** What every subcommand takes: the probe's name, kubectl's cluster flags, and the clock and streams of the run. */
abstract class ProbeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PROBE", description = "Name of the LandscapeProbe.")
    String probe;

    @Mixin
    ClusterOptions cluster;

    @ParentCommand
    KubectlLandscape parent;

    @Spec
    CommandSpec spec;

    Instant now() {
        return parent.clock.instant();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
