package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.List;
import java.util.Optional;

/**
 * One rule of the sidecar's findings (docs/analyser.md lists them), evaluated on the metric history of a run (oldest first, the checkpoint
 * being judged last), once per checkpoint in order. No I/O, no clock, and no state of its own beyond what a rule says
 * it carries from one checkpoint to the next (the spikes' earlier prediction errors), so a rule is tested with a list
 * of records.
 */
interface Detector {

    Reason reason();

    /**
     * {@code true} for one-off events (a spike happens at a step), which are reported where they occur and never
     * held; {@code false} for conditions (oscillating, at the edge of stability), which hysteresis keeps raised.
     */
    boolean isEvent();

    Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t);
}
