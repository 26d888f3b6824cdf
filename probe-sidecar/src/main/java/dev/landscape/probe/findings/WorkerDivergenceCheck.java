package dev.landscape.probe.findings;

import dev.landscape.probe.metrics.CountSketch;
import dev.landscape.probe.metrics.GroupMetrics;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * WorkerDivergence (critical) between two ranks' copies of the same replicated checkpoint step, from their
 * fingerprints alone: for each tensor both have, {@code ‖S(θ_a) − S(θ_b)‖ / ‖θ_a‖} estimates the relative L2
 * distance (see {@link CountSketch} for the error: ±4.4 % relative at width 256, and exactly 0 for identical
 * copies). A ratio at or above {@code divergenceRelative} on any tensor is reported, naming the worst tensor.
 * Data-parallel replicas are bitwise identical after every all-reduce, so any non-zero distance is already a
 * symptom; the threshold leaves room for non-deterministic reductions. Pure.
 */
public final class WorkerDivergenceCheck {

    private WorkerDivergenceCheck() {
    }

    public static Optional<Finding> compare(String rankA, Tier1Metrics a, String rankB, Tier1Metrics b, Thresholds t) {
        String worst = null;
        double worstRatio = 0;
        int divergent = 0;
        for (Map.Entry<String, CountSketch> e : a.fingerprints().entrySet()) {
            CountSketch other = b.fingerprints().get(e.getKey());
            GroupMetrics norms = a.tensors().get(e.getKey());
            if (other == null || norms == null || other.width() != e.getValue().width()) {
                continue;
            }
            double distance = e.getValue().distance(other);
            double ratio = norms.parameterNorm() > 0 ? distance / norms.parameterNorm()
                    : distance > 0 ? Double.POSITIVE_INFINITY : 0;
            if (ratio >= t.divergenceRelative()) {
                divergent++;
                if (ratio > worstRatio || worst == null) {
                    worstRatio = ratio;
                    worst = e.getKey();
                }
            }
        }
        if (worst == null) {
            return Optional.empty();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("relativeDistance", worstRatio);
        values.put("divergentTensors", (double) divergent);
        String msg = String.format(Locale.ROOT, "Step %d: rank %s and rank %s hold different %s (relative distance "
                + "%.3g, %d tensor(s) differ) although data-parallel replicas must be identical. Check for a rank that "
                + "skipped an all-reduce or loaded a different checkpoint; restart the job from a consistent checkpoint.",
                a.step(), rankA, rankB, worst, worstRatio, divergent);
        return Optional.of(new Finding("WorkerDivergence", Severity.CRITICAL, a.step(), a.step(), values, msg));
    }
}
