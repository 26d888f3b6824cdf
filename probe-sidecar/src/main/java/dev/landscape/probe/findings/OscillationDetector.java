package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.probe.metrics.CountSketch;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * UpdateOscillation (warning): for {@code oscillationCheckpoints} checkpoints in a row, each update points against
 * the one before it (cosine at most {@code oscillationCosine}) and along the one two before it (cosine at least
 * {@code −oscillationCosine}): the weights bounce back and forth across a valley, the period-two pattern of a step
 * size at or past the edge of stability along the sharpest direction.
 *
 * <p>Why both cosines: gradient noise alone makes consecutive updates point against each other. Along an
 * eigen-direction at ratio {@code r = ηλ/2} of SGD's edge, noise-driven updates have lag-1 correlation {@code −r}
 * and lag-2 correlation {@code r(2r − 1)} (the iterate's multiplier {@code 1 − 2r} is damped below the edge), so a
 * run at half the edge already reads consecutive cosines around −0.2 to −0.5, and on a small model their scatter
 * (about {@code 1/√d_eff}) puts three in a row below −0.5 now and then (one clean control in
 * bench/results/tier1-signals.md), while the update two back is uncorrelated there ({@code r(2r − 1) ≈ 0}). Only
 * near the edge ({@code r ≥ 0.81} along a lone direction) does noise return along the update two back with a
 * cosine of +0.5, and past it the oscillation's own growth makes both cosines tend to ∓1. The lag-2 cosine comes
 * from the per-tensor fingerprints, linear sketches of the weights, so {@code S(Δθ_t) = S(θ_t) − S(θ_{t−1})}; it
 * needs four checkpoints, and without fingerprints nothing is raised.
 */
final class OscillationDetector implements Detector {

    @Override
    public Reason reason() {
        return Reason.UpdateOscillation;
    }

    @Override
    public boolean isEvent() {
        return false;
    }

    @Override
    public Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t) {
        int n = t.oscillationCheckpoints();
        int size = history.size();
        if (size < n + 3) {
            return Optional.empty();
        }
        double worst = -1;
        double leastReturn = 1;
        for (int i = size - n; i < size; i++) {
            double cosine = history.get(i).updateCosine();
            if (!(cosine <= t.oscillationCosine())) {
                return Optional.empty();
            }
            double lagTwo = lagTwoCosine(history, i);
            if (!(lagTwo >= -t.oscillationCosine())) {
                return Optional.empty();
            }
            worst = Math.max(worst, cosine);
            leastReturn = Math.min(leastReturn, lagTwo);
        }
        Tier1Metrics m = history.get(size - 1);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("updateCosine", m.updateCosine());
        values.put("maxCosine", worst);
        values.put("minLagTwoCosine", leastReturn);
        String msg = String.format(Locale.ROOT, "Step %d: for %d checkpoints each update has pointed against the one "
                + "before (cosine %.3f now, at most %.3f) and along the one before that (cosine at least %.3f). The step "
                + "size is too large for the sharpest direction: lower the learning rate or raise momentum damping.",
                m.step(), n, m.updateCosine(), worst, leastReturn);
        return Optional.of(new Finding(reason(), Severity.WARNING, m.step(), m.step(), values, msg));
    }

    /**
     * Cosine between the update into checkpoint {@code i} and the update two before it, from the fingerprints of
     * checkpoints {@code i−3 … i}; {@code NaN} when a fingerprint is missing or either update is zero.
     */
    static double lagTwoCosine(List<Tier1Metrics> history, int i) {
        Map<String, CountSketch> now = history.get(i).fingerprints();
        Map<String, CountSketch> before = history.get(i - 1).fingerprints();
        Map<String, CountSketch> twoBack = history.get(i - 2).fingerprints();
        Map<String, CountSketch> threeBack = history.get(i - 3).fingerprints();
        double dot = 0;
        double a2 = 0;
        double b2 = 0;
        for (Map.Entry<String, CountSketch> e : now.entrySet()) {
            CountSketch p = before.get(e.getKey());
            CountSketch q = twoBack.get(e.getKey());
            CountSketch r = threeBack.get(e.getKey());
            if (p == null || q == null || r == null) {
                return Double.NaN;
            }
            double[] x = e.getValue().buckets();
            double[] px = p.buckets();
            double[] qx = q.buckets();
            double[] rx = r.buckets();
            long seed = e.getValue().seed();
            if (px.length != x.length || qx.length != x.length || rx.length != x.length || p.seed() != seed
                    || q.seed() != seed || r.seed() != seed) {
                return Double.NaN;
            }
            for (int j = 0; j < x.length; j++) {
                double a = x[j] - px[j];
                double b = qx[j] - rx[j];
                dot += a * b;
                a2 += a * a;
                b2 += b * b;
            }
        }
        return a2 > 0 && b2 > 0 ? dot / Math.sqrt(a2 * b2) : Double.NaN;
    }
}
