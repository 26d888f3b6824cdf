package dev.landscape.probe.findings;

import dev.landscape.contract.Reason;
import dev.landscape.contract.Severity;
import dev.landscape.probe.metrics.Tier1Metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Plateau (info): every loss logged over the last {@code plateauCheckpoints} + 1 checkpoints lies within
 * {@code plateauRelativeChange} (relative to their median) of every other: the loss has stopped moving, as it does
 * when the learning rate has decayed to zero or the data loader repeats one batch. Judged on the whole window, not
 * on its two ends: two noisy values a window apart agree to 10⁻⁴ by chance now and then (3 times in 800 checkpoints
 * of a loss with 2 % scatter, in the tier-1 ground truth), a whole window does not. Failure mode: a stochastic loss
 * whose noise is larger than the threshold never reads as flat even when it has stopped improving on average.
 */
final class PlateauDetector implements Detector {

    @Override
    public Reason reason() {
        return Reason.Plateau;
    }

    @Override
    public boolean isEvent() {
        return false;
    }

    @Override
    public Optional<Finding> evaluate(List<Tier1Metrics> history, Thresholds t) {
        int w = t.plateauCheckpoints();
        if (history.size() <= w) {
            return Optional.empty();
        }
        List<Tier1Metrics> window = history.subList(history.size() - 1 - w, history.size());
        double[] losses = new double[window.size()];
        for (int i = 0; i < losses.length; i++) {
            if (window.get(i).loss().isEmpty() || !Double.isFinite(window.get(i).loss().getAsDouble())) {
                return Optional.empty();
            }
            losses[i] = window.get(i).loss().getAsDouble();
        }
        double min = java.util.Arrays.stream(losses).min().orElseThrow();
        double max = java.util.Arrays.stream(losses).max().orElseThrow();
        double median = RobustZ.median(losses.clone());
        double range = (max - min) / Math.abs(median);
        if (!Double.isFinite(range) || range > t.plateauRelativeChange()) {
            return Optional.empty();
        }
        Tier1Metrics m = history.get(history.size() - 1);
        Tier1Metrics then = window.get(0);
        double now = losses[losses.length - 1];
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", now);
        values.put("lossBefore", losses[0]);
        values.put("relativeRange", range);
        String msg = String.format(Locale.ROOT, "Step %d: loss %.6g has stayed within %.2g (relative) since step %d, %d "
                + "checkpoints ago. Training has stalled: check the learning-rate schedule (decayed to zero?) or "
                + "stop early.", m.step(), now, range, then.step(), w);
        return Optional.of(new Finding(reason(), Severity.INFO, m.step(), m.step(), values, msg));
    }
}
