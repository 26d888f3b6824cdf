package dev.landscape.probe.architecture.oldcycle.runtime;

import dev.landscape.probe.architecture.oldcycle.curvature.CurvatureTier2Runner;

/**
 * ArchitectureTest's fixture: the sidecar's shape before the tier-2 runner was made in {@code cli} and passed in.
 * The runtime built the ND4J runner by name, while the runner read the runtime's configuration: a package cycle.
 */
public final class Sidecar {

    final Tier2Runner tier2;

    public Sidecar(SidecarConfig config) {
        this.tier2 = config.tier2() ? new CurvatureTier2Runner(config) : null;
    }
}
