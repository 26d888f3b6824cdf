package dev.landscape.operator.webhook;

import dev.landscape.operator.crd.LandscapeProbe;

/**
 * Where the webhook tells a probe's owner what it did not do (skipped pods, lost elections, GPU fallbacks).
 * Implementations must never throw and never delay the admission: a pod is admitted whether or not the Event lands.
 */
public interface ProbeEvents {

    void warning(LandscapeProbe probe, String reason, String message);

    /** Discards everything: dry-run admissions (the webhook declares {@code sideEffects: NoneOnDryRun}). */
    ProbeEvents NONE = (probe, reason, message) -> { };
}
