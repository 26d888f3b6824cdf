package dev.landscape.probe.architecture.oldcycle.runtime;

/** ArchitectureTest's fixture: tier 2 as the watch loop sees it. */
public interface Tier2Runner {

    double[] run();
}
