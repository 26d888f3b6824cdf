package dev.landscape.probe.runtime;

import dev.landscape.probe.findings.Thresholds;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps the LandscapeProbe's {@code spec.thresholds} (CRD field names, as the webhook passes them) onto the
 * sidecar's detector thresholds. Thresholds that only the operator applies (divergence across ranks, step skew,
 * staleness, restart loops, the instability window) are not the sidecar's business and are left out.
 */
public final class ProbeThresholds {

    static final Map<String, String> CRD_TO_SIDECAR = Map.of(
            "edgeOfStabilityWarning", "eosWarningRatio",
            "edgeOfStabilityCritical", "eosCriticalRatio",
            "edgeOfStabilityCheckpoints", "eosCheckpoints",
            "spikeZScore", "spikeZ",
            "spikeWindow", "spikeWindow",
            "updateOscillationCosine", "oscillationCosine",
            "updateOscillationCheckpoints", "oscillationCheckpoints",
            "plateauRelativeChange", "plateauRelativeChange",
            "plateauCheckpoints", "plateauCheckpoints");

    private ProbeThresholds() {
    }

    /**
     * The detectors' defaults ({@code spec.thresholds} in docs/operator.md) with the probe's overrides applied;
     * unknown names are errors naming the field.
     */
    public static Thresholds from(Map<String, String> crd) {
        Map<String, String> mapped = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : crd.entrySet()) {
            String sidecar = CRD_TO_SIDECAR.get(e.getKey());
            if (sidecar != null) {
                mapped.put(sidecar, e.getValue());
            }
        }
        return Thresholds.DEFAULTS.withOverrides(mapped);
    }
}
