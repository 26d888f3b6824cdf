package dev.landscape.probe.architecture.oldcycle.curvature;

import dev.landscape.probe.architecture.oldcycle.runtime.SidecarConfig;
import dev.landscape.probe.architecture.oldcycle.runtime.Tier2Runner;

/** ArchitectureTest's fixture: the ND4J runner, which reads the runtime's configuration. */
public final class CurvatureTier2Runner implements Tier2Runner {

    private final SidecarConfig config;

    public CurvatureTier2Runner(SidecarConfig config) {
        this.config = config;
    }

    @Override
    public double[] run() {
        return new double[config.topK()];
    }
}
