package dev.landscape.probe.findings;

import dev.landscape.contract.ThresholdDefaults;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Detector thresholds. Those a probe's {@code spec.thresholds} can set default to report-contract's
 * {@link ThresholdDefaults} (the CRD's defaults too); the rest are the sidecar's own. A probe's values override them
 * as decimal strings (never floats in a spec), parsed by {@link #withOverrides}; one record so there is one place to
 * read them.
 *
 * @param eosWarningRatio        sharpness/threshold at which EdgeOfStability warns (1)
 * @param eosCriticalRatio       ... and turns critical (2)
 * @param eosCheckpoints         consecutive checkpoints the ratio must hold (2)
 * @param spikeZ                 robust z-score of a GradientSpike / LossSpike (6)
 * @param spikeWindow            checkpoints of history the trend and its scatter are taken over (20)
 * @param spikeMinHistory        fewer finite values than this and no spike is judged (16: a run falls fastest in
 *                               its first checkpoints, where a line through them says little about the next)
 * @param oscillationCosine      update cosine at or below which updates count as reversing, provided the cosine
 *                               with the update two before is at least its negative (−0.5; see
 *                               {@link OscillationDetector})
 * @param oscillationCheckpoints consecutive reversing checkpoints for UpdateOscillation (3)
 * @param plateauRelativeChange  relative loss change at or below which the loss is flat (1e-4)
 * @param plateauCheckpoints     checkpoints the change is measured over (10)
 * @param raiseAfter             consecutive detections before a finding is raised (1: each rule above already
 *                               demands its own persistence)
 * @param clearAfter             consecutive clean checkpoints before a raised condition is cleared (3)
 * @param classDriftRise         a class's eval loss over its baseline that makes ClassLossDrift (1.5)
 * @param classDriftMeanRise     ... provided the mean eval loss stays below this ratio to its baseline (1.1)
 * @param classDriftCheckpoints  consecutive checkpoints both must hold (2)
 * @param classDriftWindow       checkpoints before those whose median is the baseline (10)
 * @param eosJumpFactor          a ratio past eosWarningRatio that is at least this many times its median over the
 *                               previous checkpoints raises EdgeOfStability at once (3)
 * @param eosApproachRatio       Adam's tier-1 ratio at which EdgeOfStability is raised at severity info, approaching
 *                               the edge (0.5; see {@link EdgeOfStabilityDetector})
 * @param eosApproachCheckpoints consecutive checkpoints it must hold (3)
 */
public record Thresholds(double eosWarningRatio, double eosCriticalRatio, int eosCheckpoints,
                         double spikeZ, int spikeWindow, int spikeMinHistory,
                         double oscillationCosine, int oscillationCheckpoints,
                         double plateauRelativeChange, int plateauCheckpoints,
                         int raiseAfter, int clearAfter,
                         double classDriftRise, double classDriftMeanRise, int classDriftCheckpoints,
                         int classDriftWindow, double eosJumpFactor, double eosApproachRatio,
                         int eosApproachCheckpoints) {

    public static final Thresholds DEFAULTS = new Thresholds(
            decimal(ThresholdDefaults.EDGE_OF_STABILITY_WARNING), decimal(ThresholdDefaults.EDGE_OF_STABILITY_CRITICAL),
            whole(ThresholdDefaults.EDGE_OF_STABILITY_CHECKPOINTS), decimal(ThresholdDefaults.SPIKE_Z_SCORE),
            whole(ThresholdDefaults.SPIKE_WINDOW), 16, decimal(ThresholdDefaults.UPDATE_OSCILLATION_COSINE),
            whole(ThresholdDefaults.UPDATE_OSCILLATION_CHECKPOINTS), decimal(ThresholdDefaults.PLATEAU_RELATIVE_CHANGE),
            whole(ThresholdDefaults.PLATEAU_CHECKPOINTS), 1, 3, 1.5, 1.1, 2, 10, 3, 0.5, 3);

    private static final Set<String> INTEGERS = Set.of("eosCheckpoints", "spikeWindow", "spikeMinHistory",
            "oscillationCheckpoints", "plateauCheckpoints", "raiseAfter", "clearAfter", "classDriftCheckpoints",
            "classDriftWindow", "eosApproachCheckpoints");

    public Thresholds {
        if (eosCheckpoints < 1 || spikeWindow < 3 || spikeMinHistory < 3 || spikeMinHistory > spikeWindow
                || oscillationCheckpoints < 1 || plateauCheckpoints < 1 || raiseAfter < 1 || clearAfter < 1
                || classDriftCheckpoints < 1 || classDriftWindow < ClassLossDriftDetector.MIN_BASELINE
                || eosApproachCheckpoints < 1) {
            throw new IllegalArgumentException("thresholds out of range: " + this);
        }
    }

    /**
     * Returns these thresholds with {@code overrides} applied; keys are the component names above, values decimal
     * strings ({@code "1e-4"}, {@code "0.0001"}, {@code "6"}).
     *
     * @throws IllegalArgumentException naming the key and value when a key is unknown or a value is not a decimal
     */
    public Thresholds withOverrides(Map<String, String> overrides) {
        Map<String, Double> v = asMap();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!v.containsKey(e.getKey())) {
                throw new IllegalArgumentException("thresholds." + e.getKey() + " is not a known threshold (known: "
                        + String.join(", ", v.keySet()) + ")");
            }
            BigDecimal d;
            try {
                d = new BigDecimal(e.getValue().trim());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("thresholds." + e.getKey() + " is \"" + e.getValue()
                        + "\", not a decimal number such as \"1e-4\"");
            }
            if (INTEGERS.contains(e.getKey()) && d.stripTrailingZeros().scale() > 0) {
                throw new IllegalArgumentException("thresholds." + e.getKey() + " is \"" + e.getValue()
                        + "\", but must be a whole number of checkpoints");
            }
            v.put(e.getKey(), d.doubleValue());
        }
        return new Thresholds(v.get("eosWarningRatio"), v.get("eosCriticalRatio"),
                (int) Math.round(v.get("eosCheckpoints")), v.get("spikeZ"), (int) Math.round(v.get("spikeWindow")),
                (int) Math.round(v.get("spikeMinHistory")), v.get("oscillationCosine"),
                (int) Math.round(v.get("oscillationCheckpoints")), v.get("plateauRelativeChange"),
                (int) Math.round(v.get("plateauCheckpoints")), (int) Math.round(v.get("raiseAfter")), (int) Math.round(v.get("clearAfter")), v.get("classDriftRise"),
                v.get("classDriftMeanRise"), (int) Math.round(v.get("classDriftCheckpoints")),
                (int) Math.round(v.get("classDriftWindow")), v.get("eosJumpFactor"), v.get("eosApproachRatio"),
                (int) Math.round(v.get("eosApproachCheckpoints")));
    }

    private static double decimal(String value) {
        return new BigDecimal(value).doubleValue();
    }

    private static int whole(String value) {
        return new BigDecimal(value).intValueExact();
    }

    private Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("eosWarningRatio", eosWarningRatio);
        m.put("eosCriticalRatio", eosCriticalRatio);
        m.put("eosCheckpoints", (double) eosCheckpoints);
        m.put("spikeZ", spikeZ);
        m.put("spikeWindow", (double) spikeWindow);
        m.put("spikeMinHistory", (double) spikeMinHistory);
        m.put("oscillationCosine", oscillationCosine);
        m.put("oscillationCheckpoints", (double) oscillationCheckpoints);
        m.put("plateauRelativeChange", plateauRelativeChange);
        m.put("plateauCheckpoints", (double) plateauCheckpoints);
        m.put("raiseAfter", (double) raiseAfter);
        m.put("clearAfter", (double) clearAfter);
        m.put("classDriftRise", classDriftRise);
        m.put("classDriftMeanRise", classDriftMeanRise);
        m.put("classDriftCheckpoints", (double) classDriftCheckpoints);
        m.put("classDriftWindow", (double) classDriftWindow);
        m.put("eosJumpFactor", eosJumpFactor);
        m.put("eosApproachRatio", eosApproachRatio);
        m.put("eosApproachCheckpoints", (double) eosApproachCheckpoints);
        return m;
    }
}
