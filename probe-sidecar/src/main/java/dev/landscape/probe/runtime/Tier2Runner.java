package dev.landscape.probe.runtime;

import dev.landscape.contract.Tier2Metrics;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Tier 2 as the watch loop sees it. The implementation lives with the ND4J code
 * ({@code dev.landscape.probe.curvature.CurvatureTier2Runner}); {@code cli.WatchCommand} creates it, only when the
 * probe configures a model and a batch, and hands it to {@link Sidecar}, so a tier-1 sidecar never loads ND4J and
 * this package never depends on {@code curvature} (which depends on this one for the interface and the config).
 */
public interface Tier2Runner {

    /** Curvature at {@code checkpoint}; {@code previous} (nullable) adds nothing here but is kept for slices. */
    Tier2Metrics run(Path checkpoint, Path previous) throws IOException;
}
